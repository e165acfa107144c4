"""Backgrounds for the synthetic runner: track, road, park or a gym treadmill.

The static part of a scene is rendered once per clip
(:func:`render_background`); the treadmill belt, whose markings move
backwards at belt speed, and the contact shadows are drawn per frame. For a
tracking shot the background is rendered as a wider panorama, and each
frame shows the window of it that the panning camera sees
(:func:`sample_panorama`).
Images are float32 RGB in 0–1, pixel coordinates as in
:mod:`runform.synth.paint`.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

from runform.synth.appearance import Appearance
from runform.synth.camera import Camera
from runform.synth.paint import Image, paint_polygon, paint_shadow

__all__ = [
    "compute_treadmill_geometry",
    "draw_belt",
    "draw_shadows",
    "render_background",
    "sample_panorama",
]

FloatArray = NDArray[np.float64]

#: Treadmill deck, in metres relative to the pelvis (x forward): rear end,
#: front end, belt thickness, deck (frame) height under the belt.
_DECK = {"rear": -1.00, "front": 0.85, "belt": 0.025, "frame": 0.10}
#: Spacing of the belt markings, metres.
_BELT_PERIOD_M = 0.30


def _noise(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> FloatArray:
    """Smooth zero-mean noise with unit-ish amplitude."""
    field = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), sigma)
    return np.asarray(field / max(float(field.std()), 1e-6), dtype=np.float64)


def _vertical_gradient(
    height: int, width: int, top: tuple[float, ...], bottom: tuple[float, ...]
) -> Image:
    """Return an image fading from ``top`` to ``bottom`` colour."""
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    img = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    return np.ascontiguousarray(np.broadcast_to(img, (height, width, 3)))


def _fill_rows(
    img: Image, y0: float, y1: float, color: tuple[float, ...], texture: FloatArray, amount: float
) -> None:
    """Fill image rows ``[y0, y1)`` with a textured colour."""
    h = img.shape[0]
    a, b = int(np.clip(round(y0), 0, h)), int(np.clip(round(y1), 0, h))
    if a >= b:
        return
    shade = 1.0 + amount * texture[a:b, :, None]
    img[a:b] = np.asarray(color, np.float32) * shade


def _draw_treeline(
    img: Image,
    rng: np.random.Generator,
    base_y: float,
    size: float,
    color: tuple[float, float, float],
) -> None:
    """Paint a row of soft blobs (trees or hedges) standing on ``base_y``."""
    width = img.shape[1]
    x = -size
    while x < width + size:
        r = size * rng.uniform(0.5, 1.0)
        shade = rng.uniform(0.8, 1.15)
        centre = (x, base_y - r * rng.uniform(0.6, 1.2))
        t = np.linspace(0, 2 * np.pi, 40, endpoint=False)
        wobble = 1.0 + 0.12 * np.sin(5 * t + rng.uniform(0, 6))
        pts = np.stack([centre[0] + r * wobble * np.cos(t), centre[1] + r * wobble * np.sin(t)], -1)
        paint_polygon(img, pts, np.clip(np.multiply(color, shade), 0, 1), depth_px=0.5 * r)
        x += r * rng.uniform(0.9, 1.5)


def _draw_buildings(img: Image, rng: np.random.Generator, base_y: float, size: float) -> None:
    """Paint a row of flat building facades standing on ``base_y``."""
    width = img.shape[1]
    x = -rng.uniform(0, size)
    while x < width:
        w = size * rng.uniform(1.0, 2.5)
        top = base_y - size * rng.uniform(1.2, 3.0)
        tone = rng.uniform(0.45, 0.80)
        color = np.clip(
            np.array([tone, tone * 0.97, tone * 0.93]) + rng.uniform(-0.05, 0.05, 3), 0, 1
        )
        paint_polygon(img, [(x, top), (x + w, top), (x + w, base_y), (x, base_y)], color)
        for wy in np.arange(top + 0.3 * size, base_y - 0.3 * size, 0.6 * size):
            for wx in np.arange(x + 0.2 * size, x + w - 0.3 * size, 0.5 * size):
                win = [
                    (wx, wy),
                    (wx + 0.25 * size, wy),
                    (wx + 0.25 * size, wy + 0.3 * size),
                    (wx, wy + 0.3 * size),
                ]
                paint_polygon(img, win, np.clip(color * 0.55 + 0.1, 0, 1))
        x += w + size * rng.uniform(0.0, 0.4)


def _outdoor(img: Image, rng: np.random.Generator, camera: Camera, look: Appearance) -> None:
    """Sky, a far band (trees or buildings) and the ground surface."""
    h, w = img.shape[:2]
    unit = camera.scale_px_per_m
    horizon = camera.ground_y_px - 0.55 * unit
    img[:] = _vertical_gradient(h, w, (0.55, 0.70, 0.88), (0.84, 0.89, 0.94))
    grain = look.texture_scale
    texture = _noise(rng, (h, w), 1.5 * grain) * 0.6 + _noise(rng, (h, w), 8.0 * grain) * 0.4
    surfaces = {
        "track": ((0.64, 0.30, 0.22), (0.30, 0.45, 0.25)),
        "road": ((0.42, 0.42, 0.43), (0.55, 0.55, 0.52)),
        "park": ((0.36, 0.55, 0.25), (0.22, 0.40, 0.20)),
    }
    ground, far = surfaces[look.background]
    if look.ground is not None:
        ground = look.ground
    if look.background == "road":
        _draw_buildings(img, rng, horizon, 0.6 * unit)
    else:
        _draw_treeline(img, rng, horizon, 0.35 * unit, far)
    amount = 0.07 if look.ground_texture is None else look.ground_texture
    _fill_rows(img, horizon, h, ground, texture, amount)
    if look.background == "track":
        for depth in (-0.35, -0.12, 0.10, 0.30):
            y = camera.ground_y_px + depth * unit
            if horizon < y < h:
                _fill_rows(img, y, y + max(1.5, 0.012 * unit), (0.93, 0.93, 0.92), texture, 0.03)
    elif look.background == "park":
        _fill_rows(
            img,
            camera.ground_y_px - 0.12 * unit,
            camera.ground_y_px + 0.14 * unit,
            (0.72, 0.64, 0.50),
            texture,
            0.08,
        )
    else:
        _fill_rows(img, horizon, horizon + 0.04 * unit, (0.70, 0.70, 0.68), texture, 0.03)


def compute_treadmill_geometry(camera: Camera, pelvis_x_px: float) -> dict[str, float]:
    """Pixel geometry of the treadmill: deck ends and heights.

    Returns
    -------
    dict
        ``rear``, ``front``: deck end columns; ``belt_top``, ``belt_bottom``,
        ``frame_bottom``: rows, pixels.
    """
    s, f = camera.scale_px_per_m, camera.facing
    return {
        "rear": pelvis_x_px + f * _DECK["rear"] * s,
        "front": pelvis_x_px + f * _DECK["front"] * s,
        "belt_top": camera.ground_y_px,
        "belt_bottom": camera.ground_y_px + _DECK["belt"] * s,
        "frame_bottom": camera.ground_y_px + _DECK["frame"] * s,
    }


def _gym(
    img: Image, rng: np.random.Generator, camera: Camera, pelvis_x_px: float, look: Appearance
) -> None:
    """Indoor wall and floor with a treadmill's frame, hood and upright."""
    h, w = img.shape[:2]
    s, f = camera.scale_px_per_m, camera.facing
    deck = compute_treadmill_geometry(camera, pelvis_x_px)
    floor_y = deck["frame_bottom"] + 0.02 * s
    wall = (0.80, 0.78, 0.72) if look.wall is None else look.wall
    wall_low = (0.70, 0.68, 0.63) if look.wall is None else tuple(0.875 * c for c in look.wall)
    img[:] = _vertical_gradient(h, w, wall, wall_low)
    texture = _noise(rng, (h, w), 2.0 * look.texture_scale)
    _fill_rows(img, floor_y - 0.25 * s, floor_y - 0.22 * s, (0.55, 0.52, 0.48), texture, 0.02)
    floor = (0.50, 0.42, 0.34) if look.ground is None else look.ground
    amount = 0.08 if look.ground_texture is None else look.ground_texture
    _fill_rows(img, floor_y, h, floor, texture, amount)
    x0, x1 = sorted((deck["rear"], deck["front"]))
    frame = [
        (x0, deck["belt_bottom"]),
        (x1, deck["belt_bottom"]),
        (x1, deck["frame_bottom"]),
        (x0, deck["frame_bottom"]),
    ]
    paint_polygon(img, frame, (0.35, 0.36, 0.38), depth_px=0.02 * s)
    front = deck["front"]
    hood = [
        (front, deck["belt_top"] - 0.12 * s),
        (front + f * 0.30 * s, deck["belt_top"] - 0.10 * s),
        (front + f * 0.30 * s, deck["frame_bottom"]),
        (front, deck["frame_bottom"]),
    ]
    paint_polygon(img, hood, (0.22, 0.23, 0.25), depth_px=0.03 * s)
    post = [
        (front + f * 0.12 * s, deck["belt_top"] - 0.10 * s),
        (front + f * 0.20 * s, deck["belt_top"] - 0.10 * s),
        (front + f * 0.02 * s, deck["belt_top"] - 1.25 * s),
        (front - f * 0.05 * s, deck["belt_top"] - 1.25 * s),
    ]
    paint_polygon(img, post, (0.30, 0.31, 0.33), depth_px=0.02 * s)
    console = [
        (front - f * 0.15 * s, deck["belt_top"] - 1.25 * s),
        (front + f * 0.10 * s, deck["belt_top"] - 1.30 * s),
        (front + f * 0.12 * s, deck["belt_top"] - 1.18 * s),
        (front - f * 0.12 * s, deck["belt_top"] - 1.14 * s),
    ]
    paint_polygon(img, console, (0.18, 0.19, 0.21), depth_px=0.02 * s)


