"""Named point tracks from another tool into runform's poses dataset, and back out.

Every reader (``.trc``, DeepLabCut, movement) turns its file into
:class:`NamedTracks`: the source's own point names, positions in its own
units and axes, and times. :func:`tracks_to_poses` makes runform's poses
dataset from them, the same way for all formats:

1. **Names.** Each of the 33 BlazePose keypoints is looked up among the
   source's names (:func:`runform.interop.markers.match_keypoints`); those
   the source lacks stay NaN.
2. **3D to a side view.** Three-dimensional points are projected on the
   sagittal plane: the vertical is the axis along which the shoulders lie
   farthest from the ankles; the forward axis is the horizontal direction
   along which the ankles swing most about the hips (principal component),
   pointing where the toes point. The image's ``x`` is forward, its ``y``
   is down: a view from the runner's right side, running to the right.
3. **Up or down.** 2D pixels are taken as image pixels (``y`` down, as
   Sports2D, DeepLabCut and MediaPipe write them) unless the ankles lie
   above the shoulders in the file's ``y``: then the file is ``y``-up and
   ``y`` is flipped.
4. **Units.** Metres (or mm, cm) become pixels at :data:`PX_PER_M`
   (1 px = 1 mm), shifted so that every point lies in a frame that just
   holds them, with a :data:`MARGIN_PX` margin.

The frame size of a source without a video is that of the smallest frame
holding every point (plus the margin). Confidence is the source's
likelihood where it has one, else 1 where a point is present and 0 where
it is missing.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.errors import PoseFormatError
from runform.interop.markers import REQUIRED_KEYPOINTS, match_keypoints
from runform.io.poses import DEFAULT_INDIVIDUAL, append_log, create_poses_dataset
from runform.skeleton import KEYPOINT_INDEX, KEYPOINT_NAMES

__all__ = ["MARGIN_PX", "PX_PER_M", "UNIT_TO_M", "NamedTracks", "tracks_to_poses"]

FloatArray = NDArray[np.float64]

#: Pixels per metre given to sources in metres (1 px = 1 mm).
PX_PER_M = 1000.0
#: Empty border around the points of a source without a frame size, px.
MARGIN_PX = 10.0
#: Length units read as lengths, in metres; others are pixels.
UNIT_TO_M: Mapping[str, float] = {"m": 1.0, "cm": 0.01, "mm": 0.001}
#: A shoulder-to-ankle distance above this many "metres" is in pixels instead
#: (Sports2D writes ``m`` in the header of its pixel files).
MAX_BODY_M = 5.0


@dataclass(frozen=True, eq=False)
class NamedTracks:
    """Point tracks as a source file holds them.

    Attributes
    ----------
    source
        The file's name, for messages and provenance.
    software
        What wrote it (``"Sports2D/Pose2Sim/OpenSim (.trc)"``, ``"DeepLabCut"``, ...).
    names
        The source's point names.
    position
        Shape ``(time, space, point, individual)``; ``space`` 2 (x, y) or 3
        (x, y, z); NaN where missing.
    time_s
        Strictly increasing, seconds.
    frame
        Frame index of each time (0 for the first frame of the source).
    units
        ``"px"``, or a key of :data:`UNIT_TO_M`.
    confidence
        Shape ``(time, point, individual)`` in 0-1, or ``None``.
    individuals
        The source's names of the individuals.
    frame_size
        ``(width, height)`` of the video, px, when known.
    fps
        The source's frame rate, when it states one.
    """

    source: str
    software: str
    names: tuple[str, ...]
    position: FloatArray
    time_s: FloatArray
    frame: NDArray[np.int64]
    units: str = "px"
    confidence: FloatArray | None = None
    individuals: tuple[str, ...] = (DEFAULT_INDIVIDUAL,)
    frame_size: tuple[int, int] | None = None
    fps: float | None = None
    notes: tuple[str, ...] = field(default=())


def _fail(tracks: NamedTracks, message: str, hint: str | None = None) -> PoseFormatError:
    return PoseFormatError(f"{tracks.source}: {message}", hint=hint)


def _keypoints(tracks: NamedTracks) -> tuple[FloatArray, FloatArray, dict[str, str]]:
    """Positions and confidences on the 33 BlazePose keypoints, and the names used."""
    found = match_keypoints(tracks.names)
    missing = [k for k in REQUIRED_KEYPOINTS if k not in found]
    if missing:
        raise _fail(
            tracks,
            f"no point for {', '.join(missing)} among its {len(tracks.names)} names "
            f"({', '.join(tracks.names[:12])}{', ...' if len(tracks.names) > 12 else ''})",
            hint="runform reads points by name: HALPE_26 (RHip, LKnee, ...), BlazePose "
            "(left_hip, ...) or similar; see docs/interop.md for the accepted names",
        )
    n_time, n_space, _, n_ind = tracks.position.shape
    position = np.full((n_time, n_space, len(KEYPOINT_NAMES), n_ind), np.nan)
    confidence = np.zeros((n_time, len(KEYPOINT_NAMES), n_ind))
    for keypoint, i in found.items():
        k = KEYPOINT_INDEX[keypoint]
        position[:, :, k, :] = tracks.position[:, :, i, :]
        if tracks.confidence is not None:
            confidence[:, k, :] = tracks.confidence[:, i, :]
    present = np.isfinite(position).all(axis=1)
    if tracks.confidence is None:
        confidence = present.astype(np.float64)
    confidence = np.where(present, np.nan_to_num(confidence, nan=0.0), 0.0)
    position = np.where(present[:, None], position, np.nan)
    return position, confidence, {k: tracks.names[i] for k, i in found.items()}


def _median_offset(position: FloatArray, upper: Sequence[str], lower: Sequence[str]) -> FloatArray:
    """Median over time and individuals of ``mean(upper) - mean(lower)``, per axis."""
    top = np.mean([position[:, :, KEYPOINT_INDEX[k], :] for k in upper], axis=0)
    bottom = np.mean([position[:, :, KEYPOINT_INDEX[k], :] for k in lower], axis=0)
    diff = np.moveaxis(top - bottom, 1, -1).reshape(-1, position.shape[1])
    with np.errstate(all="ignore"):
        return np.asarray(np.nanmedian(diff, axis=0), dtype=np.float64)


_SHOULDERS = ("left_shoulder", "right_shoulder")
_ANKLES = ("left_ankle", "right_ankle")
_HEELS = ("left_heel", "right_heel")
#: Points whose absence changes what can be measured, and what they serve.
FOOT_POINTS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "heels": (_HEELS, "the foot's angle at landing (ball-of-foot landing) and the contacts"),
    "toes": (("left_foot_index", "right_foot_index"), "the foot's angle and the contacts"),
}


def _side_view(position: FloatArray, tracks: NamedTracks) -> tuple[FloatArray, str]:
    """Project 3D points ``(time, 3, keypoint, individual)`` on the sagittal plane, y up."""
    up_offset = _median_offset(position, _SHOULDERS, _ANKLES)
    if not np.isfinite(up_offset).any():
        raise _fail(tracks, "no frame has both shoulders and both ankles")
    vertical = int(np.nanargmax(np.abs(up_offset)))
    up = np.zeros(3)
    up[vertical] = math.copysign(1.0, up_offset[vertical])
    flat = [a for a in range(3) if a != vertical]
    swing = []
    for side in ("left", "right"):
        d = position[:, flat, KEYPOINT_INDEX[f"{side}_ankle"], :]
        d = d - position[:, flat, KEYPOINT_INDEX[f"{side}_hip"], :]
        swing.append(np.moveaxis(d, 1, -1).reshape(-1, 2))
    samples = np.concatenate(swing)
    samples = samples[np.isfinite(samples).all(axis=1)]
    if len(samples) < 3:
        raise _fail(tracks, "too few frames with hips and ankles to find the direction of running")
    samples = samples - samples.mean(axis=0)
    _, _, vt = np.linalg.svd(samples, full_matrices=False)
    forward = np.zeros(3)
    forward[flat] = vt[0]
    toes = _median_offset(position, ("left_foot_index", "right_foot_index"), _HEELS)
    pointing = float(np.nansum(toes * forward)) if np.isfinite(toes).any() else 0.0
    if pointing < 0:
        forward = -forward
    x = np.einsum("tskn,s->tkn", position, forward)
    y = np.einsum("tskn,s->tkn", position, up)
    axis_names = "xyz"
    rule = (f"side view: up is {'+' if up[vertical] > 0 else '-'}{axis_names[vertical].upper()}, "
            f"forward is {np.round(forward, 3).tolist()} in (X, Y, Z)")  # fmt: skip
    return np.stack([x, y], axis=1), rule


def _to_pixels(
    position: FloatArray, tracks: NamedTracks, y_up: bool, projected: bool
) -> tuple[FloatArray, tuple[int, int], list[str]]:
    """Image pixels (x right, y down) and the frame size that holds them."""
    notes: list[str] = []
    scale = UNIT_TO_M.get(tracks.units.strip().lower())
    if scale is not None:
        body = float(np.linalg.norm(_median_offset(position, _SHOULDERS, _ANKLES)))
        if math.isfinite(body) and body * scale > MAX_BODY_M:
            notes.append(f"the units say {tracks.units!r} but a body {body:.0f} units tall "
                         "is in pixels: read as pixels")  # fmt: skip
            scale = None
    xy = position.copy()
    if scale is not None:
        xy *= scale * PX_PER_M
        notes.append(f"{tracks.units} read as pixels at {PX_PER_M:g} px/m")
    if y_up:
        xy[:, 1] = -xy[:, 1]
    # a frame of our own where the source's origin is not an image's corner
    shift_x, shift_y = scale is not None or projected, scale is not None or y_up
    with np.errstate(all="ignore"):
        low = np.nanmin(np.moveaxis(xy, 1, -1).reshape(-1, 2), axis=0)
    xy[:, 0] += MARGIN_PX - low[0] if shift_x else 0.0
    xy[:, 1] += MARGIN_PX - low[1] if shift_y else 0.0
    if tracks.frame_size is not None and not (shift_x or shift_y):
        return xy, tracks.frame_size, notes
    with np.errstate(all="ignore"):
        high = np.nanmax(np.moveaxis(xy, 1, -1).reshape(-1, 2), axis=0)
    width, height = (max(1, math.ceil(v + MARGIN_PX)) for v in high)
    return xy, (width, height), notes


def _warn_missing_feet(source: str, missing: Sequence[str]) -> None:
    """Warn (an input warning of the analysis) when the source has no heel or toe points."""
    absent = [(name, use) for name, (points, use) in FOOT_POINTS.items()
              if all(p in missing for p in points)]  # fmt: skip
    if absent:
        names = " and ".join(name for name, _ in absent)
        uses = "; ".join(use for _, use in absent)
        warnings.warn(
            f"{source} has no points for the {names}: what needs them ({uses}) is not "
            "measured, and the checkpoints on it say so",
            UserWarning,
            stacklevel=3,
        )


def tracks_to_poses(tracks: NamedTracks) -> xr.Dataset:
    """Make runform's poses dataset from a source's named tracks.

    Parameters
    ----------
    tracks
        What a reader found in the file.

    Returns
    -------
    xarray.Dataset
        A poses dataset (:mod:`runform.io.poses`): the 33 BlazePose
        keypoints in image pixels (x right, y down), one individual per
        source individual (``runner`` when there is one, else
        ``person_0``, ``person_1``, ...), ``frame_width``,
        ``frame_height``, ``fps``, ``source_file``, ``source_software`` and
        the mapping used (``source_keypoints``, JSON) in ``attrs``.

    Raises
    ------
    PoseFormatError
        If a point runform needs (shoulders, hips, knees, ankles) is not
        among the source's names, or no frame holds them.

    Warns
    -----
    UserWarning
        When the source has no heel or no toe points (see :data:`FOOT_POINTS`).
    """
    position, confidence, used = _keypoints(tracks)
    rules: list[str] = list(tracks.notes)
    projected = position.shape[1] == 3
    if projected:
        position, rule = _side_view(position, tracks)
        rules.append(rule)
        y_up = True
    else:
        vertical = _median_offset(position, _SHOULDERS, _ANKLES)[1]
        if not math.isfinite(vertical):
            raise _fail(tracks, "no frame has both shoulders and both ankles")
        y_up = vertical > 0
        if y_up:
            rules.append("y points up (the shoulders are above the ankles): flipped to y down")
    xy, (width, height), notes = _to_pixels(position, tracks, y_up, projected)
    rules += notes
    n_ind = xy.shape[-1]
    individuals = [DEFAULT_INDIVIDUAL] if n_ind == 1 else [f"person_{i}" for i in range(n_ind)]
    fps = tracks.fps or (1.0 / float(np.median(np.diff(tracks.time_s))) if tracks.time_s.size > 1
                         else 0.0)  # fmt: skip
    attrs: dict[str, Any] = {
        "frame_width": int(width),
        "frame_height": int(height),
        "fps": float(fps),
        "source_file": tracks.source,
        "source_software": tracks.software,
        "source_units": tracks.units,
        "source_individuals": json.dumps(list(tracks.individuals)),
        "source_keypoints": json.dumps(used),
        # frames where anybody has a point (what `runform pose` reports for a video)
        "detection_rate": float(np.isfinite(xy).any(axis=(1, 2, 3)).mean()) if len(xy) else 0.0,
    }
    poses = create_poses_dataset(xy, confidence, tracks.time_s, frame=tracks.frame,
                                 individuals=individuals, attrs=attrs)  # fmt: skip
    missing = [k for k in KEYPOINT_NAMES if k not in used]
    _warn_missing_feet(tracks.source, missing)
    return append_log(poses, "import_poses", source=tracks.source, software=tracks.software,
                      rules=rules, missing_keypoints=missing)  # fmt: skip
