"""Tests of the cleaning steps in runform.processing.clean."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from runform.io.poses import create_poses_dataset, read_log
from runform.processing.clean import (
    DEFAULT_SETTINGS,
    CleaningSettings,
    clean_poses,
    gate_confidence,
)
from runform.processing.gaps import fill_gaps
from runform.processing.lowpass import filter_lowpass
from runform.processing.outliers import reject_outliers

KEYPOINTS = ("left_knee", "right_knee")
Step = Callable[[xr.Dataset], xr.Dataset]


def make_ds(
    x: np.ndarray,
    time_s: np.ndarray,
    *,
    y: np.ndarray | None = None,
    confidence: np.ndarray | None = None,
    world: bool = False,
) -> xr.Dataset:
    """Two keypoints: the first follows (x, y), the second is a shifted copy."""
    y = 0.5 * x + 7.0 if y is None else y
    one = np.stack([x, y], axis=1)  # (time, space)
    position = np.stack([one, one + 100.0], axis=2)[..., None]  # (time, space, kp, ind)
    n = len(time_s)
    conf = np.ones((n, 2, 1)) if confidence is None else confidence
    world_position = None
    if world:
        world_position = np.concatenate([position / 1000.0, position[:, :1] / 500.0], axis=1)
    return create_poses_dataset(
        position, conf, time_s, keypoints=KEYPOINTS, world_position=world_position
    )


def times(fps: float, duration_s: float) -> np.ndarray:
    return np.arange(round(duration_s * fps)) / fps


def ops(ds: xr.Dataset) -> list[str]:
    return [entry["operation"] for entry in read_log(ds)]


def pos(ds: xr.Dataset) -> np.ndarray:
    return ds["position"].sel(keypoint="left_knee", individual="runner").values  # (time, space)


# ----------------------------------------------------------------------------
# gate_confidence
# ----------------------------------------------------------------------------


def test_gate_sets_exactly_low_confidence_points_nan() -> None:
    rng = np.random.default_rng(1)
    t = times(30, 2)
    conf = rng.random((len(t), 2, 1))
    conf[5, 0, 0] = np.nan
    ds = make_ds(np.sin(t), t, confidence=conf, world=True)
    out = gate_confidence(ds, threshold=0.3)
    gated = ~(conf >= 0.3)
    assert np.array_equal(np.isnan(out["position"].values), np.repeat(gated[:, None], 2, axis=1))
    assert np.array_equal(
        np.isnan(out["world_position"].values), np.repeat(gated[:, None], 3, axis=1)
    )
    kept = ~np.repeat(gated[:, None], 2, axis=1)
    assert np.array_equal(out["position"].values[kept], ds["position"].values[kept])
    xr.testing.assert_identical(out["confidence"], ds["confidence"])
    entry = read_log(out)[-1]
    assert entry["operation"] == "gate_confidence"
    assert entry["threshold"] == 0.3
    assert entry["n_gated"] == int(gated.sum())


def test_gate_counts_only_points_that_had_a_position() -> None:
    t = times(30, 1)
    x = np.sin(t)
    x[:3] = np.nan
    conf = np.ones((len(t), 2, 1))
    conf[:5] = 0.0
    out = gate_confidence(make_ds(x, t, y=x, confidence=conf), threshold=0.5)
    assert read_log(out)[-1]["n_gated"] == 2 * 2  # frames 3 and 4 of both keypoints


@pytest.mark.parametrize("threshold", [-0.1, 1.01, float("nan")])
def test_gate_rejects_bad_threshold(threshold: float) -> None:
    t = times(30, 1)
    with pytest.raises(ValueError, match="threshold"):
        gate_confidence(make_ds(t, t), threshold)


# ----------------------------------------------------------------------------
# reject_outliers
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("fps", [30, 60, 240])
@pytest.mark.parametrize("freq_hz", [1.0, 1.5, 3.0])
def test_hampel_leaves_clean_sinusoid_untouched(fps: int, freq_hz: float) -> None:
    t = times(fps, 3)
    ds = make_ds(300 + 80 * np.sin(2 * np.pi * freq_hz * t), t)
    out = reject_outliers(ds)
    xr.testing.assert_identical(out["position"], ds["position"])
    assert read_log(out)[-1]["n_outliers"] == 0


def test_hampel_removes_injected_spikes_and_nothing_else() -> None:
    rng = np.random.default_rng(2)
    t = times(60, 4)
    x = 300 + 40 * np.sin(2 * np.pi * 1.5 * t) + rng.normal(0, 0.5, t.size)
    y = 200 + 30 * np.cos(2 * np.pi * 1.5 * t) + rng.normal(0, 0.5, t.size)
    x[100:120] = np.nan  # samples next to a gap keep a symmetric window: no false alarms
    spikes_x = [4, 50, 96, 150, 151, 200]  # near the start, next to the gap, a 2-frame burst
    spikes_y = [230]  # y only: the whole point goes
    x[spikes_x] += 150
    y[spikes_y] -= 150
    ds = make_ds(x, t, y=y, world=True)
    out = reject_outliers(ds, window_s=0.2, n_sigmas=3.0)
    removed = np.zeros(t.size, dtype=bool)
    removed[spikes_x + spikes_y] = True
    got = np.isnan(pos(out))
    np.testing.assert_array_equal(got[:, 0], removed | np.isnan(x))
    np.testing.assert_array_equal(got[:, 1], removed)
    world = out["world_position"].sel(keypoint="left_knee").values[..., 0]
    np.testing.assert_array_equal(np.isnan(world).all(axis=1), removed)
    entry = read_log(out)[-1]
    assert entry["n_outliers"] == 2 * len(spikes_x + spikes_y)  # both keypoints
    assert entry["half_window_frames"] == 6
    assert entry["window_s"] == 0.2
    assert entry["n_sigmas"] == 3.0


def test_hampel_does_not_test_samples_without_three_valid_pairs() -> None:
    t = times(60, 1)
    x = 300 + 40 * np.sin(2 * np.pi * t)
    x[[2, 57]] += 500  # within 3 frames of the ends
    x[20:30] = np.nan
    x[32] += 500  # only 2 valid pairs (33/31, 34/30) around it
    out = pos(reject_outliers(make_ds(x, t)))[:, 0]
    np.testing.assert_array_equal(np.isnan(out), np.isnan(x))


def test_hampel_window_follows_frame_rate_with_minimum() -> None:
    t_fast, t_slow = times(240, 1), times(10, 3)
    fast = read_log(reject_outliers(make_ds(np.sin(t_fast), t_fast), window_s=0.3))[-1]
    slow = read_log(reject_outliers(make_ds(np.sin(t_slow), t_slow), window_s=0.3))[-1]
    assert fast["half_window_frames"] == 36  # 0.15 s each side
    assert fast["frame_rate_hz"] == pytest.approx(240)
    assert slow["half_window_frames"] == 3


@pytest.mark.parametrize(("kwargs", "match"), [({"window_s": 0}, "window_s"),
                                               ({"n_sigmas": -1}, "n_sigmas")])  # fmt: skip
def test_hampel_rejects_bad_parameters(kwargs: dict[str, float], match: str) -> None:
    t = times(30, 1)
    with pytest.raises(ValueError, match=match):
        reject_outliers(make_ds(t, t), **kwargs)


# ----------------------------------------------------------------------------
# fill_gaps
# ----------------------------------------------------------------------------


def _gappy_linear(fps: int) -> tuple[xr.Dataset, np.ndarray, np.ndarray]:
    t = times(fps, 3)
    truth = 12.0 + 40.0 * t
    x = truth.copy()
    x[t < 0.2] = np.nan  # leading
    x[(t >= 1.0) & (t < 1.05)] = np.nan  # short: filled
    x[(t >= 2.0) & (t < 2.3)] = np.nan  # long: stays NaN
    x[t >= 2.9] = np.nan  # trailing
    return make_ds(x, t, world=True), t, truth


@pytest.mark.parametrize("fps", [30, 120])
def test_fill_gaps_fills_short_gaps_exactly_for_linear_signal(fps: int) -> None:
    ds, t, truth = _gappy_linear(fps)
    out = fill_gaps(ds, max_gap_s=0.1)
    short = (t >= 1.0) & (t < 1.05)
    still_nan = (t < 0.2) | ((t >= 2.0) & (t < 2.3)) | (t >= 2.9)
    x = pos(out)[:, 0]
    np.testing.assert_array_equal(np.isnan(x), still_nan)
    np.testing.assert_allclose(x[~still_nan], truth[~still_nan], rtol=1e-6)
    filled = out["filled"].sel(keypoint="left_knee", individual="runner").values
    np.testing.assert_array_equal(filled, short)
    assert out["filled"].dims == ("time", "keypoint", "individual")
    assert not np.isnan(out["world_position"].values[short]).any()
    entry = read_log(out)[-1]
    assert entry["operation"] == "fill_gaps"
    assert entry["max_gap_s"] == 0.1
    assert entry["n_filled"] == 2 * short.sum()


def test_fill_gaps_same_result_in_seconds_at_30_and_120_fps() -> None:
    results = {}
    for fps in (30, 120):
        t = times(fps, 3)
        x = 200 + 50 * np.sin(2 * np.pi * 1.2 * t)
        x[(t >= 1.0) & (t < 1.08)] = np.nan
        x[(t >= 2.0) & (t < 2.15)] = np.nan
        results[fps] = pos(fill_gaps(make_ds(x, t), max_gap_s=0.1))[:, 0]
    slow, fast = results[30], results[120][::4]
    # only the long gap (5 frames at 30 fps) stays NaN: NaN == NaN passes below
    assert np.isnan(slow).sum() == 5
    np.testing.assert_array_equal(np.isnan(slow), np.isnan(fast))
    np.testing.assert_allclose(slow, fast, atol=0.5, equal_nan=True)  # px, of a 50 px swing
    t = times(30, 3)
    assert np.isnan(slow[(t >= 2.0) & (t < 2.15)]).all()


def test_fill_gaps_boundary_is_inclusive() -> None:
    t = times(30, 2)
    x = t.copy()
    x[10:13] = np.nan  # 3 frames = 0.1 s: filled
    x[30:34] = np.nan  # 4 frames = 0.133 s: kept
    out = pos(fill_gaps(make_ds(x, t), max_gap_s=0.1))[:, 0]
    assert not np.isnan(out[10:13]).any()
    assert np.isnan(out[30:34]).all()


def test_fill_gaps_linear_with_two_points_and_merges_existing_flags() -> None:
    t = times(30, 0.2)  # 6 frames
    x = np.full(t.size, np.nan)
    x[1], x[3] = 5.0, 9.0
    ds = make_ds(x, t)
    ds["filled"] = xr.zeros_like(ds["confidence"], dtype=bool)
    ds["filled"][0, 1, 0] = True
    out = fill_gaps(ds, max_gap_s=0.1)
    assert pos(out)[2, 0] == pytest.approx(7.0)
    assert np.isnan(pos(out)[[0, 4, 5], 0]).all()
    assert bool(out["filled"][0, 1, 0])
    assert bool(out["filled"][2, 0, 0])
    assert int(out["filled"].sum()) == 3


def test_fill_gaps_rejects_negative_max_gap() -> None:
    t = times(30, 1)
    with pytest.raises(ValueError, match="max_gap_s"):
        fill_gaps(make_ds(t, t), max_gap_s=-0.1)


# ----------------------------------------------------------------------------
# filter_lowpass
# ----------------------------------------------------------------------------


def test_lowpass_attenuates_20hz_at_60fps() -> None:
    t = times(60, 4)
    out = filter_lowpass(make_ds(500 + 10 * np.sin(2 * np.pi * 20 * t), t))
    interior = (t > 0.5) & (t < 3.5)
    assert np.abs(pos(out)[interior, 0] - 500).max() < 0.01 * 10


def test_lowpass_passes_2hz_without_lag() -> None:
    t = times(60, 4)
    x = 500 + 100 * np.sin(2 * np.pi * 2 * t + 0.3)
    out = pos(filter_lowpass(make_ds(x, t), cutoff_hz=8.0, order=4))[:, 0]
    interior = (t > 0.5) & (t < 3.5)
    assert np.abs(out[interior] - x[interior]).max() < 0.01 * 100
    peaks = np.flatnonzero((x[1:-1] > x[:-2]) & (x[1:-1] > x[2:])) + 1
    out_peaks = np.flatnonzero((out[1:-1] > out[:-2]) & (out[1:-1] > out[2:])) + 1
    np.testing.assert_array_equal(peaks, out_peaks)


def test_lowpass_cutoff_follows_time_coordinate() -> None:
    def signal(t: np.ndarray) -> np.ndarray:
        return 300 + 60 * np.sin(2 * np.pi * 1.7 * t) + 8 * np.sin(2 * np.pi * 20 * t)

    slow_t, fast_t = times(60, 3), times(240, 3)  # 240 fps: e.g. a slow-motion clip
    slow = pos(filter_lowpass(make_ds(signal(slow_t), slow_t)))[:, 0]
    fast = pos(filter_lowpass(make_ds(signal(fast_t), fast_t)))[::4, 0]
    interior = (slow_t > 0.5) & (slow_t < 2.5)
    assert np.isfinite(slow[interior]).all()  # NaN == NaN would pass assert_allclose
    np.testing.assert_allclose(slow[interior], fast[interior], atol=0.1)  # of a 68 px signal


def test_lowpass_preserves_nan_runs_and_skips_short_runs() -> None:
    rng = np.random.default_rng(4)
    t = times(60, 3)
    x = 300 + 50 * np.sin(2 * np.pi * 1.5 * t) + rng.normal(0, 2, t.size)
    x[60:80] = np.nan
    x[90:100] = np.nan  # leaves a 10-sample run 80..89: too short, unfiltered
    ds = make_ds(x, t, world=True)
    out = filter_lowpass(ds)
    got = pos(out)[:, 0]
    np.testing.assert_array_equal(np.isnan(got), np.isnan(x))
    np.testing.assert_allclose(got[80:90], x[80:90], rtol=1e-6)
    assert not np.allclose(got[100:], x[100:])
    world_in = ds["world_position"].values
    world_out = out["world_position"].values
    np.testing.assert_array_equal(np.isnan(world_out), np.isnan(world_in))
    assert not np.allclose(world_out[100:], world_in[100:])
    entry = read_log(out)[-1]
    assert entry["operation"] == "filter_lowpass"
    assert entry["cutoff_hz"] == 8.0
    assert entry["order"] == 4
    assert entry["n_runs_unfiltered"] == 2 * 2 + 3 * 2  # 2 keypoints x (2 pixel + 3 world axes)
    assert entry["design_cutoff_hz"] > 8.0


def test_lowpass_skips_cutoff_near_nyquist() -> None:
    t = times(30, 2)
    ds = make_ds(np.sin(2 * np.pi * t), t)
    out = filter_lowpass(ds, cutoff_hz=14.5)
    xr.testing.assert_identical(out["position"], ds["position"])
    assert "Nyquist" in read_log(out)[-1]["skipped"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"cutoff_hz": 0.0}, "cutoff_hz"), ({"cutoff_hz": -2.0}, "cutoff_hz"),
     ({"order": 0}, "order"), ({"order": 2.5}, "order")],
)  # fmt: skip
def test_lowpass_rejects_bad_parameters(kwargs: dict[str, float], match: str) -> None:
    t = times(30, 1)
    with pytest.raises(ValueError, match=match):
        filter_lowpass(make_ds(t, t), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("step", [reject_outliers, filter_lowpass])
def test_steps_needing_a_frame_rate_reject_a_single_frame(step: Step) -> None:
    ds = make_ds(np.array([1.0]), np.array([0.0]))
    with pytest.raises(ValueError, match="2 time points"):
        step(ds)


# ----------------------------------------------------------------------------
# the chain, settings, purity
# ----------------------------------------------------------------------------


def test_clean_poses_runs_steps_in_order_with_settings() -> None:
    rng = np.random.default_rng(5)
    t = times(60, 2)
    ds = make_ds(300 + 50 * np.sin(2 * np.pi * t), t, confidence=rng.random((t.size, 2, 1)))
    custom = CleaningSettings(confidence_threshold=0.2, cutoff_hz=6.0)
    out = clean_poses(ds, custom)
    assert ops(out) == ["gate_confidence", "reject_outliers", "fill_gaps", "filter_lowpass"]
    log = read_log(out)
    assert log[0]["threshold"] == 0.2
    assert log[3]["cutoff_hz"] == 6.0
    assert "filled" in out
    assert ops(clean_poses(ds))[-1] == "filter_lowpass"


def test_settings_to_dict_frozen_and_validated() -> None:
    assert DEFAULT_SETTINGS.to_dict() == {
        "confidence_threshold": 0.3,
        "outlier_window_s": 0.2,
        "outlier_n_sigmas": 3.0,
        "max_gap_s": 0.1,
        "cutoff_hz": 12.0,
        "filter_order": 4,
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_SETTINGS.cutoff_hz = 5.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="cutoff_hz"):
        CleaningSettings(cutoff_hz=0)


@pytest.mark.parametrize("step", [gate_confidence, reject_outliers, fill_gaps, filter_lowpass,
                                  clean_poses])  # fmt: skip
def test_steps_do_not_mutate_input(step: Step) -> None:
    rng = np.random.default_rng(6)
    t = times(60, 2)
    x = 300 + 50 * np.sin(2 * np.pi * t) + rng.normal(0, 1, t.size)
    x[[10, 40, 41]] = np.nan
    x[70] += 80
    ds = make_ds(x, t, confidence=rng.random((t.size, 2, 1)), world=True)
    before = ds.copy(deep=True)
    out = step(ds)
    xr.testing.assert_identical(ds, before)
    assert out is not ds
    assert len(read_log(out)) > len(read_log(ds))


# ----------------------------------------------------------------------------
# equivariance under translation and scaling (hypothesis)
# ----------------------------------------------------------------------------

N_TIME = 48


@st.composite
def gappy_series(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Integer-valued positions (exact in float32) with NaN holes, and confidences."""
    values = draw(hnp.arrays(np.float64, (N_TIME, 2, 2), elements=st.integers(-300, 300)))
    holes = draw(hnp.arrays(np.bool_, (N_TIME, 1, 2), elements=st.booleans()))
    values = np.where(holes & draw(st.booleans()), np.nan, values)
    conf = draw(hnp.arrays(np.float64, (N_TIME, 2, 1), elements=st.sampled_from([0.1, 0.5, 0.9])))
    return values, conf


