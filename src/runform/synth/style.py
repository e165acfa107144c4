"""How a synthetic clip looks, beyond the runner's motion: :class:`FootageStyle`.

A :class:`FootageStyle` overrides the colours the rendering seed would pick,
shapes the shoe, colours and textures the ground and the treadmill belt, and
describes the camera and the footage: its height (where the ground line
sits), a small roll and pitch, barrel lens distortion, the light (brightness,
contrast, colour cast), motion blur (shutter) and the encoder quality. Every
field's default leaves the render exactly as without a style, so
``RunnerParams(style=FootageStyle())`` draws the same bytes as
``RunnerParams()``. :func:`runform.synth.variation.sample_varied_params`
draws styles from a seed.

Colours are RGB triples in 0–1.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["COLOR_FIELDS", "STYLE_RANGES", "FootageStyle"]

Color = tuple[float, float, float]

#: Style fields holding an optional RGB colour (0–1).
COLOR_FIELDS = (
    "skin",
    "hair",
    "shirt",
    "shorts",
    "shoe",
    "sole",
    "sock",
    "ground",
    "belt",
    "belt_mark",
    "wall",
)

#: Inclusive ranges of the numeric style fields (when not ``None``).
STYLE_RANGES: dict[str, tuple[float, float]] = {
    "sole_thickness_frac": (0.005, 0.035),
    "shoe_upper_scale": (0.6, 1.5),
    "ground_texture": (0.0, 0.30),
    "texture_scale": (0.3, 4.0),
    "belt_period_m": (0.05, 2.0),
    "camera_height_frac": (-0.25, 0.25),
    "roll_deg": (-10.0, 10.0),
    "pitch_deg": (-10.0, 10.0),
    "fov_deg": (20.0, 120.0),
    "lens_k1": (-0.25, 0.0),
    "brightness": (-0.4, 0.4),
    "contrast": (0.4, 1.6),
    "shutter_frac": (0.0, 1.0),
    "blur_samples": (1, 16),
    "crf": (0, 51),
}

_BACKGROUNDS = ("track", "road", "park")


@dataclass(frozen=True)
class FootageStyle:
    """Looks, camera and footage of a synthetic clip (defaults: unchanged).

    Parameters
    ----------
    skin, hair, shirt, shorts, shoe, sole, sock
        Body and clothing colours, RGB 0–1; ``None`` keeps the seed's choice.
    sole_thickness_frac
        Height of the drawn sole above the bottom of the shoe, fraction of
        body height (default 0.014, about 2.5 cm). The bottom of the sole
        stays on the kinematic sole line, so contact geometry is unchanged.
    shoe_upper_scale
        Height of the shoe's upper (heel counter and collar) relative to the
        default shape, dimensionless.
    background
        Overground scenery ``"track"``, ``"road"`` or ``"park"``; ``None``
        keeps the seed's choice. Ignored on a treadmill (always a gym).
    ground
        Colour of the ground surface (overground) or the floor (gym).
    ground_texture
        Strength of the ground's brightness texture, relative (default 0.07
        outdoors, 0.08 on a gym floor).
    texture_scale
        Grain size of the ground texture relative to the default,
        dimensionless (larger is coarser).
    belt, belt_mark
        Treadmill belt colour and the colour of its moving markings.
    belt_period_m
        Spacing of the belt markings, metres (default 0.30).
    wall
        Gym wall colour (top of its gradient).
    camera_height_frac
        Camera height, as the shift of the ground line in the frame,
        fraction of the frame height, positive when the camera is higher
        (the ground line moves down in the frame); limited so the runner
        stays in frame. The projection stays orthographic.
    roll_deg, pitch_deg
        Rotation of the camera about its optical axis (roll, clockwise on
        screen positive) and about its horizontal axis (pitch, tilting up
        positive), degrees. Applied to the image as the exact homography
        of a rotating pinhole camera with horizontal field of view
        ``fov_deg``, zoomed just enough that no border is empty.
    fov_deg
        Horizontal field of view of that pinhole camera, degrees.
    lens_k1
        Radial (barrel) distortion coefficient, ≤ 0, at the frame corner:
        ``d = u (1 + k1 r²) / (1 + k1)`` with ``r`` the distance from the
        centre in half-diagonals, so the corners stay put and the centre is
        magnified by ``1 / (1 + k1)``.
    brightness, contrast
        Light: ``out = (in - 0.5) * contrast + 0.5 + brightness`` (0–1
        scale).
    color_cast
        Per-channel gain (R, G, B) applied after brightness and contrast.
    shutter_frac
        Exposure as a fraction of the frame interval (0: instantaneous, no
        motion blur; 0.5: a 180° shutter). The frame time is the middle of
        the exposure.
    blur_samples
        Sub-frame renders averaged over the exposure (1: none).
    crf
        x264 constant rate factor of the written MP4; ``None`` uses the
        writer's default (18).
    """

    skin: Color | None = None
    hair: Color | None = None
    shirt: Color | None = None
    shorts: Color | None = None
    shoe: Color | None = None
    sole: Color | None = None
    sock: Color | None = None
    sole_thickness_frac: float | None = None
    shoe_upper_scale: float | None = None
    background: str | None = None
    ground: Color | None = None
    ground_texture: float | None = None
    texture_scale: float | None = None
    belt: Color | None = None
    belt_mark: Color | None = None
    belt_period_m: float | None = None
    wall: Color | None = None
    camera_height_frac: float = 0.0
    roll_deg: float = 0.0
    pitch_deg: float = 0.0
    fov_deg: float = 60.0
    lens_k1: float = 0.0
    brightness: float = 0.0
    contrast: float = 1.0
    color_cast: Color = (1.0, 1.0, 1.0)
    shutter_frac: float = 0.0
    blur_samples: int = 1
    crf: int | None = None

    def __post_init__(self) -> None:
        for name in (*COLOR_FIELDS, "color_cast"):
            value = getattr(self, name)
            if value is None:
                continue
            rgb = tuple(float(c) for c in value)
            limit = 2.0 if name == "color_cast" else 1.0
            if len(rgb) != 3 or not all(0.0 <= c <= limit for c in rgb):
                raise ValueError(f"{name} must be 3 numbers in [0, {limit}], got {value!r}")
            object.__setattr__(self, name, rgb)
        for name, (low, high) in STYLE_RANGES.items():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not math.isfinite(value) or not low <= value <= high:
                raise ValueError(f"{name} must be in [{low}, {high}], got {value!r}")
        if self.background is not None and self.background not in _BACKGROUNDS:
            raise ValueError(f"background must be one of {_BACKGROUNDS}, got {self.background!r}")
        for name in ("blur_samples", "crf"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, int):
                raise ValueError(f"{name} must be an int, got {value!r}")

    @classmethod
    def from_value(cls, value: FootageStyle | Mapping[str, Any] | None) -> FootageStyle:
        """Return ``value`` as a style (a mapping, e.g. read back from JSON, or ``None``)."""
        if value is None:
            return cls()
        if isinstance(value, FootageStyle):
            return value
        return cls(**dict(value))

    @property
    def has_warp(self) -> bool:
        """Whether the image is rotated or distorted (roll, pitch or lens)."""
        return self.roll_deg != 0.0 or self.pitch_deg != 0.0 or self.lens_k1 != 0.0

    @property
    def has_light(self) -> bool:
        """Whether brightness, contrast or the colour cast differ from neutral."""
        return self.brightness != 0.0 or self.contrast != 1.0 or self.color_cast != (1.0, 1.0, 1.0)

    @property
    def has_blur(self) -> bool:
        """Whether frames average several sub-frame renders."""
        return self.shutter_frac > 0.0 and self.blur_samples > 1

    def appearance_overrides(self) -> dict[str, Any]:
        """Appearance fields this style sets (the non-``None`` ones)."""
        names = (
            "skin", "hair", "shirt", "shorts", "shoe", "sole", "sock",
            "sole_thickness_frac", "shoe_upper_scale", "ground", "ground_texture",
            "texture_scale", "belt", "belt_mark", "belt_period_m", "wall",
        )  # fmt: skip
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as JSON-ready values (colours as lists)."""
        return {
            k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()
        }
