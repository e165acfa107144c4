"""Left/right leg swaps in side view: detect, repair, near side, far-leg weight.

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
from typing import Final, NamedTuple

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.io.poses import append_log, validate_poses

__all__ = [
    "FAR_LEG",
    "FOOT_CHAIN",
    "LEG_CHAIN",
    "detect_leg_swaps",
    "downweight_far_leg",
    "estimate_near_side",
    "repair_leg_swaps",
]

LEG_CHAIN: Final = ("knee", "ankle", "heel", "foot_index")
"""Keypoints (without side prefix) whose motion decides a whole-leg swap."""

FOOT_CHAIN: Final = ("ankle", "heel", "foot_index")
"""Keypoints of the foot-only pass of :func:`repair_leg_swaps`."""

FAR_LEG: Final = ("hip", "knee", "ankle", "heel", "foot_index")
"""Keypoints of one side that :func:`downweight_far_leg` scales."""

DEFAULT_SWITCH_PENALTY: Final = 0.15
"""Cost of one change of state, in body-scale units of prediction error
(and of summed relative segment-length error in the knee pass)."""

_SIDES: Final = ("left", "right")
_SCORE_VARS: Final = ("confidence", "presence")
_NOISE: Final = 0.04  # keypoint jitter, body scales (the scale: hip-to-ankle length)
_ACCEL_RMS: Final = 50.0  # typical leg acceleration relative to the pelvis, scales/s^2
_ACCEL_MAX: Final = 150.0  # peak leg acceleration relative to the pelvis, scales/s^2
_COST_CAP: Final = 0.5  # per-point prediction error counted at most, body scales
_DEFAULT_FRAME_S: Final = 1.0 / 30.0
_MAX_COAST_S: Final = 0.1  # a track coasting longer restarts, seconds
_MAX_AGE: Final = 30  # updates after which the tracker gains stay constant
_SCAN_DEPTH: Final = 4  # frames a decision is deferred by, plus one
_WARMUP_S: Final = 0.5  # overlap of the chunks tracked side by side, seconds
_MAX_CHUNKS: Final = 16
_SIDE_VIEW_HIP_SEPARATION: Final = 0.2  # hip-to-hip over hip-to-ankle; side <= 0.12, rear 0.27
_VIS_MARGIN: Final = 0.1  # near-far visibility difference that counts as sure
_DEPTH_MARGIN_M: Final = 0.05  # far-near world depth difference that counts as sure

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


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


def estimate_near_side(ds: xr.Dataset, direction: int) -> tuple[str, float]:
    """Say which leg is nearer the camera in a side view.

    A runner moving right on screen shows the camera the right side
    (``direction=+1`` gives ``"right"``, ``-1`` gives ``"left"``). The
    landmarks confirm it: the near leg's knee, ankle, heel and foot index are
    usually more visible, and (with ``world_position``) nearer in depth.

    Parameters
    ----------
    ds
        A poses dataset (all individuals pooled).
    direction
        On-screen direction of travel: ``+1`` right, ``-1`` left.

    Returns
    -------
    tuple of (str, float)
        The near side from the geometry, and a confidence in 0-1: 0.65 with
        no landmark evidence, up to 1 when the landmarks agree clearly, down
        to 0.3 when they clearly disagree (for example a mirrored video).

    Raises
    ------
    ValueError
        If ``direction`` is not +1 or -1.
    """
    validate_poses(ds)
    if direction not in (1, -1):
        raise ValueError(f"Expected direction +1 (right) or -1 (left), got {direction!r}.")
    near = "right" if direction > 0 else "left"
    far = "left" if near == "right" else "right"
    cues = [_visibility_cue(ds, near, far)]
    if "world_position" in ds:
        cues.append(_depth_cue(ds, near, far))
    finite = [cue for cue in cues if np.isfinite(cue)]
    agreement = float(np.clip(np.mean(finite), -1.0, 1.0)) if finite else 0.0
    return near, round(0.65 + 0.35 * agreement, 3)


def downweight_far_leg(ds: xr.Dataset, near_side: str, factor: float = 0.5) -> xr.Dataset:
    """Multiply the far leg's confidence by ``factor``.

    The far (occluded) leg's heel and toe are often placed badly in side
    view; lowering their confidence lets later weighted steps trust them
    less.

    Parameters
    ----------
    ds
        A poses dataset.
    near_side
        ``"left"`` or ``"right"``, e.g. from :func:`estimate_near_side`.
    factor
        Multiplier in 0-1 for the far side's hip, knee, ankle, heel and foot
        index (:data:`FAR_LEG`).

    Returns
    -------
    xarray.Dataset
        A new dataset with the far leg's ``confidence`` scaled, logged.

    Raises
    ------
    ValueError
        If ``near_side`` or ``factor`` is out of range.
    """
    validate_poses(ds)
    if near_side not in _SIDES:
        raise ValueError(f"Expected near_side 'left' or 'right', got {near_side!r}.")
    if not 0.0 <= factor <= 1.0:
        raise ValueError(f"Expected factor in [0, 1], got {factor!r}.")
    far = "left" if near_side == "right" else "right"
    names = [f"{far}_{part}" for part in FAR_LEG]
    weight = xr.DataArray(
        np.where(np.isin(ds["keypoint"].values, names), factor, 1.0).astype(np.float32),
        dims="keypoint",
    )
    out = ds.copy()
    out["confidence"] = (ds["confidence"] * weight).astype(ds["confidence"].dtype)
    out["confidence"].attrs = ds["confidence"].attrs
    return append_log(
        out, "downweight_far_leg", near_side=near_side, far_side=far, factor=factor, keypoints=names
    )


# -- data access ---------------------------------------------------------------


def _pick_individual(ds: xr.Dataset, individual: str | None) -> str:
    names = [str(name) for name in ds["individual"].values]
    if individual is None:
        return names[0]
    if individual not in names:
        raise ValueError(f"Expected individual to be one of {names}, got {individual!r}.")
    return individual


def _side_names(parts: Sequence[str]) -> tuple[list[str], list[str]]:
    return [f"left_{p}" for p in parts], [f"right_{p}" for p in parts]


def _leg_positions(ds: xr.Dataset, individual: str, parts: Sequence[str]) -> FloatArray:
    """Return positions shaped ``(n_time, side, keypoint, space)`` (left, right)."""
    left, right = _side_names(parts)
    missing = sorted(set(left + right) - {str(k) for k in ds["keypoint"].values})
    if missing:
        raise ValueError(f"Poses dataset lacks keypoints {missing}.")
    pos = ds["position"].sel(individual=individual).transpose("time", "keypoint", "space")
    return np.stack([pos.sel(keypoint=left).values, pos.sel(keypoint=right).values], axis=1).astype(
        np.float64
    )


def _body_scale(ds: xr.Dataset, individual: str) -> float:
    """Median hip-to-ankle length over frames and both sides, pixels."""
    hips = _leg_positions(ds, individual, ("hip",))
    ankles = _leg_positions(ds, individual, ("ankle",))
    lengths = np.linalg.norm(hips - ankles, axis=-1)
    if not np.isfinite(lengths).any():
        return float("nan")
    return float(np.nanmedian(lengths))


def _frame_interval(ds: xr.Dataset) -> float:
    """Median frame interval in seconds (1/30 s when it cannot be measured)."""
    steps = np.diff(np.asarray(ds["time"].values, dtype=np.float64))
    steps = steps[np.isfinite(steps) & (steps > 0)]
    return float(np.median(steps)) if steps.size else _DEFAULT_FRAME_S


def _frame_numbers(ds: xr.Dataset) -> NDArray[np.int64]:
    if "frame" in ds.coords:
        return np.asarray(ds["frame"].values, dtype=np.int64)
    return np.arange(ds.sizes["time"], dtype=np.int64)


# -- the dynamic programme -------------------------------------------------------


class _Model(NamedTuple):
    """Tracking constants for one frame interval (body-scale units, frames)."""

    alphas: FloatArray  # position gain by number of updates so far
    betas: FloatArray  # velocity gain by number of updates so far
    gates: FloatArray  # gate by number of frames missed so far
    switch_penalty: float
    depth: int
    warmup: int  # frames each chunk starts early

    @classmethod
    def for_interval(cls, frame_s: float, switch_penalty: float) -> _Model:
        """Steady-state gains from the tracking index (Kalata, 1984), gates from physiology."""
        index = _ACCEL_RMS * frame_s**2 / _NOISE
        r = (4.0 + index - np.sqrt(8.0 * index + index**2)) / 4.0
        alpha = 1.0 - r**2
        beta = 2.0 * (2.0 - alpha) - 4.0 * np.sqrt(1.0 - alpha)
        max_misses = max(3, round(_MAX_COAST_S / frame_s))
        misses = np.arange(max_misses + 1, dtype=np.float64)
        # least-squares start-up (growing memory) until the steady state takes over
        n = np.arange(1, _MAX_AGE + 2, dtype=np.float64)
        return cls(
            alphas=np.maximum(alpha, np.minimum(1.0, 2.0 * (2.0 * n - 1.0) / (n * (n + 1.0)))),
            betas=np.maximum(beta, np.minimum(1.0, 6.0 / (n * (n + 1.0)))),
            gates=3.0 * _NOISE + _ACCEL_MAX * frame_s**2 * np.square(misses + 1.0),
            switch_penalty=switch_penalty,
            depth=_SCAN_DEPTH,
            warmup=max(20, round(_WARMUP_S / frame_s)),
        )

    @property
    def max_misses(self) -> int:
        """Frames a track may coast before it restarts."""
        return int(self.gates.size - 1)


def _track_hypotheses(views: FloatArray, model: _Model) -> BoolArray:
    """Label the legs by multiple-hypothesis tracking, in overlapping chunks.

    A long clip is cut into chunks that are tracked side by side (one numpy
    operation serves all chunks, which keeps the loop over time short); each
    chunk starts ``model.warmup`` frames early, and is flipped to agree with
    the previous chunk over the second half of that warm-up.

    Parameters
    ----------
    views
        ``(n_time, state, point, space)``: the chain points as given (state 0)
        and with the sides exchanged (state 1), in body-scale units, NaN
        where missing.
    model
        Tracking constants.

    Returns
    -------
    numpy.ndarray
        Boolean state per frame (True = swapped), before the global flip.
    """
    n_time = views.shape[0]
    warmup = model.warmup
    n_chunks = int(np.clip(n_time // (4 * warmup), 1, _MAX_CHUNKS))
    if n_chunks == 1:
        return _track_chunks(views[None], model)[0]
    core = -(-n_time // n_chunks)
    pad_end = np.full((n_chunks * core - n_time, *views.shape[1:]), np.nan)
    pad_start = np.full((warmup, *views.shape[1:]), np.nan)
    padded = np.concatenate([pad_start, views, pad_end])
    index = (np.arange(n_chunks) * core)[:, None] + np.arange(core + warmup)[None]
    raw = _track_chunks(padded[index], model)  # (chunk, warmup + core)
    valid = np.isfinite(padded[index][:, :, 0]).all(axis=-1).any(axis=-1)
    half = slice(warmup // 2, warmup)
    late = slice(core + warmup // 2, core + warmup)
    disagree = raw[1:, half] != raw[:-1, late]
    weight = valid[1:, half]
    flips = np.concatenate(
        [[False], np.cumsum((disagree & weight).sum(axis=1) * 2 > weight.sum(axis=1)) % 2 == 1]
    )
    states: BoolArray = (raw[:, warmup:] ^ flips[:, None]).ravel()[:n_time]
    return states


def _track_chunks(views: FloatArray, model: _Model) -> BoolArray:
    """Label the legs of each chunk by multiple-hypothesis tracking, N-scan pruning.

    Every hypothesis is a sequence of swap states over the last
    ``model.depth`` frames and carries alpha-beta trackers of both legs. Each
    frame extends every hypothesis by "as given" and "swapped"; a frame costs,
    per keypoint, the capped distance of the relabelled observation from the
    hypothesis' prediction, plus a penalty per change of state. The state of
    the oldest frame in the window is then fixed from the cheapest hypothesis
    and the hypotheses that disagree are dropped (Reid, 1979; Blackman,
    2004). An observation outside the tracking gate does not update the
    tracker (it coasts), so short bursts of garbage do not bend the tracks.

    Hypotheses are kept in canonical order: index ``h`` holds the states of
    the last ``depth - 1`` frames as the bits of ``h`` (newest lowest), so the
    survivors of a decision are always a contiguous half of the candidates.

    Parameters
    ----------
    views
        ``(chunk, n_time, state, point, space)``, see :func:`_track_hypotheses`.
    model
        Tracking constants.

    Returns
    -------
    numpy.ndarray
        ``(chunk, n_time)`` boolean states (True = swapped).
    """
    n_chunks, n_time, _, n_points, _ = views.shape
    n_hyp = 2 ** (max(1, model.depth) - 1)
    lag = n_hyp.bit_length() - 1
    valid: BoolArray = np.all(np.isfinite(views[:, :, 0]), axis=-1)  # (chunk, time, point)
    n_valid = valid.sum(axis=-1, keepdims=True)
    weights = np.where(valid, 2.0 / np.maximum(n_valid, 1), 0.0)[..., None]
    views = np.nan_to_num(views)
    chunk = np.arange(n_chunks)[:, None]
    newest = np.arange(n_hyp) % 2
    parents = np.arange(2 * n_hyp).reshape(2, n_hyp) // 2  # by decided state
    keepers = np.arange(2 * n_hyp).reshape(2, n_hyp)
    switch = model.switch_penalty * (np.arange(2)[None, :] != newest[:, None])
    position = np.zeros((n_chunks, n_hyp, n_points, 2))
    velocity = np.zeros_like(position)
    age = np.zeros((n_chunks, n_hyp, n_points), dtype=np.int64)  # sightings used; 0: no track
    misses = np.zeros_like(age)
    total = np.tile(np.where(np.arange(n_hyp) > 0, np.inf, 0.0), (n_chunks, 1))
    decided = np.zeros((n_chunks, n_time + lag), dtype=bool)
    for t in range(n_time):
        predicted = position + velocity
        resid = views[:, t, None] - predicted[:, :, None]  # (chunk, hyp, state, point, space)
        error = np.sqrt(np.square(resid).sum(axis=-1))  # (chunk, hyp, state, point)
        capped = np.where(age[:, :, None] > 0, np.minimum(error, _COST_CAP), _COST_CAP)
        cost = (capped @ weights[:, None, t])[..., 0]  # (chunk, hyp, state)
        candidates = (total[:, :, None] + cost + switch).reshape(n_chunks, 2 * n_hyp)
        best = candidates.argmin(axis=1)
        state = (best >= n_hyp).astype(np.intp)
        decided[:, t] = state
        total = np.take_along_axis(candidates, keepers[state], axis=1)
        total -= total.min(axis=1, keepdims=True)
        parent = parents[state]  # (chunk, hyp)
        position, velocity, age, misses = _update_tracks(
            (predicted[chunk, parent], velocity[chunk, parent], age[chunk, parent],
             misses[chunk, parent]),
            views[:, t][:, newest],
            (resid[chunk, parent, newest], error[chunk, parent, newest]),
            valid[:, t, None],
            model,
        )  # fmt: skip
    final = total.argmin(axis=1)[:, None]
    decided[:, n_time:] = (final >> np.arange(lag - 1, -1, -1)[None]) & 1
    return decided[:, lag:]


def _update_tracks(
    tracks: tuple[FloatArray, FloatArray, IntArray, IntArray],
    observed: FloatArray,
    innovation: tuple[FloatArray, FloatArray],
    valid: BoolArray,
    model: _Model,
) -> tuple[FloatArray, FloatArray, IntArray, IntArray]:
    """Alpha-beta update of the kept hypotheses' trackers, gated.

    A track's second sighting sets its velocity; later sightings within the
    gate update it with the steady-state gains; a sighting after more than
    ``max_misses`` missed frames (or the first one) restarts it.
    """
    predicted, velocity, age, misses = tracks
    resid, error = innovation
    use = valid & (age > 0) & ((age == 1) | (error <= model.gates[misses]))
    restart = valid & ((age == 0) | (misses >= model.max_misses))
    gain_a = model.alphas[age] * use
    gain_b = model.betas[age] * use / (misses + 1.0)
    position = predicted + gain_a[..., None] * resid
    velocity = velocity + gain_b[..., None] * resid
    position[restart] = observed[restart]
    velocity[restart] = 0.0
    new_age = np.where(restart, 1, np.minimum(age + use, _MAX_AGE))
    new_misses = np.where(restart | use, 0, np.minimum(misses + 1, model.max_misses))
    return position, velocity, new_age, new_misses


def _track_links(ok: BoolArray, max_gap: int) -> BoolArray:
    """``(n_time,)``: some keypoint was also seen within ``max_gap + 1`` frames before."""
    n_time = ok.shape[0]
    recent = np.zeros_like(ok)
    for lag in range(1, max_gap + 2):
        recent[lag:] |= ok[:-lag]
    linked: BoolArray = np.any(ok & recent, axis=1) if n_time else np.zeros(0, dtype=bool)
    return linked


def _complete(legs: FloatArray) -> BoolArray:
    """``(n_time, keypoint)``: both sides' point is finite."""
    finite: BoolArray = np.all(np.isfinite(legs), axis=(1, 3))
    return finite