def render_background(camera: Camera, look: Appearance, seed: int, pelvis_x_px: float) -> Image:
    """Render the static background of a clip.

    Parameters
    ----------
    camera
        The camera (frame size, ground row, scale, facing).
    look
        Colours and background style.
    seed
        Texture seed.
    pelvis_x_px
        Pelvis column on a treadmill (places the deck); ignored overground.

    Returns
    -------
    numpy.ndarray
        ``H×W×3`` float32 RGB image, values 0–1.
    """
    rng = np.random.default_rng([seed, 7])
    img = np.zeros((camera.height_px, camera.width_px, 3), np.float32)
    if look.background == "gym":
        _gym(img, rng, camera, pelvis_x_px, look)
    else:
        _outdoor(img, rng, camera, look)
    img *= np.asarray(look.tint, np.float32)
    return np.clip(img, 0.0, 1.0)


def _reflect_columns(columns: NDArray[np.int64], width: int) -> NDArray[np.int64]:
    """Fold column indices into ``[0, width)`` by mirroring at both ends."""
    folded = np.mod(columns, 2 * width)
    return np.where(folded < width, folded, 2 * width - 1 - folded)


#: Columns of context each side of the window for the interpolation kernel.
_KERNEL_REACH = 4


def sample_panorama(panorama: Image, left_px: float, width_px: int) -> Image:
    """Cut the window a panning camera sees out of a wider background.

    Parameters
    ----------
    panorama
        ``H×P×3`` float32 RGB background, wider than the frame.
    left_px
        Panorama column (pixel-centre coordinates, may be fractional) shown
        at the frame's first column. A fractional part is applied with
        Lanczos interpolation (nearly linear phase, so the content moves by
        the change of ``left_px`` between frames to within a few hundredths
        of a pixel). Columns beyond the panorama are mirrored back into it.
    width_px
        Frame width, pixels.

    Returns
    -------
    numpy.ndarray
        ``H×width_px×3`` float32 RGB, a new array.
    """
    base = math.floor(left_px)
    frac = left_px - base
    if frac == 0.0:
        columns = _reflect_columns(base + np.arange(width_px), panorama.shape[1])
        return np.ascontiguousarray(panorama[:, columns])
    reach = _KERNEL_REACH
    columns = _reflect_columns(base - reach + np.arange(width_px + 2 * reach), panorama.shape[1])
    strip = np.ascontiguousarray(panorama[:, columns])
    shift = np.array([[1.0, 0.0, -(reach + frac)], [0.0, 1.0, 0.0]], dtype=np.float64)
    out = cv2.warpAffine(
        strip,
        shift,
        (width_px, panorama.shape[0]),
        flags=cv2.INTER_LANCZOS4,
        borderMode=cv2.BORDER_REFLECT,
    )
    return np.asarray(np.clip(out, 0.0, 1.0), dtype=np.float32)


