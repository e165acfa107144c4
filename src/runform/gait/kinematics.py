"""Sagittal-plane joint and segment angles, and their time normalisation.

Every function is pure and vectorised. Positions come from the poses dataset
(``x`` right, ``y`` *down*, pixels, square pixels assumed) and are first turned
into the *body frame* (``forward = direction * x``, ``up = -y``) by
:func:`to_body_frame`, so a runner moving left gives the same angles as one
moving right.

Angles (degrees) made by :func:`compute_angles`; the ``left_``/``right_``
prefix names the side, ``trunk_lean`` has none. The segment-angle
conventions are those of the synthetic runner's truth
(:mod:`runform.synth.truth`):

======================  ==============================================  ============================
name                    zero                                            positive
======================  ==============================================  ============================
``thigh_angle``         hip→knee line pointing straight down            knee ahead of the hip
``shank_angle``         knee→ankle line pointing straight down          ankle ahead of the knee
``foot_angle``          heel→foot_index line horizontal                 toes up
``trunk_lean``          hip-centre→shoulder-centre line vertical        leaning forward
``knee_flexion``        straight leg (thigh and shank in line)          knee bent (hyperextension -)
``hip_flexion``         thigh continues the trunk line downward         thigh ahead (flexion)
``ankle_dorsiflexion``  heel→foot_index line perpendicular to shank     toes toward the shin
``elbow_flexion``       straight arm (upper arm and forearm in line)    forearm swung forward (bent)
======================  ==============================================  ============================

"Ahead" is in the direction of travel. Joint angles are signed differences
of segment angles, wrapped to ``[-180, 180)``:

* ``knee_flexion = thigh_angle - shank_angle``
* ``hip_flexion = thigh_angle + trunk_lean`` (the downward continuation of
  the trunk line makes the angle ``-trunk_lean`` with straight down)
* ``ankle_dorsiflexion = foot_angle - shank_angle``
* ``elbow_flexion = forearm_angle - upper_arm_angle`` with both arm segments
  measured like ``thigh_angle`` (shoulder→elbow and elbow→wrist from straight
  down, positive forward).

All are 2D angles in the image plane, so they are projections of the 3D
angles and are exact only for motion in a plane parallel to the image
(a side view). ``elbow_flexion`` is signed in that plane: a forearm that
swings *behind* the line of the upper arm reads negative; the projection of
a forearm crossing in front of the body can also read small or negative.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from types import MappingProxyType

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ANGLE_DESCRIPTIONS",
    "compute_angles",
    "normalise_to_cycle",
    "sample_at_times",
    "summarise_cycles",
    "to_body_frame",
]

FloatArray = NDArray[np.float64]

_SIDES = ("left", "right")
_BODY_SPACE = ("forward", "up")
_PIXEL_SPACE = ("x", "y")
#: Query times this close to a frame time (seconds) take that frame's value.
_SNAP_S = 1e-9

#: Zero and sign of every angle, by unprefixed name (also written to the
#: ``description`` attribute of each variable of :func:`compute_angles`).
ANGLE_DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "trunk_lean": "hip-centre->shoulder-centre line from vertical; + leaning forward",
        "thigh_angle": "hip->knee line from straight down; + knee ahead of the hip",
        "shank_angle": "knee->ankle line from straight down; + ankle ahead of the knee",
        "foot_angle": "heel->foot_index line to the horizontal; + toes up",
        "knee_flexion": "thigh_angle - shank_angle; 0 straight leg, + bent, - hyperextended",
        "hip_flexion": "thigh relative to the downward trunk line; + flexion (thigh ahead)",
        "ankle_dorsiflexion": (
            "foot_angle - shank_angle; 0 foot perpendicular to shank, "
            "+ dorsiflexion, - plantarflexion"
        ),
        "elbow_flexion": (
            "forearm angle - upper-arm angle (2D, signed); 0 straight arm, + bent forward"
        ),
    }
)


def _check_direction(direction: int) -> None:
    integer = isinstance(direction, int | np.integer) and not isinstance(direction, bool)
    if not integer or direction not in (1, -1):
        raise ValueError(
            f"direction must be +1 (moving right) or -1 (moving left), got {direction!r}"
        )


def _check_position(position: xr.DataArray, space: tuple[str, ...]) -> None:
    missing = [d for d in ("time", "space", "keypoint") if d not in position.dims]
    if missing:
        raise ValueError(
            f"position must have dims (time, space, keypoint); missing {missing}, "
            f"got {position.dims}"
        )
    coords = tuple(str(s) for s in position.coords["space"].values)
    if coords != space:
        raise ValueError(f"position space coords must be {space}, got {coords}")


def to_body_frame(position: xr.DataArray, direction: int) -> xr.DataArray:
    """Turn pixel positions into the sagittal body frame.

    Parameters
    ----------
    position
        Positions with dims ``(time, space, keypoint)`` (other dims, such as
        ``individual``, are carried along) and ``space`` coords
        ``("x", "y")``: pixels, ``x`` right, ``y`` down.
    direction
        On-screen direction of travel: ``+1`` moving right, ``-1`` moving left.

    Returns
    -------
    xarray.DataArray
        Same dims, order, coords and dtype, with ``space`` coords
        ``("forward", "up")``: ``forward = direction * x`` (positive in the
        direction of travel) and ``up = -y``; same units (pixels).

    Raises
    ------
    ValueError
        If ``direction`` is not ``+1`` or ``-1``, or ``position`` lacks a dim
        or has other ``space`` coords.
    """
    _check_direction(direction)
    _check_position(position, _PIXEL_SPACE)
    x = position.sel(space="x", drop=True)
    y = position.sel(space="y", drop=True)
    out = xr.concat([x * direction, -y], dim="space")
    out = out.assign_coords(space=list(_BODY_SPACE)).transpose(*position.dims)
    out.attrs = dict(position.attrs)
    out.name = position.name
    return out


def _wrap_deg(angle: FloatArray) -> FloatArray:
    """Wrap degrees to ``[-180, 180)``."""
    return np.asarray((angle + 180.0) % 360.0 - 180.0, dtype=np.float64)


def _from_down(start: FloatArray, end: FloatArray) -> FloatArray:
    """Angle of the start→end line from straight down, degrees, forward +.

    Points have shape ``(..., 2)`` with ``(forward, up)`` last.
    """
    d = end - start
    return np.degrees(np.arctan2(d[..., 0], -d[..., 1]))


def compute_segment_lean(start: FloatArray, end: FloatArray) -> FloatArray:
    """Angle of the start→end line from straight up, degrees, forward +.

    The one definition of a lean (trunk lean, the fall angle's support →
    centre-of-mass line, a leg line). Points have shape ``(..., 2)`` with
    body-frame ``(forward, up)`` last.
    """
    d = end - start
    return np.asarray(np.degrees(np.arctan2(d[..., 0], d[..., 1])), dtype=float)


def compute_knee_flexion(hip: FloatArray, knee: FloatArray, ankle: FloatArray) -> FloatArray:
    """Knee flexion from body-frame points ``(..., 2)``, degrees (0 straight, + bent).

    ``thigh_angle - shank_angle`` (both from straight down, forward +),
    wrapped to ``[-180, 180)``: negative when hyperextended.
    """
    return _wrap_deg(_from_down(hip, knee) - _from_down(knee, ankle))


def compute_foot_angle(heel: FloatArray, toes: FloatArray) -> FloatArray:
    """Heel → toes line from the forward horizontal, degrees, toes up +."""
    return np.asarray(_to_horizontal(heel, toes), dtype=float)


def _to_horizontal(start: FloatArray, end: FloatArray) -> FloatArray:
    """Angle of the start→end line from the forward horizontal, degrees, up +."""
    d = end - start
    return np.degrees(np.arctan2(d[..., 1], d[..., 0]))


def _angles_from_points(kp: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
    """All angles from body-frame points ``(..., 2)`` keyed by keypoint name."""
    pelvis = 0.5 * (kp["left_hip"] + kp["right_hip"])
    shoulders = 0.5 * (kp["left_shoulder"] + kp["right_shoulder"])
    trunk = compute_segment_lean(pelvis, shoulders)
    out = {"trunk_lean": trunk}
    for side in _SIDES:
        hip, knee, ankle = kp[f"{side}_hip"], kp[f"{side}_knee"], kp[f"{side}_ankle"]
        thigh = _from_down(hip, knee)
        shank = _from_down(knee, ankle)
        foot = _to_horizontal(kp[f"{side}_heel"], kp[f"{side}_foot_index"])
        upper_arm = _from_down(kp[f"{side}_shoulder"], kp[f"{side}_elbow"])
        forearm = _from_down(kp[f"{side}_elbow"], kp[f"{side}_wrist"])
        out[f"{side}_thigh_angle"] = thigh
        out[f"{side}_shank_angle"] = shank
        out[f"{side}_foot_angle"] = foot
        out[f"{side}_knee_flexion"] = compute_knee_flexion(hip, knee, ankle)
        out[f"{side}_hip_flexion"] = _wrap_deg(thigh + trunk)
        out[f"{side}_ankle_dorsiflexion"] = _wrap_deg(foot - shank)
        out[f"{side}_elbow_flexion"] = _wrap_deg(forearm - upper_arm)
    return out


def compute_angles(position: xr.DataArray, direction: int) -> xr.Dataset:
    """Compute sagittal segment and joint angles per frame.

    Parameters
    ----------
    position
        Positions with dims ``(time, space, keypoint)`` (extra dims such as
        ``individual`` are carried along) and BlazePose keypoint names.
        ``space`` coords ``("x", "y")`` are pixels (``x`` right, ``y`` down,
        square pixels) and are turned into the body frame with
        ``direction``; coords ``("forward", "up")`` are taken as already in
        the body frame (``direction`` is then only checked).
    direction
        ``+1`` when the runner moves right on screen, ``-1`` when left.

    Returns
    -------
    xarray.Dataset
        Degrees, dims ``(time,)`` (plus any extra dims), the ``time`` coords
        of ``position`` kept. Variables: ``trunk_lean`` and, with a
        ``left_``/``right_`` prefix, ``thigh_angle``, ``shank_angle``,
        ``foot_angle``, ``knee_flexion``, ``hip_flexion``,
        ``ankle_dorsiflexion`` and ``elbow_flexion``. Zero and sign of each
        are in the module docstring and in :data:`ANGLE_DESCRIPTIONS` (also
        each variable's ``description`` attribute). An angle is NaN in the
        frames where one of its keypoints is NaN.

    Raises
    ------
    ValueError
        If ``direction`` is not ``+1``/``-1``, ``position`` lacks a dim or has
        unknown ``space`` coords, or a needed keypoint is absent.
    """
    _check_direction(direction)
    spaces = tuple(str(s) for s in position.coords["space"].values)
    if spaces == _BODY_SPACE:
        _check_position(position, _BODY_SPACE)
        body = position
    else:
        body = to_body_frame(position, direction)
    names = {str(k) for k in body.coords["keypoint"].values}
    needed = {
        f"{side}_{part}"
        for side in _SIDES
        for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")
    }
    absent = sorted(needed - names)
    if absent:
        raise ValueError(f"position lacks keypoints needed for the angles: {absent}")

    others = [d for d in body.dims if d not in ("space", "keypoint")]
    arr = body.transpose(*others, "keypoint", "space")
    values = np.asarray(arr.values, dtype=np.float64)
    index = {str(k): i for i, k in enumerate(arr.coords["keypoint"].values)}
    angles = _angles_from_points({name: values[..., index[name], :] for name in needed})
    coords = {k: v for k, v in arr.coords.items() if not {"keypoint", "space"} & set(v.dims)}
    out: dict[Hashable, xr.DataArray] = {}
    for name, angle in angles.items():
        base = name.removeprefix("left_").removeprefix("right_")
        out[name] = xr.DataArray(
            angle,
            dims=others,
            coords=coords,
            attrs={"units": "deg", "description": ANGLE_DESCRIPTIONS[base]},
        )
    return xr.Dataset(out, attrs={"direction": int(direction)})


def _interp_linear(t: FloatArray, values: FloatArray, tq: FloatArray) -> FloatArray:
    """Linear interpolation along axis 0 of ``values``; NaN outside or at NaN.

    A query within :data:`_SNAP_S` of a sample takes that sample alone, so a
    NaN neighbour does not spoil it; between samples a NaN neighbour gives
    NaN.
    """
    out_shape = (tq.size, *values.shape[1:])
    if t.size == 0:
        return np.full(out_shape, np.nan)
    hi = np.clip(np.searchsorted(t, tq, side="left"), 1 if t.size > 1 else 0, t.size - 1)
    lo = hi - 1 if t.size > 1 else hi
    span = t[hi] - t[lo]
    w = np.divide(tq - t[lo], span, out=np.zeros_like(tq), where=span > 0)
    w = np.where(np.abs(tq - t[lo]) <= _SNAP_S, 0.0, w)
    w = np.where(np.abs(tq - t[hi]) <= _SNAP_S, 1.0, w)
    inside = (tq >= t[0] - _SNAP_S) & (tq <= t[-1] + _SNAP_S)
    expand = (slice(None),) + (None,) * (values.ndim - 1)
    a, b = values[lo], values[hi]
    w_b = w[expand]
    mixed = np.where(w_b == 0.0, a, np.where(w_b == 1.0, b, (1.0 - w_b) * a + w_b * b))
    result = np.where(inside[expand], mixed, np.nan)
    return np.asarray(result, dtype=np.float64).reshape(out_shape)


def sample_at_times(angles: xr.Dataset, times_s: ArrayLike) -> xr.Dataset:
    """Sample every time-varying variable at arbitrary (sub-frame) times.

    Parameters
    ----------
    angles
        Dataset with a strictly increasing ``time`` coordinate (seconds), such
        as the output of :func:`compute_angles`.
    times_s
        Query times in seconds, 1-D (any order).

    Returns
    -------
    xarray.Dataset
        Same variables, with ``time`` replaced by ``times_s``: linear
        interpolation between the two frames around each time. NaN outside
        the dataset's time range and where a neighbouring frame is NaN (a
        time within 1 ns of a frame time takes that frame's value alone). Coordinates
        along ``time`` (e.g. ``frame``) are dropped; variables without
        ``time`` are kept unchanged.

    Raises
    ------
    ValueError
        If ``times_s`` is not 1-D or contains non-finite values, or the
        dataset's times are not strictly increasing.
    """
    tq = np.asarray(times_s, dtype=np.float64)
    if tq.ndim != 1:
        raise ValueError(f"times_s must be 1-D, got shape {tq.shape}")
    if not np.all(np.isfinite(tq)):
        raise ValueError("times_s must be finite")
    t = np.asarray(angles.coords["time"].values, dtype=np.float64)
    if t.size > 1 and not np.all(np.diff(t) > 0):
        raise ValueError("the dataset's time coordinate must be strictly increasing")
    time_coords = [
        name for name, coord in angles.coords.items() if "time" in coord.dims and name != "time"
    ]
    base = angles.drop_vars(time_coords)
    data_vars: dict[Hashable, xr.DataArray] = {}
    for name, da in base.data_vars.items():
        if "time" not in da.dims:
            data_vars[name] = da
            continue
        moved = da.transpose("time", ...)
        values = _interp_linear(t, np.asarray(moved.values, dtype=np.float64), tq)
        sampled = xr.DataArray(
            values,
            dims=moved.dims,
            coords={k: v for k, v in moved.coords.items() if k != "time"},
            attrs=da.attrs,
        )
        data_vars[name] = sampled.transpose(*da.dims)
    out = xr.Dataset(data_vars, attrs=angles.attrs)
    return out.assign_coords(time=("time", tq, angles.coords["time"].attrs))


def normalise_to_cycle(
    signal: ArrayLike,
    time_s: ArrayLike,
    starts_s: ArrayLike,
    n_points: int = 101,
) -> FloatArray:
    """Resample a signal to 0-100 % of each gait cycle.

    Parameters
    ----------
    signal
        Values, shape ``(n_time,)`` (e.g. one angle), NaN where missing.
    time_s
        Strictly increasing sample times, seconds, shape ``(n_time,)``.
    starts_s
        Cycle start times (e.g. successive initial contacts of one foot),
        strictly increasing, seconds. Cycle ``i`` runs from ``starts_s[i]``
        to ``starts_s[i + 1]``.
    n_points
        Samples per cycle, at least 2; the default 101 gives 0, 1, …, 100 %.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(starts_s) - 1, n_points)``: column ``j`` is the signal at
        ``start + j / (n_points - 1) * (end - start)``, linearly
        interpolated. A row is all NaN when its cycle is not fully inside
        ``time_s`` or when any sample from the last frame at or before its
        start to the first frame at or after its end is NaN (a gap).

    Raises
    ------
    ValueError
        If the shapes differ, a time array is not strictly increasing, or
        ``n_points < 2``.
    """
    y = np.asarray(signal, dtype=np.float64)
    t = np.asarray(time_s, dtype=np.float64)
    starts = np.asarray(starts_s, dtype=np.float64)
    if y.ndim != 1 or y.shape != t.shape:
        raise ValueError(
            f"signal and time_s must be 1-D of the same shape, got {y.shape} and {t.shape}"
        )
    if starts.ndim != 1:
        raise ValueError(f"starts_s must be 1-D, got shape {starts.shape}")
    if n_points < 2:
        raise ValueError(f"n_points must be at least 2, got {n_points}")
    if np.any(np.diff(t) <= 0) or np.any(np.diff(starts) <= 0):
        raise ValueError("time_s and starts_s must be strictly increasing")
    n_cycles = max(starts.size - 1, 0)
    if n_cycles == 0 or t.size == 0:
        return np.full((n_cycles, n_points), np.nan)
    begin, end = starts[:-1], starts[1:]
    frac = np.linspace(0.0, 1.0, n_points)
    grid = begin[:, None] + frac[None, :] * (end - begin)[:, None]
    cycles = _interp_linear(t, y, grid.ravel()).reshape(n_cycles, n_points)
    # NaN anywhere among the frames that bracket the cycle spoils the row.
    nan_count = np.concatenate([[0], np.cumsum(np.isnan(y))])
    first = np.clip(np.searchsorted(t, begin + _SNAP_S, side="right") - 1, 0, t.size - 1)
    last = np.clip(np.searchsorted(t, end - _SNAP_S, side="left"), 0, t.size - 1)
    gap = nan_count[last + 1] - nan_count[first] > 0
    outside = (begin < t[0] - _SNAP_S) | (end > t[-1] + _SNAP_S)
    cycles[gap | outside | np.any(np.isnan(cycles), axis=1)] = np.nan
    return cycles


def summarise_cycles(cycles: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Mean and standard deviation over cycles, ignoring incomplete ones.

    Parameters
    ----------
    cycles
        Shape ``(n_cycles, n_points)`` from :func:`normalise_to_cycle`.

    Returns
    -------
    mean : numpy.ndarray
        Shape ``(n_points,)``: mean over the rows without NaN; all NaN when
        there is none.
    sd : numpy.ndarray
        Shape ``(n_points,)``: sample standard deviation (``ddof=1``) over
        those rows; all NaN with fewer than two of them.

    Raises
    ------
    ValueError
        If ``cycles`` is not 2-D.
    """
    c = np.asarray(cycles, dtype=np.float64)
    if c.ndim != 2:
        raise ValueError(f"cycles must be 2-D (n_cycles, n_points), got shape {c.shape}")
    complete = c[~np.any(np.isnan(c), axis=1)]
    n_points = c.shape[1]
    mean = complete.mean(axis=0) if complete.shape[0] else np.full(n_points, np.nan)
    sd = complete.std(axis=0, ddof=1) if complete.shape[0] > 1 else np.full(n_points, np.nan)
    return np.asarray(mean, dtype=np.float64), np.asarray(sd, dtype=np.float64)
