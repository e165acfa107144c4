"""Left/right leg swaps in side view: detect and repair.

In side view MediaPipe often exchanges the left and right legs for a few
frames, mostly around the crossings of the legs. Stenum et al. (2021)
corrected such swaps by hand in a GUI; Sports2D (Pagnon & Kim, 2024) lists
"fix leg swaps" as an open item. This module repairs them automatically.

Method
------
Each frame has a binary state: the leg labels are as given (0) or swapped
(1). The states are found by tracking both legs and choosing, frame by
frame, the labelling that keeps each track smooth:

* positions relative to the pelvis centre (mid-hips, label-free), in units
  of a body scale (median hip-to-ankle length), so that all thresholds are
  scale free; the time step is the clip's frame interval, so that they are
  frame-rate free;
* every leg keypoint of the chain has an alpha-beta tracker (constant
  velocity) whose steady-state gains follow from the tracking index
  (Kalata, 1984) with a least-squares start-up; an observation outside the
  tracking gate (noise plus a peak acceleration over the elapsed time) does
  not update the tracker, which coasts, and a track that coasts longer than
  0.1 s restarts;
* a constant-velocity prediction tells apart two legs that cross (swing leg
  forward, stance leg back), where position continuity alone cannot;
* multiple-hypothesis tracking with N-scan pruning (Reid, 1979; Blackman,
  2004): hypotheses are the state sequences of the last four frames, each
  with its own trackers; a frame costs, per keypoint, the capped distance of
  the relabelled observation from the hypothesis' prediction, plus a penalty
  per change of state; the oldest state of the window is fixed by the
  cheapest hypothesis. The look-ahead (three frames) and the gating matter:
  MediaPipe's own temporal filter turns a swap into a one- or two-frame
  "morph" that crosses the legs smoothly, and a purely local second-order
  Viterbi (states over ``t-2, t-1, t``, the first version of this module)
  followed such morphs into long wrong runs on synthetic clips;
* long clips are tracked in overlapping chunks side by side (one numpy
  operation serves all chunks), each flipped to agree with the previous one
  over the overlap: 3600 frames take about 0.05 s;
* the labelling is fixed only up to exchanging all labels of a continuous
  segment; each segment is resolved by majority, so that the result agrees
  with MediaPipe in most of its frames.

:func:`repair_leg_swaps` runs this on the whole leg chain (knee, ankle,
heel, foot index), then on the foot chain alone, then gives each knee to the
leg whose thigh and shank then have their usual lengths (two-state Viterbi).

Validation: on MediaPipe output of twelve synthetic clips (30-240 fps) with
exact truth, frames with a clearly swapped foot chain went from 60 to 3 and
with a swapped knee from 22 to 1 (the rest are one-frame half swaps),
without new errors; injected swaps of 1-8 frames are all repaired (tests).

The tracking lives in :mod:`runform.processing.leg_tracking`, the knee pass
in :mod:`runform.processing.knee_swaps`, and the reading of the legs out of
the dataset in :mod:`runform.processing.leg_access`. The near side and the
far leg's weight are in :mod:`runform.processing.near_side`.

What is swapped
---------------
On MediaPipe output of synthetic clips, the frames whose 2D leg positions
(and the ``x``, ``y`` of ``world_position``) are exchanged keep the
visibility and the world depth ``z`` of the label: the near leg's label
stays the more visible and the nearer one. Repair therefore swaps the pixel
positions and the world ``x``, ``y`` only, unless ``swap_scores`` asks to
swap ``confidence``, ``presence`` and the world depth as well. The hips
overlap in side view and are not used for detection; ``swap_hips`` swaps
them together with the leg.

References
----------
Blackman, S. S. (2004). Multiple hypothesis tracking for multiple target
tracking. *IEEE Aerosp. Electron. Syst. Mag.* 19(1), 5-18.

Kalata, P. R. (1984). The tracking index: a generalized parameter for
alpha-beta and alpha-beta-gamma target trackers. *IEEE Trans. Aerosp.
Electron. Syst.* 20(2), 174-182.

Pagnon, D., Kim, H. (2024). Sports2D: compute 2D human pose and angles from
a video or a webcam. *J. Open Source Softw.* 9(101), 6849.

Reid, D. B. (1979). An algorithm for tracking multiple targets. *IEEE
Trans. Autom. Control* 24(6), 843-854.

Stenum, J., Rossi, C., Roemmich, R. T. (2021). Two-dimensional video-based
analysis of human gait using pose estimation. *PLoS Comput. Biol.* 17(4),
e1008935.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.io.poses import append_log, validate_poses
from runform.processing.knee_swaps import _knee_swaps, _looks_side_on
from runform.processing.leg_access import (
    _body_scale,
    _frame_interval,
    _frame_numbers,
    _leg_positions,
    _pick_individual,
    _side_names,
)
from runform.processing.leg_tracking import (
    _complete,
    _Model,
    _resolve_flips,
    _track_hypotheses,
    _track_links,
)

__all__ = [
    "FOOT_CHAIN",
    "LEG_CHAIN",
    "detect_leg_swaps",
    "repair_leg_swaps",
]

LEG_CHAIN: Final = ("knee", "ankle", "heel", "foot_index")
"""Keypoints (without side prefix) whose motion decides a whole-leg swap."""

FOOT_CHAIN: Final = ("ankle", "heel", "foot_index")
"""Keypoints of the foot-only pass of :func:`repair_leg_swaps`."""

DEFAULT_SWITCH_PENALTY: Final = 0.15
"""Cost of one change of state, in body-scale units of prediction error
(and of summed relative segment-length error in the knee pass)."""

_SCORE_VARS: Final = ("confidence", "presence")

BoolArray = NDArray[np.bool_]


def detect_leg_swaps(
    ds: xr.Dataset,
    individual: str | None = None,
    *,
    keypoints: Sequence[str] = LEG_CHAIN,
    switch_penalty: float = DEFAULT_SWITCH_PENALTY,
) -> BoolArray:
    """Find the frames whose left/right leg labels are swapped.

    Parameters
    ----------
    ds
        A poses dataset.
    individual
        The individual to examine; default the first one.
    keypoints
        Keypoint names without the ``left_``/``right_`` prefix whose motion
        decides the labelling (default the leg chain knee, ankle, heel,
        foot index).
    switch_penalty
        Cost of a change of state, in units of prediction error divided by
        the body scale (median hip-to-ankle length). Larger values ignore
        shorter or less certain swaps.

    Returns
    -------
    numpy.ndarray
        Boolean, shape ``(n_time,)``: True where the labels are swapped
        relative to the consistent labelling that agrees with MediaPipe's in
        most frames of each continuous segment. False where the chain is
        missing or no body scale can be measured.

    Raises
    ------
    ValueError
        If ``ds`` is not a poses dataset, or ``keypoints`` is empty or names
        a keypoint missing from ``ds``.

    Notes
    -----
    See the module docstring for the method (multiple-hypothesis tracking
    of both legs over a binary swap state).
    """
    validate_poses(ds)
    if len(keypoints) == 0:
        raise ValueError("Expected at least one keypoint in 'keypoints'.")
    ind = _pick_individual(ds, individual)
    pelvis = _leg_positions(ds, ind, ("hip",)).mean(axis=1, keepdims=True)
    legs = _leg_positions(ds, ind, keypoints) - pelvis
    scale = _body_scale(ds, ind)
    n_time = legs.shape[0]
    if n_time < 2 or not np.isfinite(scale) or scale <= 0:
        return np.zeros(n_time, dtype=bool)
    ok = _complete(legs)
    scaled = np.where(ok[:, None, :, None], legs / scale, np.nan)  # a pair or nothing
    views = np.stack([scaled, scaled[:, ::-1]], axis=1).reshape(n_time, 2, -1, 2)
    model = _Model.for_interval(_frame_interval(ds), switch_penalty)
    states = _track_hypotheses(views, model)
    valid: BoolArray = np.any(ok, axis=1)
    linked = _track_links(ok, model.max_misses)
    return _resolve_flips(states, linked, valid) & valid


def repair_leg_swaps(
    ds: xr.Dataset,
    *,
    switch_penalty: float = DEFAULT_SWITCH_PENALTY,
    swap_hips: bool = False,
    partial_passes: bool = True,
    swap_scores: bool = False,
) -> xr.Dataset:
    """Swap the leg labels back where MediaPipe exchanged them.

    For every individual, a first pass detects whole-leg swaps on the leg
    chain (:data:`LEG_CHAIN`) and exchanges knee, ankle, heel and foot index
    (and the hip with ``swap_hips``). With ``partial_passes``, two more
    passes on the result catch swaps of part of the leg: a tracking pass on
    the foot chain (:data:`FOOT_CHAIN`: ankle, heel, foot index), and a knee
    pass that gives each knee to the leg whose thigh and shank then have
    their usual lengths (a two-state Viterbi over the relative length
    errors). A swap of the foot alone is usually taken for a whole-leg swap
    by the first pass; the knee pass then puts the knee back. The knee is not
    tracked on its own: a single point whose partner passes close by twice a
    stride loses its identity easily (on a real treadmill clip a tracking
    knee pass swapped the knees for six seconds). Thigh and shank lengths are
    foreshortened in front and rear views, so the knee pass is skipped where
    the hips do not overlap as in a side view (median hip-to-hip distance at
    least 0.2 hip-to-ankle lengths; side views measured 0.02-0.12, a rear
    view 0.27).

    Parameters
    ----------
    ds
        A poses dataset.
    switch_penalty
        See :func:`detect_leg_swaps`.
    swap_hips
        Also exchange the hips in whole-leg swaps. They overlap in side view,
        so this matters mostly for ``world_position``.
    partial_passes
        Run the foot-chain and knee passes after the whole-leg pass.
    swap_scores
        Also exchange ``confidence``, ``presence`` and the world depth ``z``.
        Off by default: in MediaPipe's swapped frames these stay with the
        label (see the module docstring).

    Returns
    -------
    xarray.Dataset
        A new dataset; ``position`` and the ``x``, ``y`` of
        ``world_position`` (if present) exchanged in the detected frames.
        The log records the parameters, ``n_frames_repaired`` (frames whose
        positions changed, summed over individuals) and, per individual, the
        ``frame`` coordinate values detected by each pass
        (``swapped_frames``, ``foot_swapped_frames``, ``knee_swapped_frames``)
        and the individuals whose knee pass was skipped (``knee_pass_skipped``).
    """
    validate_poses(ds)
    passes: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
        ("swapped_frames", LEG_CHAIN, (("hip",) if swap_hips else ()) + LEG_CHAIN)
    ]
    if partial_passes:
        passes += [("foot_swapped_frames", FOOT_CHAIN, FOOT_CHAIN),
                   ("knee_swapped_frames", ("knee",), ("knee",))]  # fmt: skip
    frames = _frame_numbers(ds)
    found: dict[str, dict[str, list[int]]] = {name: {} for name, _, _ in passes}
    skipped: list[str] = []
    out = ds.copy()
    for ind in (str(name) for name in ds["individual"].values):
        for name, chain, parts in passes:
            if chain == ("knee",):
                side_on = _looks_side_on(out, ind)
                mask = _knee_swaps(out, ind, switch_penalty) if side_on else frames < 0
                skipped += [] if side_on else [ind]
            else:
                mask = detect_leg_swaps(out, ind, keypoints=chain, switch_penalty=switch_penalty)
            out = _swap_sides(out, ind, mask, parts, swap_scores)
            found[name][ind] = frames[mask].tolist()
    before = ds["position"].transpose("time", ..., "individual").values
    after = out["position"].transpose("time", ..., "individual").values
    changed = ~((before == after) | (np.isnan(before) & np.isnan(after)))
    n_repaired = int(changed.reshape(len(before), -1, ds.sizes["individual"]).any(axis=1).sum())
    return append_log(
        out,
        "repair_leg_swaps",
        switch_penalty=switch_penalty,
        swap_hips=swap_hips,
        partial_passes=partial_passes,
        swap_scores=swap_scores,
        n_frames_repaired=n_repaired,
        **found,
        knee_pass_skipped=skipped,
    )


# -- repair ---------------------------------------------------------------------


def _swap_sides(
    ds: xr.Dataset, individual: str, mask: BoolArray, parts: Sequence[str], swap_scores: bool
) -> xr.Dataset:
    """Exchange the left and right ``parts`` of one individual where ``mask``."""
    if not mask.any():
        return ds
    out = ds.copy()
    out["position"] = _swap_var(ds["position"], individual, mask, parts)
    if "world_position" in ds:
        components = None if swap_scores else ["x", "y"]
        out["world_position"] = _swap_var(ds["world_position"], individual, mask, parts, components)
    if swap_scores:
        for name in (var for var in _SCORE_VARS if var in ds):
            out[name] = _swap_var(ds[name], individual, mask, parts)
    return out


def _swap_var(
    da: xr.DataArray,
    individual: str,
    mask: BoolArray,
    parts: Sequence[str],
    components: Sequence[str] | None = None,
) -> xr.DataArray:
    """Return ``da`` with left/right ``parts`` exchanged where ``mask``.

    ``components`` limits the exchange to those labels of the variable's one
    further dimension (e.g. the world ``x`` and ``y``).
    """
    first = ("time", "keypoint", "individual")
    canon = da.transpose(*first, ...)
    data = canon.values.copy()
    keypoints = [str(k) for k in canon["keypoint"].values]
    left, right = _side_names(parts)
    li = np.array([keypoints.index(k) for k in left])
    ri = np.array([keypoints.index(k) for k in right])
    ind = [str(i) for i in canon["individual"].values].index(individual)
    times = np.flatnonzero(mask)[:, None]
    sub = data[:, :, ind]
    if components is None:
        views = [sub]
    else:
        labels = [str(v) for v in canon[canon.dims[3]].values]
        views = [sub[..., labels.index(c)] for c in components]
    for view in views:
        left_vals = view[times, li].copy()
        view[times, li] = view[times, ri]
        view[times, ri] = left_vals
    return canon.copy(data=data).transpose(*da.dims)


# -- near side cues ---------------------------------------------------------------
