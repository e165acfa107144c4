"""Colours of the synthetic runner and its surroundings, chosen by seed.

The rendering seed varies skin tone, hair, clothing, shoes and background so
that "same preset, different seed" clips differ in looks but not in motion.
Colours are RGB triples in 0–1.
"""

from __future__ import annotations

import colorsys
import dataclasses
from dataclasses import dataclass

import numpy as np

from runform.synth.style import FootageStyle

__all__ = ["Appearance", "choose_appearance"]

Color = tuple[float, float, float]

#: Skin tones from light to dark (sRGB 0–1).
SKIN_TONES: tuple[Color, ...] = (
    (0.96, 0.80, 0.69),
    (0.91, 0.72, 0.59),
    (0.82, 0.62, 0.47),
    (0.68, 0.48, 0.34),
    (0.53, 0.36, 0.25),
    (0.40, 0.27, 0.19),
)
HAIR_COLORS: tuple[Color, ...] = (
    (0.07, 0.05, 0.04),
    (0.20, 0.13, 0.08),
    (0.36, 0.24, 0.14),
    (0.62, 0.47, 0.27),
)
SHORTS_COLORS: tuple[Color, ...] = (
    (0.08, 0.08, 0.10),
    (0.10, 0.14, 0.32),
    (0.30, 0.31, 0.34),
    (0.35, 0.08, 0.10),
)
SOCK_COLORS: tuple[Color, ...] = ((0.93, 0.93, 0.92), (0.10, 0.10, 0.11))


@dataclass(frozen=True)
class Appearance:
    """Colours for one clip (RGB, 0–1).

    Attributes
    ----------
    skin, hair, shirt, shorts, shoe, sole, sock
        Body and clothing colours.
    background
        Name of the background style: ``"track"``, ``"road"`` or ``"park"``
        overground (static camera or tracking shot), ``"gym"`` on a treadmill.
    tint
        A small colour cast for the background.
    far_side_shade
        Brightness factor for the limbs on the far side of the body.
    sole_thickness_frac
        Drawn sole height above the bottom of the shoe, fraction of body
        height.
    shoe_upper_scale
        Height of the shoe's upper relative to the default shape.
    ground
        Ground (or gym floor) colour; ``None``: the background style's own.
    ground_texture
        Strength of the ground texture; ``None``: the background style's own.
    texture_scale
        Grain size of the ground texture relative to the default.
    belt, belt_mark
        Treadmill belt and marking colours.
    belt_period_m
        Spacing of the belt markings, metres.
    wall
        Gym wall colour (top of its gradient); ``None``: the default.
    """

    skin: Color
    hair: Color
    shirt: Color
    shorts: Color
    shoe: Color
    sole: Color
    sock: Color
    background: str
    tint: Color
    far_side_shade: float = 0.62
    sole_thickness_frac: float = 0.014
    shoe_upper_scale: float = 1.0
    ground: Color | None = None
    ground_texture: float | None = None
    texture_scale: float = 1.0
    belt: Color = (0.12, 0.12, 0.13)
    belt_mark: Color = (0.22, 0.22, 0.23)
    belt_period_m: float = 0.30
    wall: Color | None = None


def _random_color(
    rng: np.random.Generator, sat: tuple[float, float], val: tuple[float, float]
) -> Color:
    """Return a random colour with saturation and value in the given ranges."""
    r, g, b = colorsys.hsv_to_rgb(
        float(rng.uniform(0, 1)), float(rng.uniform(*sat)), float(rng.uniform(*val))
    )
    return (r, g, b)


def choose_appearance(seed: int, setting: str, style: FootageStyle | None = None) -> Appearance:
    """Pick the colours for a clip.

    Parameters
    ----------
    seed
        Rendering seed (non-negative int).
    setting
        ``"overground"``, ``"tracking"`` (same looks as overground) or
        ``"treadmill"``.
    style
        Overrides of the seed's choices (its non-``None`` colour, shoe and
        ground fields, and the overground background style).

    Returns
    -------
    Appearance
        Deterministic for a given seed, setting and style.
    """
    look = _seeded_appearance(seed, setting)
    if style is None:
        return look
    changes = style.appearance_overrides()
    if style.background is not None and setting != "treadmill":
        changes["background"] = style.background
    return dataclasses.replace(look, **changes) if changes else look


def _seeded_appearance(seed: int, setting: str) -> Appearance:
    """Return the seed's colours (see :func:`choose_appearance`)."""
    rng = np.random.default_rng(seed)
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    background = "gym" if setting == "treadmill" else pick(("track", "road", "park"))
    tint = tuple(float(c) for c in 1.0 + rng.uniform(-0.06, 0.06, 3))
    return Appearance(
        skin=pick(SKIN_TONES),
        hair=pick(HAIR_COLORS),
        shirt=_random_color(rng, (0.45, 0.85), (0.45, 0.90)),
        shorts=pick(SHORTS_COLORS),
        shoe=_random_color(rng, (0.3, 0.9), (0.5, 0.95)),
        sole=(0.92, 0.92, 0.90),
        sock=pick(SOCK_COLORS),
        background=background,
        tint=(tint[0], tint[1], tint[2]),
    )
