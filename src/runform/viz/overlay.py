"""Pure drawing on video frames: a frame (RGB ``uint8``) in, a new frame out.

Nothing here reads or writes files. Coordinates are image pixels (x right,
y down) of the frame drawn on. Colours: the left side blue, the right side
orange (as most gait software), the centre of mass white, the support point
green, people who are not analysed grey.

The geometry (``draw_skeleton``, ``draw_support_and_com``, ``draw_fall_arc``)
draws on the pixels; the text is built as :class:`~runform.viz.text.Label`
values (``*_label`` functions) and written in a later pass by
:func:`~runform.viz.text.draw_labels`, so that it can be placed clear of
other labels and never be mirrored or resized with the frame. The
``draw_panel``, ``draw_callout``, ``draw_person_label`` and
``draw_knee_angle`` helpers do both passes for one piece of text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np
from numpy.typing import NDArray

from runform.skeleton import EDGES, KEYPOINT_INDEX
from runform.viz.text import CENTRE, INK, Label, draw_labels, fit_size, load_font, make_label

Image = NDArray[np.uint8]
Point = tuple[float, float]

LEFT = (66, 135, 245)
RIGHT = (245, 140, 40)
SUPPORT = (60, 200, 90)
ACCENT = (250, 210, 60)
OTHER = (150, 150, 150)

#: Landmarks below this confidence are drawn faded, below FADE_MIN not at all.
FADE_FULL = 0.6
FADE_MIN = 0.2


def _scale(image: Image) -> float:
    """Line and text scale for the frame size (1.0 at 720 px high)."""
    return frame_scale(image.shape[0])


def frame_scale(height: int) -> float:
    """Line and text scale for a frame ``height`` pixels high (1.0 at 720 px)."""
    return max(height, 240) / 720.0


#: Font size at a scale of 1 (720 px high) per unit of the ``size`` arguments, pixels.
TEXT_PX = 30.0


def _side_colour(name: str) -> tuple[int, int, int]:
    if name.startswith("left"):
        return LEFT
    if name.startswith("right"):
        return RIGHT
    return CENTRE


def _ok(point: NDArray[np.float64]) -> bool:
    return bool(np.all(np.isfinite(point)))


def _pt(point: Sequence[float] | NDArray[np.float64]) -> tuple[int, int]:
    return round(float(point[0])), round(float(point[1]))


def _blend(base: Image, layer: Image, alpha: float) -> Image:
    return np.asarray(cv2.addWeighted(layer, alpha, base, 1.0 - alpha, 0.0), dtype=np.uint8)


def draw_skeleton(
    image: Image,
    points: NDArray[np.float64],
    confidence: NDArray[np.float64],
    colour: tuple[int, int, int] | None = None,
) -> Image:
    """Draw the body's segments and joints, coloured by side, fading where unsure.

    Parameters
    ----------
    image
        ``H×W×3`` RGB frame.
    points
        ``(33, 2)`` keypoint pixels in MediaPipe order (NaN where missing).
    confidence
        ``(33,)`` landmark confidence 0-1.
    colour
        One colour for the whole body (e.g. :data:`OTHER` for people who are
        not analysed) instead of the side colours.

    Returns
    -------
    numpy.ndarray
        A new frame.
    """
    s = _scale(image)
    solid, faint = image.copy(), image.copy()
    for a, b in EDGES:
        i, j = KEYPOINT_INDEX[a], KEYPOINT_INDEX[b]
        if not (_ok(points[i]) and _ok(points[j])):
            continue
        c = float(min(confidence[i], confidence[j]))
        if c < FADE_MIN:
            continue
        target = solid if c >= FADE_FULL else faint
        tint = colour or _side_colour(a if a.startswith(("left", "right")) else b)
        cv2.line(target, _pt(points[i]), _pt(points[j]), tint, max(1, round(3 * s)), cv2.LINE_AA)
    for name, k in KEYPOINT_INDEX.items():
        if (
            not _ok(points[k])
            or confidence[k] < FADE_MIN
            or name.startswith(("mouth", "left_eye", "right_eye"))
        ):
            continue
        target = solid if confidence[k] >= FADE_FULL else faint
        tint = colour or _side_colour(name)
        cv2.circle(target, _pt(points[k]), max(2, round(4 * s)), tint, -1, cv2.LINE_AA)
    out = _blend(image, faint, 0.45)
    mask = np.any(solid != image, axis=-1)
    out[mask] = solid[mask]
    return out


def draw_support_and_com(image: Image, support: Point | None, com: Point | None) -> Image:
    """Mark the support point and draw a vertical line through the centre of mass."""
    out = image.copy()
    s = _scale(image)
    if com is not None and all(map(math.isfinite, com)):
        x = round(com[0])
        cv2.line(out, (x, 0), (x, image.shape[0] - 1), CENTRE, max(1, round(2 * s)), cv2.LINE_AA)
        cv2.circle(out, _pt(com), max(3, round(7 * s)), CENTRE, -1, cv2.LINE_AA)
        cv2.circle(out, _pt(com), max(3, round(7 * s)), INK, max(1, round(s)), cv2.LINE_AA)
    if support is not None and all(map(math.isfinite, support)):
        cv2.circle(out, _pt(support), max(4, round(9 * s)), SUPPORT, -1, cv2.LINE_AA)
    return out


def _fall_radius(support: Point, com: Point) -> int:
    return max(20, round(0.35 * math.dist(support, com)))


def draw_fall_arc(image: Image, support: Point, com: Point, angle_deg: float) -> Image:
    """Draw the fall angle: an arc from the vertical to the support → centre-of-mass line.

    Only the geometry: its value is written by :func:`fall_label`.
    """
    out = image.copy()
    s = _scale(image)
    if not (all(map(math.isfinite, support)) and all(map(math.isfinite, com))):
        return out
    radius = _fall_radius(support, com)
    dx, dy = com[0] - support[0], com[1] - support[1]
    line = math.degrees(math.atan2(dy, dx))  # image angle of the line (y down)
    cv2.line(out, _pt(support), _pt(com), ACCENT, max(1, round(2 * s)), cv2.LINE_AA)
    top = (support[0], support[1] - 1.2 * radius)
    cv2.line(out, _pt(support), _pt(top), ACCENT, max(1, round(s)), cv2.LINE_AA)
    start, end = sorted((-90.0, line))
    cv2.ellipse(out, _pt(support), (radius, radius), 0.0, start, end, ACCENT,
                max(1, round(2 * s)), cv2.LINE_AA)  # fmt: skip
    return out


#: Opacity of the box behind labels that float next to the body.
FLOATING_ALPHA = 0.6


def lighten(colour: tuple[int, int, int], amount: float = 0.35) -> tuple[int, int, int]:
    """Mix ``colour`` with white (``amount`` 0-1): side colours that read on a dark box."""
    r, g, b = (round(c + (255 - c) * amount) for c in colour)
    return r, g, b


def fall_label(support: Point, com: Point, angle_deg: float, scale: float) -> Label | None:
    """``fall 12°`` beside the top of the fall arc, on the side the runner leans to.

    ``scale`` is the text scale (:func:`frame_scale` of the frame written on);
    ``None`` when a point is missing.
    """
    if not (all(map(math.isfinite, (*support, *com))) and math.isfinite(angle_deg)):
        return None
    radius = _fall_radius(support, com)
    ahead = com[0] >= support[0]
    where = (support[0] + 0.3 * radius * (1 if ahead else -1), support[1] - 1.1 * radius)
    return make_label([f"fall {angle_deg:.0f}°"], where, TEXT_PX * 0.7 * scale, ACCENT,
                      "left" if ahead else "right", FLOATING_ALPHA)  # fmt: skip


def knee_label(knee: Point, value_deg: float, colour: tuple[int, int, int],
               scale: float) -> Label | None:  # fmt: skip
    """``knee 33°`` just right of the knee (the knee flexion at initial contact)."""
    if not all(map(math.isfinite, knee)) or not math.isfinite(value_deg):
        return None
    where = (knee[0] + 14 * scale, knee[1])
    return make_label([f"knee {value_deg:.0f}°"], where, TEXT_PX * 0.6 * scale, lighten(colour),
                      "left", FLOATING_ALPHA)  # fmt: skip


def person_label(points: NDArray[np.float64], text: str, colour: tuple[int, int, int],
                 scale: float) -> Label | None:  # fmt: skip
    """``text`` just above a person's head (their highest keypoint); ``None`` if unseen."""
    ok = np.all(np.isfinite(points), axis=1)
    if not ok.any():
        return None
    top = float(points[ok, 1].min())
    left = float(points[ok, 0].min())
    return make_label([text], (left, top - 6 * scale), TEXT_PX * 0.6 * scale, colour,
                      "bottom-left", FLOATING_ALPHA)  # fmt: skip


