"""Multiple-hypothesis tracking of both legs over a binary swap state.

The dynamic programme behind :func:`runform.processing.legswap.detect_leg_swaps`
(the method is described in :mod:`runform.processing.legswap`): alpha-beta
trackers per leg keypoint, N-scan pruning, long clips in overlapping chunks,
and the flip of each continuous segment to agree with MediaPipe.
"""

from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np
from numpy.typing import NDArray

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


_NOISE: Final = 0.04  # keypoint jitter, body scales (the scale: hip-to-ankle length)
_ACCEL_RMS: Final = 50.0  # typical leg acceleration relative to the pelvis, scales/s^2
_ACCEL_MAX: Final = 150.0  # peak leg acceleration relative to the pelvis, scales/s^2
_COST_CAP: Final = 0.5  # per-point prediction error counted at most, body scales
_MAX_COAST_S: Final = 0.1  # a track coasting longer restarts, seconds
_MAX_AGE: Final = 30  # updates after which the tracker gains stay constant
_SCAN_DEPTH: Final = 4  # frames a decision is deferred by, plus one
_WARMUP_S: Final = 0.5  # overlap of the chunks tracked side by side, seconds
_MAX_CHUNKS: Final = 16


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