def draw_belt(
    canvas: Image,
    camera: Camera,
    pelvis_x_px: float,
    belt_offset_m: float,
    *,
    color: tuple[float, float, float] = (0.12, 0.12, 0.13),
    mark_color: tuple[float, float, float] = (0.22, 0.22, 0.23),
    period_m: float = _BELT_PERIOD_M,
) -> None:
    """Draw the treadmill belt with markings shifted backwards by the offset.

    Parameters
    ----------
    canvas
        Frame being drawn (float32 RGB), modified in place.
    camera
        The camera.
    pelvis_x_px
        Pelvis column (places the deck).
    belt_offset_m
        How far the belt has moved backwards since the start, metres.
    color, mark_color
        Belt and marking colours, RGB 0–1.
    period_m
        Spacing of the markings, metres.
    """
    s, f = camera.scale_px_per_m, camera.facing
    deck = compute_treadmill_geometry(camera, pelvis_x_px)
    x0, x1 = sorted((deck["rear"], deck["front"]))
    top, bottom = deck["belt_top"], deck["belt_bottom"]
    paint_polygon(canvas, [(x0, top), (x1, top), (x1, bottom), (x0, bottom)], color)
    phase = (belt_offset_m % period_m) * s
    start = deck["rear"] - f * phase
    for k in range(int((x1 - x0) / (period_m * s)) + 2):
        x = start + f * k * period_m * s
        lo, hi = sorted((x, x + f * 0.04 * s))
        lo, hi = max(lo, x0), min(hi, x1)
        if hi > lo:
            paint_polygon(canvas, [(lo, top), (hi, top), (hi, bottom), (lo, bottom)], mark_color)


def draw_shadows(canvas: Image, camera: Camera, feet_px: FloatArray, pelvis_x_px: float) -> None:
    """Soft contact shadows under the body and under each low foot.

    Parameters
    ----------
    canvas
        Frame (float32 RGB), modified in place.
    camera
        The camera.
    feet_px
        Shape ``(F, 2)``: foot points (e.g. ankles), pixels.
    pelvis_x_px
        Pelvis column.
    """
    s = camera.scale_px_per_m
    ground = camera.ground_y_px
    paint_shadow(canvas, (pelvis_x_px, ground + 0.01 * s), (0.30 * s, 0.025 * s), 0.25)
    for x, y in np.asarray(feet_px, dtype=float):
        height = max(ground - y, 0.0) / s
        strength = 0.35 * float(np.exp(-height / 0.15))
        paint_shadow(canvas, (x, ground + 0.005 * s), (0.12 * s, 0.012 * s), strength)