def panel_label(size: tuple[int, int], lines: Sequence[str], corner: str = "top-left",
                text_size: float = 0.6, scale: float | None = None) -> Label:  # fmt: skip
    """Make a fixed box of text lines in a corner of a ``(width, height)`` image (phase, HUD).

    The font shrinks, when needed, so that the box fits the image's width.
    """
    width, height = size
    s = frame_scale(height) if scale is None else scale
    margin = round(10 * s)
    px = fit_size(lines, TEXT_PX * text_size * s, width - 2 * margin)
    x = margin if corner.endswith("left") else width - margin
    y = margin if corner.startswith("top") else height - margin
    return make_label(lines, (x, y), px, CENTRE, corner, 0.55, movable=False)


def wrap_words(text: str, size_px: int, max_width: float, bold: bool = False) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` at this font size (by words)."""
    font = load_font(size_px, bold)
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and font.getlength(trial) > max_width:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    return lines


def callout_labels(size: tuple[int, int], title: str, body: str) -> list[Label]:
    """Make a banner across the bottom of a ``(width, height)`` image: title and 4 lines."""
    width, height = size
    s = frame_scale(height)
    margin = round(14 * s)
    title_px = fit_size([title], TEXT_PX * 0.8 * s, width - 2 * margin, bold=True)
    body_px = max(9, round(TEXT_PX * 0.6 * s))
    lines = wrap_words(body, body_px, width - 2 * margin)[:4]
    title_label = make_label([title], (0, 0), title_px, ACCENT, bold=True, box_alpha=0.0,
                             movable=False)  # fmt: skip
    body_label = make_label(lines, (0, 0), body_px, CENTRE, box_alpha=0.0, movable=False)
    top = height - title_label.height - body_label.height - margin
    banner = Label((), 0, top - margin // 2, width, height - top + margin // 2, body_px,
                   INK, 0.7, movable=False)  # fmt: skip
    return [banner, replace(title_label, x=margin, y=top),
            replace(body_label, x=margin, y=top + title_label.height)]  # fmt: skip


def draw_panel(
    image: Image, lines: Sequence[str], corner: str = "top-left", size: float = 0.6
) -> Image:
    """Draw a translucent box of text lines in a corner (phase label, HUD)."""
    return draw_labels(image, [panel_label((image.shape[1], image.shape[0]), lines, corner, size)])


def draw_callout(image: Image, title: str, body: str) -> Image:
    """Draw a banner across the bottom of the frame: a focus item's name and message."""
    return draw_labels(image, callout_labels((image.shape[1], image.shape[0]), title, body))


def draw_person_label(
    image: Image, points: NDArray[np.float64], text: str, colour: tuple[int, int, int] = CENTRE
) -> Image:
    """Write ``text`` above a person's head (their highest keypoint); unchanged if unseen."""
    label = person_label(points, text, colour, _scale(image))
    return draw_labels(image, [label] if label is not None else [])


def draw_knee_angle(
    image: Image, knee: Point, value_deg: float, colour: tuple[int, int, int]
) -> Image:
    """Write the knee flexion beside the knee (at initial contact)."""
    label = knee_label(knee, value_deg, colour, _scale(image))
    return draw_labels(image, [label] if label is not None else [])
