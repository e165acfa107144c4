"""Preparing a poses dataset for the gait stage (:func:`runform.gait.analyze.analyze_gait`).

Choosing the person, refusing poses that cannot hold a gait, keeping the
longest one-way stretch of travel, the direction of travel, and the cleaning
with leg-swap repair and the plausibility gate; plus the two views of the
poses every step reads (the person's positions and the hip centre).
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.errors import NoPersonDetectedError
from runform.gait.result import GaitSettings
from runform.processing.clean import clean_poses
from runform.processing.legswap import repair_leg_swaps
from runform.processing.near_side import downweight_far_leg, estimate_near_side
from runform.processing.plausibility import (
    MAX_IMPLAUSIBLE_SHARE,
    PlausibilityReport,
    drop_implausible_legs,
)
from runform.scene.quality import CaptureWarning
from runform.scene.runner import (
    RunnerChoice,
    choose_runner,
    summarise_tracks,
    track_id,
)
from runform.scene.scale import compute_leg_length_px, median_finite
from runform.scene.travel import (
    choose_single_direction_span,
    find_travel_segments,
    remove_camera_pan,
)
from runform.scene.view import (
    Classified,
    classify_depth_direction,
    classify_side_direction,
    compute_facing,
)

FloatArray = NDArray[np.float64]


def _select(poses: xr.Dataset, individual: str | None) -> xr.Dataset:
    names = [str(n) for n in poses["individual"].values]
    if individual is None:
        individual = names[0]
    if individual not in names:
        raise ValueError(f"individual {individual!r} not in the poses; it has {names}")
    return poses.sel(individual=[individual])


def _position(ds: xr.Dataset) -> xr.DataArray:
    return ds["position"].isel(individual=0).transpose("time", "space", "keypoint")


def _classify_direction(position: xr.DataArray, view: Classified, leg_px: float) -> Classified:
    if view.label == "unknown":
        return Classified("unknown", 0.0, {})
    if view.label in ("front", "rear"):
        return classify_depth_direction(position, view.label)
    return classify_side_direction(position, leg_px)


def _clean(
    ds: xr.Dataset, settings: GaitSettings, view: str, direction: int
) -> tuple[xr.Dataset, str | None, PlausibilityReport]:
    """Clean with leg-swap repair (side views) and the plausibility gate; far leg down-weighted."""
    near: str | None = None
    found: list[PlausibilityReport] = []

    def repair(gated: xr.Dataset) -> xr.Dataset:
        if view in ("side", "oblique") and settings.repair_leg_swaps:
            gated = repair_leg_swaps(gated)
        gated, report = drop_implausible_legs(gated)
        found.append(report)
        return gated

    ds = clean_poses(ds, settings.cleaning, repair)
    plausibility = found[0]
    if view == "side":
        near, _ = estimate_near_side(ds, direction)
        ds = downweight_far_leg(ds, near, settings.far_leg_weight)
    return ds, near, plausibility


def _plausibility_warnings(report: PlausibilityReport) -> list[CaptureWarning]:
    """Describe the frames the plausibility gate dropped as capture warnings."""
    if report.n_implausible == 0:
        return []
    share = 100 * report.share
    text = (
        f"{report.n_implausible} of {report.n_frames} frames ({share:.0f} %) had a leg "
        "whose thigh, shin or foot was far longer than the runner's own (the pose model "
        "drew it onto something else); those legs were left out of those frames."
    )
    out = [CaptureWarning("implausible_pose", text)]
    if report.share > MAX_IMPLAUSIBLE_SHARE:
        out.append(
            CaptureWarning(
                "pose_unreliable",
                f"the pose model lost the runner's legs in {share:.0f} % of frames (more "
                f"than {100 * MAX_IMPLAUSIBLE_SHARE:.0f} %): checkpoints are not scored.",
            )
        )
    return out


def _hip_centre(position: xr.DataArray) -> FloatArray:
    hips = position.sel(keypoint=["left_hip", "right_hip"]).mean("keypoint", skipna=False)
    return np.asarray(hips.transpose("time", "space"), dtype=float)


def _choose_person(poses: xr.Dataset, individual: str | None) -> RunnerChoice:
    """Choose the named individual, or the runner by the documented rule."""
    names = [str(n) for n in poses["individual"].values]
    if individual is not None and individual not in names:
        raise ValueError(f"individual {individual!r} not in the poses; it has {names}")
    if individual is None and len(names) == 1:
        individual = names[0]
    tracks = summarise_tracks(poses)
    if individual is None:
        return choose_runner(tracks) if tracks else _unseen(names[0])
    return RunnerChoice(individual, track_id(individual), "requested", 1.0,
                        f"requested by name ({individual})", tuple(tracks))  # fmt: skip


def _unseen(individual: str) -> RunnerChoice:
    return RunnerChoice(individual, track_id(individual), "only person", 0.0, "nobody was seen", ())


def _with_frames(ds: xr.Dataset) -> xr.Dataset:
    """Give poses without a ``frame`` coordinate one (0, 1, 2, ...)."""
    if "frame" in ds.coords:
        return ds
    return ds.assign_coords(frame=("time", np.arange(ds.sizes["time"])))


def _check_usable(ds: xr.Dataset) -> xr.Dataset:
    """Refuse poses that cannot hold a gait: too few frames, or nobody in them."""
    n = ds.sizes["time"]
    if n < 3:
        raise ValueError(f"a gait needs a clip of several frames; these poses have {n}")
    time = np.asarray(ds["time"], dtype=float)
    if not np.isfinite(time).all() or not np.all(np.diff(time) > 0):
        raise ValueError("the poses' times must be finite and strictly increasing")
    position = np.asarray(ds["position"].isel(individual=0), dtype=float)
    if not np.isfinite(position).any():
        raise NoPersonDetectedError(
            "nobody was detected in any frame, so there is no gait to analyse",
            hint="check that the runner is in view, large enough and lit",
        )
    return ds


def _keep_one_direction(
    ds: xr.Dataset, camera_motion: xr.DataArray | None
) -> tuple[xr.Dataset, list[CaptureWarning]]:
    """Cut a clip in which the runner turns to its longest one-way stretch.

    Travel is judged over the ground: a panning camera's motion is removed
    first (:func:`remove_camera_pan`), so a tracking shot whose framing
    drifts back and forth is not taken for a runner who turns.
    """
    position = _position(ds)
    time = np.asarray(ds["time"], dtype=float)
    leg = median_finite(compute_leg_length_px(position))
    if not np.isfinite(leg):
        return ds, []
    hip_x = _hip_centre(position)[:, 0]
    if camera_motion is not None and camera_motion.sizes.get("time", 0) > 1:
        pan = np.asarray(camera_motion.sel(space="x"), dtype=float)
        hip_x = remove_camera_pan(time, hip_x, np.asarray(camera_motion["time"], float), pan)
    segments = find_travel_segments(time, hip_x, leg)
    span = choose_single_direction_span(segments, compute_facing(position))
    if span is None:
        return ds, []
    frames = np.asarray(ds["frame"])
    note = CaptureWarning(
        "direction_changes",
        f"the runner changes direction in this clip; only frames {frames[span[0]]}-"
        f"{frames[span[1] - 1]} (the longest stretch moving forward one way) are analysed.",
    )
    return ds.isel(time=slice(*span)), [note]
