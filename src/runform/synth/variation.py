"""Varied synthetic footage from a seed, with a tune / held-out split.

:func:`sample_varied_params` draws a complete :class:`RunnerParams` from a
seed: the running (cadence, duty factor, speed, foot strike, overstride,
knee flexion, trunk lean, pull, arms, oscillation), how the foot comes down
(steep or hovering), body proportions, clothing, skin, shoes, ground and
belt, light, camera height, tilt, distance and lens, motion blur, encoder
quality, resolution (360p to 4K) and frame rate (24 to 240 fps). Every
numeric value lies in :data:`VARIATION_RANGES`; the same seed always gives
the same parameters (and so the same frames and truth).

Seeds are split so that detectors can be tuned without fitting the report:
tuning may only look at :data:`TUNE_SEEDS`; accuracy is reported on
:data:`HELDOUT_SEEDS` (``benchmarks/varied_gait_accuracy.py --split``).

Render cost is bounded: ``width * height * fps * duration`` stays under
:data:`MAX_PIXEL_RATE` (a 4 s 1080p 60 fps clip). A clip lasts 4 s, or 5
strides when that is longer, unless the budget shortens it (4K, high frame
rates), never below 2 s; an overground clip (static camera) lasts while the
runner crosses the frame (at least 2 s: the runner is made smaller if need
be), cut at the budget.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, TypeVar

import numpy as np

from runform.synth.appearance import HAIR_COLORS, SKIN_TONES
from runform.synth.gait import plan_gait
from runform.synth.kinematics import plan_camera
from runform.synth.params import RunnerParams, Setting
from runform.synth.style import FootageStyle

__all__ = [
    "FRAME_RATES",
    "HELDOUT_SEEDS",
    "MAX_PIXEL_RATE",
    "RESOLUTIONS",
    "TUNE_SEEDS",
    "VARIATION_RANGES",
    "sample_varied_params",
]

#: Seeds that tuning (thresholds, filters, detector choices) may look at.
TUNE_SEEDS = range(0, 100)
#: Seeds reserved for reporting accuracy; never tune on them.
HELDOUT_SEEDS = range(1000, 1100)

#: Largest ``width * height * fps * duration`` of a clip, pixels.
MAX_PIXEL_RATE = 4.0 * 1920 * 1080 * 60
#: Shortest clip, seconds; preferred length, seconds and strides.
MIN_DURATION_S = 2.0
PREFERRED_DURATION_S = 4.0
PREFERRED_STRIDES = 5.0

#: Frame sizes (width, height): landscape 360p to 4K, and two portrait sizes
#: (treadmill and tracking shots only).
RESOLUTIONS: tuple[tuple[int, int], ...] = (
    (640, 360),
    (854, 480),
    (1280, 720),
    (1920, 1080),
    (2560, 1440),
    (3840, 2160),
    (720, 1280),
    (1080, 1920),
)
#: Frame rates, frames per second.
FRAME_RATES: tuple[Fraction, ...] = (
    Fraction(24),
    Fraction(25),
    Fraction(30000, 1001),
    Fraction(30),
    Fraction(50),
    Fraction(60),
    Fraction(120),
    Fraction(240),
)
_FRAME_RATE_WEIGHTS = (0.06, 0.06, 0.12, 0.16, 0.10, 0.26, 0.14, 0.10)
_SETTINGS: tuple[Setting, ...] = ("overground", "treadmill", "tracking")
_SETTING_WEIGHTS = (0.4, 0.3, 0.3)

#: Inclusive ranges of every drawn number (RunnerParams and FootageStyle
#: fields), in the fields' units.
VARIATION_RANGES: dict[str, tuple[float, float]] = {
    "cadence_spm": (150.0, 200.0),
    "duty_factor": (0.24, 0.40),
    "speed_mps": (2.2, 5.0),
    "overstride_cm": (0.0, 40.0),
    "knee_flexion_at_contact_deg": (8.0, 35.0),
    "trunk_lean_deg": (0.0, 12.0),
    "waist_bend_deg": (3.0, 12.0),
    "vertical_oscillation_cm": (5.0, 11.0),
    "pull_height_frac": (0.25, 0.55),
    "pull_behind_hip_cm": (3.0, 25.0),
    "arm_swing_deg": (35.0, 80.0),
    "elbow_flexion_deg": (70.0, 110.0),
    "body_height_cm": (155.0, 195.0),
    "first_contact_phase": (0.0, 1.0),
    "pan_jitter_frac": (0.0, 0.04),
    "approach_hover_ms": (0.0, 100.0),
    "approach_hover_cm": (0.5, 2.5),
    "thigh_scale": (0.94, 1.06),
    "shank_scale": (0.94, 1.06),
    "trunk_scale": (0.95, 1.05),
    "arm_scale": (0.94, 1.06),
    "foot_scale": (0.90, 1.10),
    "figure_height_frac": (0.15, 0.80),
    "duration_s": (MIN_DURATION_S, 6.0),
    "sole_thickness_frac": (0.008, 0.024),
    "shoe_upper_scale": (0.75, 1.30),
    "ground_texture": (0.02, 0.16),
    "texture_scale": (0.5, 2.5),
    "belt_period_m": (0.15, 0.60),
    "camera_height_frac": (-0.08, 0.08),
    "roll_deg": (-2.0, 2.0),
    "pitch_deg": (-4.0, 4.0),
    "fov_deg": (40.0, 75.0),
    "lens_k1": (-0.10, 0.0),
    "brightness": (-0.12, 0.10),
    "contrast": (0.75, 1.15),
    "color_cast": (0.92, 1.08),
    "shutter_frac": (0.0, 0.5),
    "blur_samples": (1, 4),
    "crf": (18, 30),
}

#: Foot angle at contact per strike, degrees, and the overstride, cm.
_STRIKES = {
    "heel": ((5.0, 25.0), (15.0, 40.0)),
    "midfoot": ((-3.0, 3.0), (5.0, 25.0)),
    "forefoot": ((-15.0, -4.0), (5.0, 25.0)),
}
_STRIKE_WEIGHTS = (0.45, 0.30, 0.25)
#: Attempts at a geometrically possible gait before giving up.
_MAX_ATTEMPTS = 200

T = TypeVar("T")


def _uniform(rng: np.random.Generator, name: str) -> float:
    low, high = VARIATION_RANGES[name]
    return float(rng.uniform(low, high))


def _choice(
    rng: np.random.Generator, options: Sequence[T], weights: Sequence[float] | None = None
) -> T:
    p = None if weights is None else np.asarray(weights, dtype=float) / float(np.sum(weights))
    return options[int(rng.choice(len(options), p=p))]


def _hsv(
    rng: np.random.Generator, sat: tuple[float, float], val: tuple[float, float]
) -> tuple[float, float, float]:
    r, g, b = colorsys.hsv_to_rgb(
        float(rng.uniform(0, 1)), float(rng.uniform(*sat)), float(rng.uniform(*val))
    )
    return (r, g, b)


def _jitter(
    rng: np.random.Generator, color: Sequence[float], amount: float
) -> tuple[float, float, float]:
    c = np.clip(np.asarray(color, dtype=float) + rng.uniform(-amount, amount, 3), 0.0, 1.0)
    return (float(c[0]), float(c[1]), float(c[2]))


def _running(rng: np.random.Generator, setting: Setting) -> dict[str, Any]:
    """Technique, body and foot approach (no footage fields)."""
    strike = _choice(rng, ("heel", "midfoot", "forefoot"), _STRIKE_WEIGHTS)
    angle, overstride = _STRIKES[strike]
    out: dict[str, Any] = {
        "setting": setting,
        "direction": _choice(rng, ("right", "left")),
        "cadence_spm": _uniform(rng, "cadence_spm"),
        "duty_factor": _uniform(rng, "duty_factor"),
        "speed_mps": _uniform(rng, "speed_mps"),
        "foot_strike": strike,
        "foot_angle_at_contact_deg": float(rng.uniform(*angle)),
        "overstride_cm": float(rng.uniform(*overstride)),
        "knee_flexion_at_contact_deg": _uniform(rng, "knee_flexion_at_contact_deg"),
        "vertical_oscillation_cm": _uniform(rng, "vertical_oscillation_cm"),
        "pull_height_frac": _uniform(rng, "pull_height_frac"),
        "pull_behind_hip_cm": _uniform(rng, "pull_behind_hip_cm"),
        "arm_swing_deg": _uniform(rng, "arm_swing_deg"),
        "elbow_flexion_deg": _uniform(rng, "elbow_flexion_deg"),
        "body_height_cm": _uniform(rng, "body_height_cm"),
        "first_contact_phase": float(rng.uniform(0.0, 1.0)),
        "trunk_lean_deg": None,
        "waist_bend_deg": None,
    }
    if rng.uniform() < 0.2:
        out["waist_bend_deg"] = _uniform(rng, "waist_bend_deg")
    else:
        out["trunk_lean_deg"] = _uniform(rng, "trunk_lean_deg")
    hover = rng.uniform() < 0.5
    out["approach_hover_ms"] = float(rng.uniform(50.0, 100.0)) if hover else 0.0
    out["approach_hover_cm"] = _uniform(rng, "approach_hover_cm")
    for name in ("thigh_scale", "shank_scale", "trunk_scale", "arm_scale", "foot_scale"):
        out[name] = _uniform(rng, name)
    if setting == "tracking":
        out["pan_jitter_frac"] = _uniform(rng, "pan_jitter_frac")
    return out


def _looks(rng: np.random.Generator, setting: Setting) -> dict[str, Any]:
    """Colours, shoes, ground and belt (FootageStyle fields)."""
    tone = float(rng.uniform(0, len(SKIN_TONES) - 1))
    i = min(int(tone), len(SKIN_TONES) - 2)
    skin = tuple(
        float(a + (b - a) * (tone - i))
        for a, b in zip(SKIN_TONES[i], SKIN_TONES[i + 1], strict=True)
    )
    shoe = _hsv(rng, (0.0, 0.95), (0.15, 0.95))
    soles = ((0.92, 0.92, 0.90), (0.55, 0.55, 0.55), (0.12, 0.12, 0.12), (0.62, 0.45, 0.25))
    socks = ((0.93, 0.93, 0.92), (0.10, 0.10, 0.11), (0.55, 0.55, 0.57))
    sock_pick = rng.uniform()
    sock = (
        skin
        if sock_pick < 0.2
        else _choice(rng, socks)
        if sock_pick < 0.8
        else _hsv(rng, (0.3, 0.9), (0.3, 0.9))
    )
    out: dict[str, Any] = {
        "skin": skin,
        "hair": _jitter(rng, _choice(rng, HAIR_COLORS), 0.03),
        "shirt": _hsv(rng, (0.05, 0.9), (0.2, 0.95)),
        "shorts": _hsv(rng, (0.0, 0.7), (0.08, 0.6)),
        "shoe": shoe,
        "sole": _choice(rng, soles) if rng.uniform() < 0.8 else shoe,
        "sock": sock,
        "sole_thickness_frac": _uniform(rng, "sole_thickness_frac"),
        "shoe_upper_scale": _uniform(rng, "shoe_upper_scale"),
        "ground_texture": _uniform(rng, "ground_texture"),
        "texture_scale": _uniform(rng, "texture_scale"),
    }
    if setting == "treadmill":
        belt_v = float(rng.uniform(0.05, 0.30))
        belt = _jitter(rng, (belt_v, belt_v, belt_v), 0.03)
        mark = float(rng.uniform(0.05, 0.20))
        out |= {
            "belt": belt,
            "belt_mark": tuple(min(c + mark, 1.0) for c in belt),
            "belt_period_m": _uniform(rng, "belt_period_m"),
            "wall": _hsv(rng, (0.0, 0.3), (0.55, 0.95)),
            "ground": _hsv(rng, (0.0, 0.6), (0.2, 0.7)),
        }
    else:
        kind = _choice(rng, ("track", "road", "park"))
        grounds = {
            "track": ((0.64, 0.30, 0.22), (0.25, 0.38, 0.60), (0.30, 0.50, 0.32)),
            "road": ((0.42, 0.42, 0.43), (0.30, 0.30, 0.31), (0.58, 0.57, 0.55)),
            "park": ((0.36, 0.55, 0.25), (0.45, 0.50, 0.22), (0.50, 0.40, 0.28)),
        }
        out |= {"background": kind, "ground": _jitter(rng, _choice(rng, grounds[kind]), 0.06)}
    return out


def _camera_and_light(rng: np.random.Generator) -> dict[str, Any]:
    """Camera height, tilt, lens, light and encoder (FootageStyle fields)."""
    out: dict[str, Any] = {
        "brightness": _uniform(rng, "brightness"),
        "contrast": _uniform(rng, "contrast"),
        "color_cast": tuple(float(rng.uniform(*VARIATION_RANGES["color_cast"])) for _ in range(3)),
        "crf": int(rng.integers(18, 31)),
    }
    if rng.uniform() < 0.6:
        out["camera_height_frac"] = _uniform(rng, "camera_height_frac")
    if rng.uniform() < 0.5:
        out |= {
            "roll_deg": _uniform(rng, "roll_deg"),
            "pitch_deg": _uniform(rng, "pitch_deg"),
            "fov_deg": _uniform(rng, "fov_deg"),
        }
    if rng.uniform() < 0.5:
        out["lens_k1"] = float(rng.uniform(-0.10, -0.01))
    return out


def _frame(rng: np.random.Generator, setting: Setting, stride_s: float) -> dict[str, Any]:
    """Frame size, frame rate and a first duration within the pixel budget."""
    landscape = RESOLUTIONS[:6]
    sizes = landscape if setting == "overground" else RESOLUTIONS
    weights = (0.08, 0.10, 0.25, 0.30, 0.10, 0.07, 0.05, 0.05)[: len(sizes)]
    width, height = _choice(rng, sizes, weights)
    weights_fps = np.asarray(_FRAME_RATE_WEIGHTS) / sum(_FRAME_RATE_WEIGHTS)
    index = int(rng.choice(len(FRAME_RATES), p=weights_fps))
    want = max(PREFERRED_DURATION_S, PREFERRED_STRIDES * stride_s)
    while True:
        fps = FRAME_RATES[index]
        allowed = MAX_PIXEL_RATE / (width * height * float(fps))
        if allowed >= MIN_DURATION_S or index == 0:
            break
        index -= 1
    return {
        "width_px": width,
        "height_px": height,
        "fps": fps,
        "duration_s": round(min(want, allowed), 3),
    }


def _fit_overground(params: RunnerParams) -> RunnerParams:
    """Overground: the crossing time as duration (≥ 2 s, within the budget)."""
    allowed = MAX_PIXEL_RATE / (params.width_px * params.height_px * float(params.frame_rate))
    frac = params.figure_height_frac
    plan = plan_gait(params)
    while True:
        trial = params.with_overrides(figure_height_frac=frac, duration_s=None)
        _, crossing = plan_camera(trial, plan)
        if crossing >= MIN_DURATION_S or frac <= VARIATION_RANGES["figure_height_frac"][0] + 1e-9:
            break
        frac = max(round(frac * 0.9, 4), VARIATION_RANGES["figure_height_frac"][0])
    longest = VARIATION_RANGES["duration_s"][1]
    duration = round(min(max(crossing, MIN_DURATION_S), allowed, longest), 3)
    return params.with_overrides(figure_height_frac=frac, duration_s=duration)


def _blur(rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
    """Shutter and sub-frame count; none when the blur would be under 1.5 px."""
    if rng.uniform() < 0.4:
        return {}
    shutter = float(rng.uniform(0.1, 0.5))
    scale = params["figure_height_frac"] * params["height_px"] / (params["body_height_cm"] / 100.0)
    blur_px = 2.0 * params["speed_mps"] * scale * shutter / float(params["fps"])
    if blur_px < 1.5:
        return {}
    samples = int(np.clip(math.ceil(blur_px / 4.0), 2, VARIATION_RANGES["blur_samples"][1]))
    return {"shutter_frac": shutter, "blur_samples": samples}


def sample_varied_params(seed: int, *, setting: str | None = None) -> RunnerParams:
    """Draw a complete, valid set of runner parameters from a seed.

    Parameters
    ----------
    seed
        Any non-negative int; see :data:`TUNE_SEEDS` and
        :data:`HELDOUT_SEEDS`. Also the rendering seed of the clip.
    setting
        Force ``"overground"``, ``"treadmill"`` or ``"tracking"``; ``None``
        draws it (40 / 30 / 30 %).

    Returns
    -------
    RunnerParams
        Reproducible: the same seed (and setting) always gives equal
        parameters. Numbers lie in :data:`VARIATION_RANGES`, frame sizes in
        :data:`RESOLUTIONS`, frame rates in :data:`FRAME_RATES`; the pixel
        rate stays under :data:`MAX_PIXEL_RATE`.

    Raises
    ------
    ValueError
        If ``setting`` is not one of the three, or ``seed`` is negative.
    """
    if setting is not None and setting not in _SETTINGS:
        raise ValueError(f"setting must be one of {_SETTINGS} or None, got {setting!r}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    rng = np.random.default_rng([seed, 20240917])
    chosen = _choice(rng, _SETTINGS, _SETTING_WEIGHTS) if setting is None else setting
    for _ in range(_MAX_ATTEMPTS):
        running = _running(rng, chosen)
        try:
            base = RunnerParams(**running, width_px=320, height_px=180, seed=seed)
        except ValueError:
            continue
        break
    else:  # pragma: no cover - the ranges make this practically impossible
        raise RuntimeError(f"no feasible gait found for seed {seed}")
    frame = _frame(rng, chosen, base.stride_time_s)
    low, high = (0.35, 0.6) if chosen == "overground" else (0.45, 0.8)
    if frame["height_px"] > frame["width_px"]:
        high = 0.7
    frame["figure_height_frac"] = float(rng.uniform(low, high))
    style = _looks(rng, chosen) | _camera_and_light(rng)
    style |= _blur(rng, {**running, **frame})
    params = base.with_overrides(**frame, style=FootageStyle(**style))
    if chosen == "overground":
        params = _fit_overground(params)
    return params
