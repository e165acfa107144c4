"""Where labels go so that none lies on another: boxes in, boxes out (pure).

A box is ``(x0, y0, x1, y1)`` in image pixels (x right, y down), ``x0 < x1``
and ``y0 < y1``. :func:`place_boxes` keeps each box where it was asked for
when it is clear, and otherwise moves it up or down, by as little as
possible, to the nearest position clear of the fixed boxes (corner panels,
a banner) and of the boxes placed before it. :func:`merge_boxes` joins
boxes that touch into their bounding box.
"""

from __future__ import annotations

from collections.abc import Sequence

Box = tuple[float, float, float, float]

#: Clear space kept between two placed boxes, pixels.
GAP = 2.0


def boxes_overlap(a: Box, b: Box, gap: float = 0.0) -> bool:
    """Say whether two boxes overlap, or come closer than ``gap``.

    Boxes that only touch (``a``'s right edge on ``b``'s left edge) do not
    overlap when ``gap`` is 0.
    """
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high) if low <= high else low


def _candidates(box: Box, start_y: float, obstacles: Sequence[Box], gap: float) -> list[float]:
    """Tops to try: where it was asked for, and just above or below each obstacle in its column."""
    height = box[3] - box[1]
    tops = [start_y]
    for other in obstacles:
        if box[0] < other[2] + gap and other[0] < box[2] + gap:
            tops += [other[3] + gap, other[1] - gap - height]
    return tops


def place_boxes(
    boxes: Sequence[Box], fixed: Sequence[Box] = (), bounds: Box | None = None, gap: float = GAP
) -> tuple[Box, ...]:
    """Move boxes vertically, in order, so that none overlaps another or a fixed box.

    Parameters
    ----------
    boxes
        The boxes to place, each where it is wanted, most important first:
        a box is never moved for one that comes after it.
    fixed
        Boxes that stay where they are (they may overlap each other).
    bounds
        The image ``(0, 0, width, height)``: a box is first shifted inside
        it, and a position inside it is preferred to one outside.
    gap
        Clear space kept between boxes, pixels.

    Returns
    -------
    tuple of Box
        The boxes in the same order and of the same sizes, each at the
        position nearest the one asked for (after the shift into ``bounds``)
        that is clear of ``fixed`` and of the boxes before it. A position
        outside ``bounds`` is used only when no clear one lies inside.
    """
    placed: list[Box] = []
    for box in boxes:
        width, height = box[2] - box[0], box[3] - box[1]
        x0, y0 = box[0], box[1]
        if bounds is not None:
            x0 = _clamp(x0, bounds[0], bounds[2] - width)
            y0 = _clamp(y0, bounds[1], bounds[3] - height)
        obstacles = [*fixed, *placed]
        column = (x0, y0, x0 + width, y0 + height)
        clear = [
            top
            for top in _candidates(column, y0, obstacles, gap)
            if not any(
                boxes_overlap((x0, top, x0 + width, top + height), o, gap) for o in obstacles
            )
        ]
        inside = [
            t for t in clear if bounds is None or (bounds[1] <= t and t + height <= bounds[3])
        ]
        # one below the lowest obstacle of its column is always clear, so `clear` is never empty
        top = min(inside or clear, key=lambda t: (abs(t - y0), t))
        placed.append((x0, top, x0 + width, top + height))
    return tuple(placed)


def merge_boxes(boxes: Sequence[Box]) -> tuple[Box, ...]:
    """Join boxes that overlap into their bounding box, until none overlaps another.

    Returns
    -------
    tuple of Box
        Boxes that do not overlap each other and cover every input box.
    """
    merged: list[Box] = [(b[0], b[1], b[2], b[3]) for b in boxes]
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                a, b = merged[i], merged[j]
                if boxes_overlap(a, b):
                    merged[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    del merged[j]
                    changed = True
                    break
            if changed:
                break
    return tuple(merged)