STEPS: dict[str, tuple[Step, float]] = {
    "gate": (gate_confidence, 0.0),
    "outliers": (reject_outliers, 0.0),
    "gaps": (lambda ds: fill_gaps(ds, max_gap_s=0.05), 1e-5),
    "lowpass": (filter_lowpass, 1e-5),
}


@settings(max_examples=25, deadline=None)
@given(
    data=gappy_series(),
    step_name=st.sampled_from(sorted(STEPS)),
    offset=st.tuples(st.integers(-2000, 2000), st.integers(-2000, 2000)),
    scale=st.sampled_from([0.25, 0.5, 2.0, 4.0]),
)
def test_steps_are_equivariant_to_translation_and_scaling(
    data: tuple[np.ndarray, np.ndarray],
    step_name: str,
    offset: tuple[int, int],
    scale: float,
) -> None:
    values, conf = data
    step, atol = STEPS[step_name]
    t = times(60, N_TIME / 60)
    shift = np.array(offset, dtype=np.float64)[None, :, None, None]

    def build(position: np.ndarray) -> xr.Dataset:
        return create_poses_dataset(position, conf, t, keypoints=KEYPOINTS)

    base = step(build(values[..., None]))["position"].values.astype(np.float64)
    moved = step(build(values[..., None] + shift))["position"].values
    scaled = step(build(values[..., None] * scale))["position"].values
    magnitude = 1.0 + np.nanmax(np.abs(values), initial=0.0)
    np.testing.assert_allclose(moved - shift, base, atol=atol * (magnitude + 2000), rtol=0)
    np.testing.assert_allclose(scaled / scale, base, atol=atol * magnitude, rtol=0)
