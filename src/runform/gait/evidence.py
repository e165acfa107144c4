"""Evidence for the scene classifiers, measured from the poses and the contacts.

Motion evidence (travel, stance-foot slide, camera pan) for the setting,
activity evidence (contacts, duty factor, foot sweep, flight, bounce) for
running, walking or no gait (:mod:`runform.scene.setting`), and how often the
feet are visible.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.gait.events import Contact, EventSettings
from runform.gait.flight import compute_flight_share, compute_stance_bounce
from runform.gait.prepare import _hip_centre
from runform.gait.signals import compute_foot_height
from runform.gait.strides import Stride
from runform.scene.scale import median_finite
from runform.scene.setting import ActivityEvidence, MotionEvidence
from runform.scene.view import Classified
from runform.skeleton import SIDES

FloatArray = NDArray[np.float64]


def _robust_speed(time: FloatArray, values: FloatArray) -> float:
    ok = np.isfinite(values)
    if ok.sum() < 3:
        return 0.0
    return float(abs(np.polyfit(time[ok], values[ok], 1)[0]))


def _measure_motion(
    position: xr.DataArray, contacts: list[Contact], leg_px: FloatArray, direction: Classified
) -> MotionEvidence:
    time = np.asarray(position["time"], dtype=float)
    hip_x = _hip_centre(position)[:, 0] / leg_px
    complete = [c for c in contacts if np.isfinite(c.contact_s)] or contacts
    slides = [abs(c.stance_velocity) for c in complete if np.isfinite(c.stance_velocity)]
    growth = float(direction.evidence.get("size_growth_per_s", 0.0))
    return MotionEvidence(
        travel_speed=_robust_speed(time, hip_x),
        stance_foot_speed=float(np.median(slides)) if slides else float("nan"),
        size_growth_per_s=growth,
    )


def _camera_speed(camera_motion: xr.DataArray | None, leg_px: FloatArray) -> float:
    """Median horizontal background speed, leg lengths/s (NaN when not measured)."""
    if camera_motion is None:
        return float("nan")
    speed = np.abs(np.asarray(camera_motion.sel(space="x"), dtype=float))
    speed = speed[np.isfinite(speed)]
    leg = median_finite(leg_px)
    if speed.size < 3 or not np.isfinite(leg) or leg <= 0:
        return float("nan")
    return float(np.median(speed)) / leg


def _ankle_ahead(
    position: xr.DataArray, direction: int, leg_px: FloatArray
) -> dict[str, FloatArray]:
    hip = _hip_centre(position)[:, 0]
    out = {}
    for side in SIDES:
        ankle = np.asarray(position.sel(keypoint=f"{side}_ankle", space="x"), dtype=float)
        out[side] = direction * (ankle - hip) / leg_px
    return out


def _leg_motion(
    position: xr.DataArray, ahead: dict[str, FloatArray], view: str, leg_px: FloatArray
) -> float:
    """Spread (5-95 %) of the legs' motion, leg lengths.

    Side views: the ankles' fore-aft travel relative to the hips. Front and
    rear views: the height difference between the two ankles (one foot up in
    swing, the other down).
    """
    if view in ("front", "rear"):
        left = np.asarray(position.sel(keypoint="left_ankle", space="y"), dtype=float)
        right = np.asarray(position.sel(keypoint="right_ankle", space="y"), dtype=float)
        values = (left - right) / leg_px
    else:
        values = np.concatenate([ahead["left"], ahead["right"]])
    values = values[np.isfinite(values)]
    return float(np.percentile(values, 95) - np.percentile(values, 5)) if values.size else 0.0


def _measure_activity(
    position: xr.DataArray,
    leg_px: FloatArray,
    gait: tuple[list[Contact], list[Stride]],
    ahead: dict[str, FloatArray],
    view: str,
    clock: tuple[EventSettings, float],
) -> ActivityEvidence:
    """Activity evidence; foot heights on the clock the contacts were found on."""
    contacts, strides = gait
    events, scale = clock
    time = np.asarray(position["time"], dtype=float)
    canonical = position.assign_coords(time=time / scale)
    heights = [compute_foot_height(canonical, side, leg_px, events) for side in SIDES]
    hip_up = -_hip_centre(position)[:, 1] / median_finite(leg_px)  # one leg: no stride wobble
    sweeps = []
    if view not in ("front", "rear"):  # fore-aft sweep is along the camera axis there
        for c in contacts:
            if np.isfinite(c.initial_contact_s) and np.isfinite(c.toe_off_s):
                at = np.interp([c.initial_contact_s, c.toe_off_s], time, ahead[c.side])
                sweeps.append(at[0] - at[1])
    duty = [s.duty_factor for s in strides if np.isfinite(s.duty_factor)]
    return ActivityEvidence(
        n_contacts=len(contacts),
        duty_factor=float(np.median(duty)) if duty else float("nan"),
        foot_sweep=float(np.median(sweeps)) if sweeps else float("nan"),
        leg_motion=_leg_motion(position, ahead, view, leg_px),
        flight_share=compute_flight_share(heights[0], heights[1]),
        stance_bounce=compute_stance_bounce(time, hip_up, contacts),
    )


def _feet_visible_rate(position: xr.DataArray) -> float:
    """Fraction of frames in which at least one heel or toe is placed."""
    names = [f"{s}_{p}" for s in SIDES for p in ("heel", "foot_index")]
    feet = np.asarray(position.sel(keypoint=names).transpose("time", ...), dtype=float)
    return float(np.mean(np.isfinite(feet.reshape(feet.shape[0], -1)).any(axis=1)))
