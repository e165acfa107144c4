"""Draw a shaded, clothed human figure in profile from its 33 keypoints.

The figure is built around the keypoints so that the drawn joint *centres*
coincide with them: each limb is a tapered capsule whose axis runs from one
keypoint to the next, the shoe is placed by the ankle, heel and foot-index
keypoints, the head by the ear and nose. Shapes that are not limbs (torso,
head profile, hair, shoe) are defined in a local body frame in metres
(``x`` forward, ``y`` up, scaled by body height) and mapped to pixels.

Draw order, back to front: far arm, far leg, torso, neck, head, near leg,
near arm. Far-side parts are darker.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from runform.skeleton import KEYPOINT_INDEX
from runform.synth.appearance import Appearance
from runform.synth.body import BodyDimensions
from runform.synth.paint import (
    Image,
    Limb,
    darken,
    paint_ellipse,
    paint_limb,
    paint_polygon,
    paint_polyline,
    smooth_closed_curve,
)

__all__ = ["View", "draw_runner"]

FloatArray = NDArray[np.float64]

#: Torso outline in the trunk frame: (fraction of hip→shoulder length,
#: forward offset in body heights), front from bottom to top then back from
#: top to bottom.
_TORSO = (
    (-0.16, 0.034), (-0.02, 0.052), (0.17, 0.052), (0.35, 0.052), (0.55, 0.058),
    (0.75, 0.066), (0.92, 0.058), (1.04, 0.032), (1.07, -0.005), (1.05, -0.032),
    (0.95, -0.056), (0.75, -0.058), (0.55, -0.050), (0.35, -0.048), (0.17, -0.064),
    (0.03, -0.078), (-0.12, -0.068), (-0.19, -0.036),
)  # fmt: skip
#: Shirt outline (same frame), hanging loosely over the shorts.
_SHIRT = (
    (0.30, 0.058), (0.55, 0.062), (0.75, 0.069), (0.92, 0.061), (1.04, 0.035),
    (1.08, -0.005), (1.06, -0.035), (0.95, -0.059), (0.75, -0.061),
    (0.55, -0.053), (0.30, -0.052),
)  # fmt: skip
#: Head profile around the head centre, body heights (face toward +x).
_HEAD = (
    (0.030, 0.066), (-0.010, 0.070), (-0.045, 0.055), (-0.062, 0.020),
    (-0.058, -0.012), (-0.042, -0.042), (-0.018, -0.055), (0.018, -0.069),
    (0.040, -0.073), (0.051, -0.063), (0.053, -0.050), (0.057, -0.041),
    (0.056, -0.031), (0.061, -0.023), (0.073, -0.013), (0.063, 0.004),
    (0.059, 0.013), (0.064, 0.025), (0.059, 0.048),
)  # fmt: skip
_HAIR = (
    (0.062, 0.040), (0.042, 0.068), (-0.010, 0.078), (-0.052, 0.062),
    (-0.070, 0.020), (-0.066, -0.016), (-0.050, -0.038), (-0.036, -0.022),
    (-0.024, 0.012), (0.000, 0.032), (0.030, 0.042), (0.056, 0.040),
)  # fmt: skip


@dataclass(frozen=True)
class View:
    """How local body-frame metres map to image pixels.

    Attributes
    ----------
    scale_px_per_m
        Pixels per metre.
    facing
        +1 when the runner faces right on screen, -1 when left.
    """

    scale_px_per_m: float
    facing: int

    def to_local(self, vec_px: ArrayLike) -> FloatArray:
        """Pixel offsets → body-frame metres (forward, up)."""
        v = np.asarray(vec_px, dtype=float)
        return np.stack([self.facing * v[..., 0], -v[..., 1]], -1) / self.scale_px_per_m

    def to_px(self, origin_px: ArrayLike, local_m: ArrayLike) -> FloatArray:
        """Body-frame metres (forward, up) from ``origin_px`` → pixels."""
        v = np.asarray(local_m, dtype=float) * self.scale_px_per_m
        return np.asarray(origin_px, dtype=float) + np.stack(
            [self.facing * v[..., 0], -v[..., 1]], -1
        )

    def angle(self, vec_px: ArrayLike) -> float:
        """Body-frame angle (radians, counter-clockwise from forward)."""
        v = self.to_local(vec_px)
        return math.atan2(float(v[1]), float(v[0]))


def _rot(points: ArrayLike, angle: float) -> FloatArray:
    """Rotate local points counter-clockwise by ``angle`` radians."""
    p = np.asarray(points, dtype=float)
    c, s = math.cos(angle), math.sin(angle)
    return np.stack([p[..., 0] * c - p[..., 1] * s, p[..., 0] * s + p[..., 1] * c], -1)


def _pt(p: FloatArray) -> tuple[float, float]:
    """Return a point as a plain tuple."""
    return float(p[0]), float(p[1])


def _banded(
    colors: tuple[ArrayLike, ...], edges: tuple[float, ...], soft: float
) -> Callable[[FloatArray], FloatArray]:
    """Colour function of the axial position: bands split at ``edges``."""
    cols = [np.asarray(c, dtype=float) for c in colors]

    def color(u: FloatArray) -> FloatArray:
        out = np.broadcast_to(cols[0], (*u.shape, 3)).copy()
        for edge, col in zip(edges, cols[1:], strict=True):
            w = np.clip((u - edge) / soft + 0.5, 0.0, 1.0)[..., None]
            out = out * (1.0 - w) + col * w
        return out

    return color


@dataclass(frozen=True)
class _Style:
    """Per-side colours and sizes in pixels."""

    skin: FloatArray
    shirt: FloatArray
    shorts: FloatArray
    sock: FloatArray
    shoe: FloatArray
    sole: FloatArray
    unit: float  # pixels per body height
    sole_frac: float = 0.014  # drawn sole height, body heights
    upper_scale: float = 1.0  # height of the shoe upper, relative


def _style(look: Appearance, unit: float, shade: float) -> _Style:
    """Colours darkened by ``shade`` and the pixel size of one body height."""
    return _Style(
        skin=darken(look.skin, shade),
        shirt=darken(look.shirt, shade),
        shorts=darken(look.shorts, shade),
        sock=darken(look.sock, shade),
        shoe=darken(look.shoe, shade),
        sole=darken(look.sole, shade),
        unit=unit,
        sole_frac=look.sole_thickness_frac,
        upper_scale=look.shoe_upper_scale,
    )


def _draw_arm(canvas: Image, kp: FloatArray, side: str, style: _Style) -> None:
    """Upper arm with sleeve, forearm and fist of one side."""
    k, u = KEYPOINT_INDEX, style.unit
    shoulder, elbow, wrist = (kp[k[f"{side}_{n}"]] for n in ("shoulder", "elbow", "wrist"))
    index, pinky, thumb = (kp[k[f"{side}_{n}"]] for n in ("index", "pinky", "thumb"))
    knuckles = 0.5 * (index + pinky)
    fist_end = wrist + 1.15 * (knuckles - wrist)
    fore = Limb(_pt(elbow), _pt(wrist), 0.019 * u, 0.0135 * u, 0.004 * u, 0.3)
    paint_limb(canvas, fore, style.skin)
    paint_limb(canvas, Limb(_pt(wrist), _pt(fist_end), 0.015 * u, 0.019 * u), style.skin)
    thumb_start = wrist + 0.3 * (knuckles - wrist)
    paint_limb(canvas, Limb(_pt(thumb_start), _pt(thumb), 0.008 * u, 0.007 * u), style.skin)
    upper = Limb(_pt(shoulder), _pt(elbow), 0.026 * u, 0.019 * u, 0.004 * u, 0.35)
    sleeve = _banded((style.shirt, style.skin), (0.45,), 0.04)
    paint_limb(canvas, upper, sleeve)


def _shoe_outline(body: BodyDimensions, upper_scale: float = 1.0) -> tuple[FloatArray, FloatArray]:
    """Shoe outline: rear part (foot frame at the ankle), toe part (at ball).

    ``upper_scale`` stretches the height of the upper above the sole line
    (the toe box by half as much); the bottom of the shoe does not move.
    """
    h = body.height_m / 1.75
    a, hb, bf = body.ankle_height_m, body.heel_back_m, body.ball_forward_m
    tl = body.toe_length_m
    rear = np.array([
        (bf, -a), (-hb + 0.004 * h, -a), (-hb - 0.010 * h, -a + 0.012 * h),
        (-hb - 0.014 * h, -a + 0.038 * h), (-hb - 0.002 * h, -a + 0.060 * h),
        (-0.030 * h, -0.016 * h), (0.020 * h, -0.018 * h), (0.050 * h, -0.020 * h),
        (0.090 * h, -0.028 * h), (bf, -a + 0.056 * h),
    ])  # fmt: skip
    toe = np.array([
        (0.0, 0.056 * h), (0.035 * h, 0.048 * h), (tl - 0.004 * h, 0.034 * h),
        (tl + 0.014 * h, 0.015 * h), (tl + 0.010 * h, 0.002 * h), (tl - 0.004 * h, 0.0),
        (0.0, 0.0),
    ])  # fmt: skip
    if upper_scale != 1.0:
        rear[2:, 1] = -a + (rear[2:, 1] + a) * upper_scale
        toe[:3, 1] *= 1.0 + 0.5 * (upper_scale - 1.0)
    return rear, toe


def _foot_frame(
    kp: FloatArray, side: str, body: BodyDimensions, view: View
) -> tuple[float, FloatArray, float]:
    """Foot angle (radians), ball position (pixels) and toe angle (radians)."""
    k = KEYPOINT_INDEX
    ankle, heel, toe = (kp[k[f"{side}_{n}"]] for n in ("ankle", "heel", "foot_index"))
    a = body.ankle_height_m
    heel_design = (-body.heel_back_m, -a + body.heel_landmark_height_m)
    foot = view.angle(heel - ankle) - math.atan2(heel_design[1], heel_design[0])
    ball = view.to_px(ankle, _rot(np.array([body.ball_forward_m, -a]), foot))
    toe_design = (body.toe_length_m, body.toe_landmark_height_m)
    toe_angle = view.angle(toe - ball) - math.atan2(toe_design[1], toe_design[0])
    return foot, ball, toe_angle


def _draw_shoe(
    canvas: Image, kp: FloatArray, side: str, body: BodyDimensions, view: View, style: _Style
) -> None:
    """Shoe with a light sole, placed by the ankle, heel and toe keypoints."""
    ankle = kp[KEYPOINT_INDEX[f"{side}_ankle"]]
    foot, ball, toe_angle = _foot_frame(kp, side, body, view)
    rear, toe = _shoe_outline(body, style.upper_scale)
    rear_px = view.to_px(ankle, _rot(rear, foot))
    toe_px = view.to_px(ball, _rot(toe, toe_angle))
    outline = np.concatenate([rear_px[1:], toe_px])
    paint_polygon(canvas, outline, style.shoe, depth_px=0.02 * style.unit)
    sole_h = style.sole_frac * body.height_m
    a = body.ankle_height_m
    heel_x = -body.heel_back_m
    h = body.height_m / 1.75
    tl, bf = body.toe_length_m, body.ball_forward_m
    sole_rear = np.array(
        [(heel_x + 0.002 * h, -a), (bf, -a), (bf, -a + sole_h), (heel_x - 0.013 * h, -a + sole_h)]
    )
    sole_toe = np.array(
        [(0.0, 0.0), (tl + 0.006 * h, 0.0), (tl + 0.013 * h, 0.8 * sole_h), (0.0, sole_h)]
    )
    paint_polygon(canvas, view.to_px(ankle, _rot(sole_rear, foot)), style.sole)
    paint_polygon(canvas, view.to_px(ball, _rot(sole_toe, toe_angle)), style.sole)


def _draw_leg(
    canvas: Image, kp: FloatArray, side: str, body: BodyDimensions, view: View, style: _Style
) -> None:
    """Shank with sock, thigh with shorts, and shoe of one side."""
    k, u = KEYPOINT_INDEX, style.unit
    hip, knee, ankle = (kp[k[f"{side}_{n}"]] for n in ("hip", "knee", "ankle"))
    shank = Limb(_pt(knee), _pt(ankle), 0.029 * u, 0.018 * u, 0.011 * u, 0.3)
    paint_limb(canvas, shank, _banded((style.skin, style.sock), (0.84,), 0.03))
    _draw_shoe(canvas, kp, side, body, view, style)
    thigh = Limb(_pt(hip), _pt(knee), 0.052 * u, 0.031 * u, 0.006 * u, 0.35)
    paint_limb(canvas, thigh, _banded((style.shorts, style.skin), (0.40,), 0.03))


def _trunk_frame(kp: FloatArray, view: View) -> tuple[FloatArray, float, float]:
    """Pelvis centre (pixels), trunk angle from forward (rad), length (m)."""
    k = KEYPOINT_INDEX
    pelvis = 0.5 * (kp[k["left_hip"]] + kp[k["right_hip"]])
    shoulders = 0.5 * (kp[k["left_shoulder"]] + kp[k["right_shoulder"]])
    local = view.to_local(shoulders - pelvis)
    return pelvis, math.atan2(float(local[1]), float(local[0])), float(np.hypot(*local))


def _trunk_points(
    outline: tuple[tuple[float, float], ...], length: float, height: float, axis: float
) -> FloatArray:
    """Trunk outline in body-frame metres relative to the pelvis centre."""
    pts = np.array(outline)
    up = np.array([math.cos(axis), math.sin(axis)])
    fwd = np.array([math.sin(axis), -math.cos(axis)])
    return pts[:, :1] * length * up + pts[:, 1:] * height * fwd


def _draw_torso(
    canvas: Image, kp: FloatArray, body: BodyDimensions, view: View, look: Appearance
) -> None:
    """Shorts (pelvis) and shirt (chest) in profile."""
    pelvis, axis, length = _trunk_frame(kp, view)
    h, unit = body.height_m, body.height_m * view.scale_px_per_m
    torso = view.to_px(pelvis, _trunk_points(_TORSO, length, h, axis))
    paint_polygon(canvas, smooth_closed_curve(torso, 2), look.shorts, depth_px=0.05 * unit)
    shirt = view.to_px(pelvis, _trunk_points(_SHIRT, length, h, axis))
    paint_polygon(canvas, smooth_closed_curve(shirt, 2), look.shirt, depth_px=0.05 * unit)


def _head_frame(kp: FloatArray, body: BodyDimensions, view: View) -> tuple[FloatArray, float]:
    """Head centre (pixels) and pitch (radians, face-up positive)."""
    k = KEYPOINT_INDEX
    offsets = body.face_offsets_m()
    ear_px = 0.5 * (kp[k["left_ear"]] + kp[k["right_ear"]])
    design = np.subtract(offsets["nose"], offsets["ear"])
    pitch = view.angle(kp[k["nose"]] - ear_px) - math.atan2(design[1], design[0])
    centre = view.to_px(ear_px, -_rot(np.array(offsets["ear"]), pitch))
    return centre, pitch


def _draw_head(
    canvas: Image, kp: FloatArray, body: BodyDimensions, view: View, look: Appearance
) -> None:
    """Neck, head profile, hair, ear and face details."""
    k, h = KEYPOINT_INDEX, body.height_m
    unit = h * view.scale_px_per_m
    centre, pitch = _head_frame(kp, body, view)
    pelvis, axis, length = _trunk_frame(kp, view)
    neck_base = view.to_px(pelvis, _trunk_points(((0.97, 0.008),), length, h, axis))[0]
    neck_top = view.to_px(centre, _rot(np.array([-0.012 * h, -0.035 * h]), pitch))
    paint_limb(canvas, Limb(_pt(neck_base), _pt(neck_top), 0.031 * unit, 0.028 * unit), look.skin)
    skin = np.asarray(look.skin)
    head = view.to_px(centre, _rot(np.array(_HEAD) * h, pitch))
    paint_polygon(canvas, smooth_closed_curve(head, 2), skin, depth_px=0.035 * unit)
    hair = view.to_px(centre, _rot(np.array(_HAIR) * h, pitch))
    paint_polygon(canvas, smooth_closed_curve(hair, 2), look.hair, depth_px=0.03 * unit)
    tilt = -view.facing * (math.degrees(pitch) + 8.0)
    ear = kp[k["right_ear"]] if view.facing == 1 else kp[k["left_ear"]]
    paint_ellipse(
        canvas, ear, (0.011 * unit, 0.018 * unit), tilt, darken(skin, 0.93), depth_px=0.01 * unit
    )
    paint_ellipse(canvas, ear, (0.005 * unit, 0.010 * unit), tilt, darken(skin, 0.70))
    _draw_face(canvas, kp, centre, pitch, body, view, look)


def _draw_face(
    canvas: Image,
    kp: FloatArray,
    centre: FloatArray,
    pitch: float,
    body: BodyDimensions,
    view: View,
    look: Appearance,
) -> None:
    """Eye, eyebrow, nostril and mouth on the profile."""
    k, h = KEYPOINT_INDEX, body.height_m
    unit = h * view.scale_px_per_m
    eye = kp[k["right_eye"]] if view.facing == 1 else kp[k["left_eye"]]
    tilt = -view.facing * math.degrees(pitch)
    paint_ellipse(canvas, eye, (0.0060 * unit, 0.0034 * unit), tilt, (0.93, 0.92, 0.90))
    iris = view.to_px(eye, _rot(np.array([0.0022 * h, 0.0]), pitch))
    paint_ellipse(canvas, iris, (0.0030 * unit, 0.0032 * unit), 0.0, (0.18, 0.12, 0.08))
    lid = view.to_px(
        eye, _rot(np.array([(-0.006, 0.002), (0.0, 0.0036), (0.006, 0.002)]) * h, pitch)
    )
    paint_polyline(canvas, lid, darken(look.skin, 0.5), 0.0016 * unit)
    brow = view.to_px(
        eye, _rot(np.array([(-0.008, 0.010), (0.000, 0.0125), (0.008, 0.011)]) * h, pitch)
    )
    paint_polyline(canvas, brow, look.hair, 0.0030 * unit)
    nose = kp[k["nose"]]
    nostril = view.to_px(nose, _rot(np.array([-0.007 * h, -0.007 * h]), pitch))
    paint_ellipse(canvas, nostril, (0.0030 * unit, 0.0018 * unit), tilt, darken(look.skin, 0.55))
    mouth = kp[k["mouth_right"]] if view.facing == 1 else kp[k["mouth_left"]]
    lips = view.to_px(mouth, _rot(np.array([(0.0, 0.0), (0.007 * h, 0.001 * h)]), pitch))
    paint_polyline(canvas, lips, (0.45, 0.18, 0.16), 0.0028 * unit)


def draw_runner(
    canvas: Image,
    keypoints_px: ArrayLike,
    body: BodyDimensions,
    view: View,
    look: Appearance,
) -> None:
    """Draw the runner onto ``canvas`` (float32 RGB 0–1, modified in place).

    Parameters
    ----------
    canvas
        Image to draw on.
    keypoints_px
        Shape ``(33, 2)``: keypoint pixels (x right, y down).
    body
        Segment lengths (metres) the keypoints were made with.
    view
        Pixel scale and facing.
    look
        Colours.
    """
    kp = np.asarray(keypoints_px, dtype=float)
    near = "right" if view.facing == 1 else "left"
    far = "left" if near == "right" else "right"
    unit = body.height_m * view.scale_px_per_m
    far_style = _style(look, unit, look.far_side_shade)
    near_style = _style(look, unit, 1.0)
    _draw_arm(canvas, kp, far, far_style)
    _draw_leg(canvas, kp, far, body, view, far_style)
    _draw_torso(canvas, kp, body, view, look)
    _draw_head(canvas, kp, body, view, look)
    _draw_leg(canvas, kp, near, body, view, near_style)
    _draw_arm(canvas, kp, near, near_style)