def _resolve_flips(states: BoolArray, linked: BoolArray, valid: BoolArray) -> BoolArray:
    """Flip each linked segment whose states say 'swapped' in most valid frames."""
    segment = np.cumsum(~linked) - 1
    n_segments = int(segment[-1]) + 1 if segment.size else 0
    n_swapped = np.bincount(segment, weights=states & valid, minlength=n_segments)
    n_valid = np.bincount(segment, weights=valid, minlength=n_segments)
    flip = n_swapped > n_valid / 2.0
    return states ^ flip[segment]


# -- knees by segment lengths ---------------------------------------------------


def _knee_swaps(ds: xr.Dataset, individual: str, switch_penalty: float) -> BoolArray:
    """Frames where exchanging the knees gives both legs their usual thigh and shank.

    The usual lengths are the medians per side as labelled; the cost of a
    labelling is the summed relative length error of both thighs and shanks.
    """
    hips, knees, ankles = (
        _leg_positions(ds, individual, (p,))[:, :, 0] for p in ("hip", "knee", "ankle")
    )
    n_time = knees.shape[0]
    as_given = _segment_lengths(hips, knees, ankles)  # (segment, n_time, side)
    if n_time < 2 or not np.isfinite(as_given).any(axis=1).all():
        return np.zeros(n_time, dtype=bool)
    usual = np.nanmedian(as_given, axis=1, keepdims=True)
    if not np.all(usual > 0):
        return np.zeros(n_time, dtype=bool)
    swapped = _segment_lengths(hips, knees[:, ::-1], ankles)
    cost0, cost1 = (
        np.nan_to_num(np.abs(lengths / usual - 1.0)).sum(axis=(0, 2))
        for lengths in (as_given, swapped)
    )
    return _binary_viterbi(cost0, cost1, switch_penalty)


