"""Pure drawing on video frames: a frame (RGB ``uint8``) in, a new frame out.

Nothing here reads or writes files. Coordinates are image pixels (x right,
y down) of the frame drawn on. Colours: the left side blue, the right side
orange (as most gait software), the centre of mass white, the support point
green, people who are not analysed grey.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from runform.skeleton import EDGES, KEYPOINT_INDEX

Image = NDArray[np.uint8]
Point = tuple[float, float]

LEFT = (66, 135, 245)
RIGHT = (245, 140, 40)
CENTRE = (235, 235, 235)
SUPPORT = (60, 200, 90)
ACCENT = (250, 210, 60)
INK = (20, 20, 20)
OTHER = (150, 150, 150)

#: Landmarks below this confidence are drawn faded, below FADE_MIN not at all.
FADE_FULL = 0.6
FADE_MIN = 0.2


def _scale(image: Image) -> float:
    """Line and text scale for the frame size (1.0 at 720 px high)."""
    return max(image.shape[0], 240) / 720.0


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


def draw_fall_arc(image: Image, support: Point, com: Point, angle_deg: float) -> Image:
    """Draw the fall angle: an arc from the vertical to the support → centre-of-mass line."""
    out = image.copy()
    s = _scale(image)
    if not (all(map(math.isfinite, support)) and all(map(math.isfinite, com))):
        return out
    radius = max(20, round(0.35 * math.dist(support, com)))
    dx, dy = com[0] - support[0], com[1] - support[1]
    line = math.degrees(math.atan2(dy, dx))  # image angle of the line (y down)
    cv2.line(out, _pt(support), _pt(com), ACCENT, max(1, round(2 * s)), cv2.LINE_AA)
    top = (support[0], support[1] - 1.2 * radius)
    cv2.line(out, _pt(support), _pt(top), ACCENT, max(1, round(s)), cv2.LINE_AA)
    start, end = sorted((-90.0, line))
    cv2.ellipse(
        out,
        _pt(support),
        (radius, radius),
        0.0,
        start,
        end,
        ACCENT,
        max(1, round(2 * s)),
        cv2.LINE_AA,
    )
    label = f"fall {angle_deg:.0f} deg"
    where = (support[0] + 0.3 * radius * (1 if dx >= 0 else -1), support[1] - 1.1 * radius)
    return draw_text(out, label, where, ACCENT)


def draw_text(image: Image, text: str, origin: Point, colour: tuple[int, int, int] = CENTRE,
              size: float = 0.7) -> Image:  # fmt: skip
    """Write text with a dark outline so it reads on any background."""
    out = image.copy()
    s = _scale(image) * size
    thickness = max(1, round(2 * s))
    at = _pt(origin)
    cv2.putText(out, text, at, cv2.FONT_HERSHEY_SIMPLEX, s, INK, thickness + 2, cv2.LINE_AA)
    cv2.putText(out, text, at, cv2.FONT_HERSHEY_SIMPLEX, s, colour, thickness, cv2.LINE_AA)
    return out


def draw_person_label(
    image: Image, points: NDArray[np.float64], text: str, colour: tuple[int, int, int] = CENTRE
) -> Image:
    """Write ``text`` above a person's head (their highest keypoint); unchanged if unseen."""
    ok = np.all(np.isfinite(points), axis=1)
    if not ok.any():
        return image.copy()
    top = points[ok][np.argmin(points[ok, 1])]
    s = _scale(image)
    left = float(points[ok, 0].min())
    return draw_text(image, text, (left, max(20 * s, top[1] - 18 * s)), colour, 0.7)


def draw_knee_angle(
    image: Image, knee: Point, value_deg: float, colour: tuple[int, int, int]
) -> Image:
    """Write the knee flexion beside the knee (at initial contact)."""
    if not all(map(math.isfinite, knee)) or not math.isfinite(value_deg):
        return image.copy()
    s = _scale(image)
    return draw_text(image, f"knee {value_deg:.0f} deg", (knee[0] + 14 * s, knee[1]), colour, 0.6)


def draw_panel(
    image: Image, lines: Sequence[str], corner: str = "top-left", size: float = 0.6
) -> Image:
    """Draw a translucent box of text lines in a corner (phase label, HUD)."""
    s = _scale(image) * size
    height = round(30 * s)
    widths = [
        cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, s, max(1, round(2 * s)))[0][0]
        for line in lines
    ]
    box_w = int(1.1 * (max(widths) if widths else 0)) + round(24 * s)
    box_h = height * len(lines) + round(12 * s)
    h, w = image.shape[:2]
    x0 = round(10 * s) if corner.endswith("left") else w - box_w - round(10 * s)
    y0 = round(10 * s) if corner.startswith("top") else h - box_h - round(10 * s)
    layer = image.copy()
    cv2.rectangle(layer, (x0, y0), (x0 + box_w, y0 + box_h), INK, -1)
    out = _blend(image, layer, 0.55)
    for k, line in enumerate(lines):
        out = draw_text(out, line, (x0 + round(10 * s), y0 + height * (k + 1)), CENTRE, size)
    return out


def draw_callout(image: Image, title: str, body: str) -> Image:
    """Draw a banner across the bottom of the frame: a focus item's name and message."""
    s = _scale(image)
    h, w = image.shape[:2]
    words, lines, line = body.split(), [], ""
    limit = max(20, int((w - 28 * s) / (14 * s)))
    for word in words:
        if len(line) + len(word) + 1 > limit:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    lines = lines[:4]
    step = round(28 * s)
    box_h = step * (len(lines) + 1) + round(16 * s)
    layer = image.copy()
    cv2.rectangle(layer, (0, h - box_h), (w, h), INK, -1)
    out = _blend(image, layer, 0.7)
    out = draw_text(out, title, (round(14 * s), h - box_h + step), ACCENT, 0.8)
    for k, text in enumerate(lines):
        out = draw_text(out, text, (round(14 * s), h - box_h + step * (k + 2)), CENTRE, 0.6)
    return out
