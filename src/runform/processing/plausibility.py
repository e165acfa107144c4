"""A plausibility gate on the body: limbs that change length are not limbs.

A pose model that loses a leg in one frame still returns one: fused onto a
bystander's hand, or stretched to the other leg's foot. Filtering smooths
such a frame into its neighbours, so it has to go before filtering. Per
frame and per leg, each segment (thigh hip→knee, shank knee→ankle, foot
heel→toes), measured in torso lengths of that frame (shoulder to hip, so a
runner who comes closer to the camera or is zoomed on keeps the same
ratios), is compared with that segment's own typical ratio in the clip,
the 75th percentile (a projected segment only looks shorter than it is,
never longer, so the reference sits high), but never more than a human's
proportions allow (:data:`MAX_TYPICAL_RATIO`): when a quarter of the clip or
more is stretched, the percentile is itself a stretched length, and the cap
keeps the gate from accepting it. A segment longer
than :data:`MAX_LENGTH_RATIO` times that is impossible for a body, and the
leg's points below the hip are dropped in that frame. The count goes into
the report; when too much of the clip fails, nothing is scored
(:data:`MAX_IMPLAUSIBLE_SHARE`).

Pure functions on the poses dataset (see :mod:`runform.io.poses`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.io.poses import append_log
from runform.skeleton import SIDES

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: A segment longer than this times its typical length in the clip is not a body.
MAX_LENGTH_RATIO = 1.5
#: Percentile of a segment's lengths taken as its typical length.
REFERENCE_PERCENTILE = 75.0
#: Share of the frames with a person that may fail before nothing is scored.
MAX_IMPLAUSIBLE_SHARE = 0.25
#: Segments checked, as (upper, lower) keypoint names without the side prefix.
SEGMENTS = (("hip", "knee"), ("knee", "ankle"), ("heel", "foot_index"))
#: Largest typical length of each segment in torso lengths: Winter's proportions
#: (thigh 0.245, shank 0.246, foot 0.152 of body height against 0.288 from
#: shoulder to hip; Winter 2009, Biomechanics and Motor Control of Human
#: Movement, 4th ed.) with a quarter added for people and pose models.
MAX_TYPICAL_RATIO = (1.25 * 0.245 / 0.288, 1.25 * 0.246 / 0.288, 1.25 * 0.152 / 0.288)
#: Points of a leg dropped when it fails (the hip is shared with the trunk).
LEG_POINTS = ("knee", "ankle", "heel", "foot_index")


@dataclass(frozen=True)
class PlausibilityReport:
    """What the gate dropped.

    Attributes
    ----------
    n_frames
        Frames with the person detected.
    n_implausible
        Frames where at least one leg failed.
    per_side
        Failed frames per leg.
    """

    n_frames: int
    n_implausible: int
    per_side: dict[str, int]

    @property
    def share(self) -> float:
        """Share of the detected frames that failed (0-1)."""
        return self.n_implausible / self.n_frames if self.n_frames else 0.0


def _distance(position: xr.DataArray, a: str, b: str) -> FloatArray:
    """Per-frame distance between two keypoints, pixels."""
    pa = np.asarray(position.sel(keypoint=a).transpose("time", "space").values, dtype=float)
    pb = np.asarray(position.sel(keypoint=b).transpose("time", "space").values, dtype=float)
    return np.asarray(np.hypot(*(pa - pb).T), dtype=float)


def compute_segment_lengths(position: xr.DataArray, side: str) -> FloatArray:
    """Lengths of one leg's segments per frame in torso lengths, shape ``(time, len(SEGMENTS))``.

    The torso length is the mean of the two shoulder-to-hip distances of the
    same frame (NaN where neither is known).

    Parameters
    ----------
    position
        Pixel positions with dims ``time``, ``space`` and ``keypoint``.
    side
        ``"left"`` or ``"right"``.
    """
    both = np.column_stack([_distance(position, f"{s}_shoulder", f"{s}_hip") for s in SIDES])
    known = np.isfinite(both)
    count = known.sum(axis=1)
    torso = np.divide(
        np.where(known, both, 0.0).sum(axis=1),
        count,
        out=np.full(count.shape, np.nan),
        where=count > 0,
    )
    torso = np.where(torso > 0, torso, np.nan)
    out = [
        _distance(position, f"{side}_{upper}", f"{side}_{lower}") / torso
        for upper, lower in SEGMENTS
    ]
    return np.column_stack(out)


def find_implausible_legs(
    lengths: FloatArray,
    max_ratio: float = MAX_LENGTH_RATIO,
    caps: tuple[float, ...] | None = None,
) -> BoolArray:
    """Frames where a segment is longer than ``max_ratio`` times its typical length.

    Parameters
    ----------
    lengths
        ``(time, n_segments)`` segment lengths, NaN where unknown.
    max_ratio
        Largest accepted length over the segment's reference length.
    caps
        Largest reference per segment (same unit as ``lengths``), e.g.
        :data:`MAX_TYPICAL_RATIO` for lengths in torso lengths.

    Returns
    -------
    numpy.ndarray
        ``(time,)`` booleans; never true where the lengths are unknown.
    """
    if not np.isfinite(lengths).any():
        return np.zeros(lengths.shape[0], dtype=bool)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # a segment never seen: NaN reference
        reference = np.nanpercentile(lengths, REFERENCE_PERCENTILE, axis=0)
        if caps is not None:
            reference = np.fmin(reference, np.asarray(caps, dtype=float))
        ratio = lengths / reference
    return np.asarray(np.nan_to_num(ratio, nan=0.0).max(axis=1) > max_ratio, dtype=bool)


def drop_implausible_legs(
    ds: xr.Dataset, max_ratio: float = MAX_LENGTH_RATIO
) -> tuple[xr.Dataset, PlausibilityReport]:
    """Drop (NaN, confidence 0) the leg points of frames where a leg is not a body's.

    Parameters
    ----------
    ds
        Poses dataset with one individual.
    max_ratio
        See :func:`find_implausible_legs`.

    Returns
    -------
    tuple
        The gated dataset (a log entry added) and what was dropped.
    """
    position = ds["position"].isel(individual=0)
    detected = np.isfinite(position.sel(space="x").values).any(axis=-1)
    names = np.array([str(k) for k in ds["keypoint"].values])
    drop = xr.zeros_like(ds["confidence"], dtype=bool)
    failed_any = np.zeros(ds.sizes["time"], dtype=bool)
    per_side = {}
    for side in SIDES:
        lengths = compute_segment_lengths(position, side)
        bad = find_implausible_legs(lengths, max_ratio, MAX_TYPICAL_RATIO)
        per_side[side] = int(bad.sum())
        failed_any |= bad
        in_time = xr.DataArray(bad, dims="time", coords={"time": ds["time"]})
        points = np.isin(names, [f"{side}_{p}" for p in LEG_POINTS])
        in_leg = xr.DataArray(points, dims="keypoint", coords={"keypoint": ds["keypoint"]})
        drop = drop | (in_time & in_leg)
    out = ds.assign(
        position=ds["position"].where(~drop),
        confidence=ds["confidence"].where(~drop, 0.0),
    )
    report = PlausibilityReport(int(detected.sum()), int(failed_any.sum()), per_side)
    out = append_log(
        out, "drop_implausible_legs", max_ratio=max_ratio, dropped=report.n_implausible
    )
    return out, report
