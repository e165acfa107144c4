"""Pure drawing of the people in a clip with their track ids (``runform people``'s sheet)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from runform.viz.keyframes import compose_sheet, crop_around
from runform.viz.overlay import CENTRE, OTHER, Image, draw_panel, draw_person_label, draw_skeleton

FloatArray = NDArray[np.float64]
#: Colour of the person the automatic rule chooses.
CHOSEN = (60, 200, 90)


def draw_people(
    image: Image,
    people: Sequence[tuple[int, FloatArray, FloatArray]],
    chosen: int | None,
    scale: float = 1.0,
) -> Image:
    """Draw everybody with ``person ID`` above their head; the chosen one in green.

    Parameters
    ----------
    image
        The frame (RGB ``uint8``).
    people
        ``(id, (33, 2) points in measured pixels, (33,) confidence)`` per person.
    chosen
        Id of the runner the rule picks (drawn in :data:`CHOSEN`), or None.
    scale
        Drawn pixels per measured pixel.
    """
    out = image
    for person, points, confidence in people:
        colour = CHOSEN if person == chosen else OTHER
        out = draw_skeleton(out, points * scale, confidence, colour)
        label = f"person {person}" + (" (runner)" if person == chosen else "")
        out = draw_person_label(out, points * scale, label, CHOSEN if person == chosen else CENTRE)
    return out


def compose_people_sheet(overview: Image, crops: Sequence[Image], width: int = 1280) -> Image:
    """Lay out the overview frame on top and each person's crop in a row under it."""
    import cv2

    height = max(1, round(overview.shape[0] * width / overview.shape[1]))
    top = np.asarray(cv2.resize(overview, (width, height), interpolation=cv2.INTER_AREA), np.uint8)
    if not crops:
        return np.ascontiguousarray(top)
    row = compose_sheet(list(crops), height=360)
    if row.shape[1] > width:
        fit = max(1, round(row.shape[0] * width / row.shape[1]))
        row = np.asarray(cv2.resize(row, (width, fit), interpolation=cv2.INTER_AREA), np.uint8)
    pad = np.full((row.shape[0], width - row.shape[1], 3), 255, np.uint8)
    gap = np.full((8, width, 3), 255, np.uint8)
    return np.ascontiguousarray(np.concatenate([top, gap, np.concatenate([row, pad], 1)], 0))


def draw_person_crop(image: Image, person: int, points: FloatArray, confidence: FloatArray,
                     lines: Sequence[str], chosen: bool, scale: float = 1.0) -> Image:  # fmt: skip
    """One person's crop around their body with their id and a few facts."""
    drawn = draw_skeleton(image, points * scale, confidence, CHOSEN if chosen else OTHER)
    crop = np.ascontiguousarray(crop_around(drawn, points * scale, margin=0.3))
    title = f"person {person}" + (" (runner)" if chosen else "")
    return draw_panel(crop, [title, *lines], "top-left", 0.55)