def _segment_lengths(hips: FloatArray, knees: FloatArray, ankles: FloatArray) -> FloatArray:
    """Thigh and shank lengths, ``(segment, n_time, side)``."""
    return np.stack(
        [np.linalg.norm(knees - hips, axis=-1), np.linalg.norm(ankles - knees, axis=-1)]
    )


def _looks_side_on(ds: xr.Dataset, individual: str) -> bool:
    """Whether the hips overlap as in a side view (median separation below a threshold)."""
    hips = _leg_positions(ds, individual, ("hip",))[:, :, 0]
    separation = np.linalg.norm(hips[:, 0] - hips[:, 1], axis=-1)
    scale = _body_scale(ds, individual)
    if not np.isfinite(separation).any() or not scale > 0:
        return False
    return bool(np.nanmedian(separation) < _SIDE_VIEW_HIP_SEPARATION * scale)


def _binary_viterbi(cost0: FloatArray, cost1: FloatArray, switch_penalty: float) -> BoolArray:
    """Cheapest two-state path given per-frame state costs and a switch penalty."""
    n_time = cost0.size
    back = np.zeros((n_time, 2), dtype=bool)  # True: came from the other state
    best0, best1 = float(cost0[0]), float(cost1[0])
    for t in range(1, n_time):
        c0, c1 = float(cost0[t]), float(cost1[t])
        stay0, cross0 = best0, best1 + switch_penalty
        stay1, cross1 = best1, best0 + switch_penalty
        back[t] = (cross0 < stay0, cross1 < stay1)
        best0, best1 = min(stay0, cross0) + c0, min(stay1, cross1) + c1
    states = np.zeros(n_time, dtype=bool)
    state = int(best1 < best0)
    for t in range(n_time - 1, -1, -1):
        states[t] = bool(state)
        state = state ^ int(back[t, state])
    return states


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


def _visibility_cue(ds: xr.Dataset, near: str, far: str) -> float:
    """Near-minus-far leg visibility over ``_VIS_MARGIN``, or NaN."""
    conf = ds["confidence"]
    near_vis = conf.sel(keypoint=_side_names(LEG_CHAIN)[0 if near == "left" else 1])
    far_vis = conf.sel(keypoint=_side_names(LEG_CHAIN)[0 if far == "left" else 1])
    diff = near_vis.values.astype(np.float64) - far_vis.values.astype(np.float64)
    if not np.isfinite(diff).any():
        return float("nan")
    return float(np.nanmean(diff)) / _VIS_MARGIN


def _depth_cue(ds: xr.Dataset, near: str, far: str) -> float:
    """Far-minus-near world depth of hips and legs over ``_DEPTH_MARGIN_M``, or NaN."""
    depth = ds["world_position"].sel(world_space="z")
    parts = ("hip", *LEG_CHAIN)
    near_z = depth.sel(keypoint=[f"{near}_{p}" for p in parts]).values.astype(np.float64)
    far_z = depth.sel(keypoint=[f"{far}_{p}" for p in parts]).values.astype(np.float64)
    diff = far_z - near_z
    if not np.isfinite(diff).any():
        return float("nan")
    return float(np.nanmedian(diff)) / _DEPTH_MARGIN_M
