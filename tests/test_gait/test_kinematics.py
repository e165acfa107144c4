"""Angles from keypoints, checked against the synthetic runner's exact truth."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
import xarray as xr
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from runform.gait.kinematics import (
    ANGLE_DESCRIPTIONS,
    compute_angles,
    normalise_to_cycle,
    sample_at_times,
    summarise_cycles,
    to_body_frame,
)
from runform.skeleton import KEYPOINT_INDEX, KEYPOINT_NAMES
from runform.synth import PRESETS, SyntheticTruth, compute_truth

SIDES = ("left", "right")
SIDED = (
    "thigh_angle",
    "shank_angle",
    "foot_angle",
    "knee_flexion",
    "hip_flexion",
    "ankle_dorsiflexion",
    "elbow_flexion",
)
ALL_NAMES = {"trunk_lean"} | {f"{side}_{name}" for side in SIDES for name in SIDED}


@functools.cache
def truth_of(preset: str) -> SyntheticTruth:
    return compute_truth(PRESETS[preset])


def position_of(keypoints_px: np.ndarray, time_s: np.ndarray | None = None) -> xr.DataArray:
    """(N, 33, 2) keypoints -> DataArray with dims (time, space, keypoint)."""
    n = keypoints_px.shape[0]
    return xr.DataArray(
        np.transpose(keypoints_px, (0, 2, 1)),
        dims=("time", "space", "keypoint"),
        coords={
            "time": np.arange(n) / 60.0 if time_s is None else time_s,
            "space": ["x", "y"],
            "keypoint": list(KEYPOINT_NAMES),
        },
    )


def direction_of(truth: SyntheticTruth) -> int:
    return 1 if truth.params.direction == "right" else -1


@functools.cache
def angles_of(preset: str) -> xr.Dataset:
    truth = truth_of(preset)
    return compute_angles(position_of(truth.keypoints_px, truth.frame_times_s), direction_of(truth))


# ---------------------------------------------------------------------------
# Body frame
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("direction", [1, -1])
def test_to_body_frame_values_and_layout(direction):
    assert to_body_frame(position_of(np.zeros((1, 33, 2))), np.int64(direction)).size == 66
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(4, 2, 33, 1)).astype(np.float32)
    da = xr.DataArray(
        raw,
        dims=("time", "space", "keypoint", "individual"),
        coords={
            "time": np.arange(4.0),
            "space": ["x", "y"],
            "keypoint": list(KEYPOINT_NAMES),
            "individual": ["runner"],
        },
        attrs={"units": "px"},
    )
    body = to_body_frame(da, direction)
    assert body.dims == da.dims
    assert list(body.coords["space"].values) == ["forward", "up"]
    assert body.dtype == np.float32
    assert body.attrs["units"] == "px"
    np.testing.assert_array_equal(body.sel(space="forward").values, direction * raw[:, 0])
    np.testing.assert_array_equal(body.sel(space="up").values, -raw[:, 1])


@pytest.mark.parametrize("bad", [0, 2, -2, True, 0.5, 1.0, "right"])
def test_to_body_frame_rejects_bad_direction(bad):
    da = position_of(truth_of("pose_runner").keypoints_px[:2])
    with pytest.raises(ValueError, match="direction"):
        to_body_frame(da, bad)
    with pytest.raises(ValueError, match="direction"):
        compute_angles(da, bad)


def test_to_body_frame_rejects_wrong_space_and_dims():
    da = position_of(truth_of("pose_runner").keypoints_px[:2])
    with pytest.raises(ValueError, match="space"):
        to_body_frame(da.assign_coords(space=["u", "v"]), 1)
    with pytest.raises(ValueError, match="dims"):
        to_body_frame(da.isel(time=0), 1)


# ---------------------------------------------------------------------------
# Angles against the synthetic truth
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_angles_match_synthetic_truth(preset):
    truth = truth_of(preset)
    angles = angles_of(preset)
    assert set(angles.data_vars) == ALL_NAMES
    for name, expected in truth.angles_deg.items():
        ours = name.replace("heel_toe_angle", "foot_angle")
        got = angles[ours].values
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, atol=0.5, rtol=0, err_msg=name)
        # In fact they agree to rounding error.
        np.testing.assert_allclose(got, expected, atol=1e-6, rtol=0, err_msg=name)


@pytest.mark.parametrize("preset", ["pose_runner", "heel_striker_treadmill", "waist_bender"])
def test_joint_angles_are_the_documented_segment_differences(preset):
    truth, a = truth_of(preset), angles_of(preset)
    t = truth.angles_deg
    np.testing.assert_allclose(a["trunk_lean"], t["trunk_lean"], atol=1e-9)
    for side in SIDES:
        thigh, shank = t[f"{side}_thigh_angle"], t[f"{side}_shank_angle"]
        foot = t[f"{side}_heel_toe_angle"]
        np.testing.assert_allclose(a[f"{side}_knee_flexion"], thigh - shank, atol=1e-9)
        np.testing.assert_allclose(a[f"{side}_hip_flexion"], thigh + t["trunk_lean"], atol=1e-9)
        np.testing.assert_allclose(a[f"{side}_ankle_dorsiflexion"], foot - shank, atol=1e-9)


def test_angles_have_units_and_descriptions():
    angles = angles_of("pose_runner")
    assert angles.attrs["direction"] == 1
    for name, da in angles.data_vars.items():
        assert da.dims == ("time",)
        assert da.attrs["units"] == "deg"
        base = str(name).removeprefix("left_").removeprefix("right_")
        assert da.attrs["description"] == ANGLE_DESCRIPTIONS[base]
    np.testing.assert_array_equal(angles["time"], truth_of("pose_runner").frame_times_s)


@pytest.mark.parametrize("preset", ["pose_runner", "heel_striker"])
def test_elbow_flexion_follows_the_synthetic_arm(preset):
    # The synthetic elbow swings +-8 deg about params.elbow_flexion_deg.
    truth, a = truth_of(preset), angles_of(preset)
    mean = truth.params.elbow_flexion_deg
    for side in SIDES:
        elbow = a[f"{side}_elbow_flexion"].values
        assert np.all(elbow >= mean - 8.0 - 1e-6)
        assert np.all(elbow <= mean + 8.0 + 1e-6)
        assert np.ptp(elbow) > 15.0


@pytest.mark.parametrize("preset", ["pose_runner", "heel_striker"])
def test_hip_flexed_at_contact_and_extended_at_toe_off(preset):
    truth, a = truth_of(preset), angles_of(preset)
    for side in SIDES:
        ic = sample_at_times(a, truth.events_s[side]["initial_contact"])
        to = sample_at_times(a, truth.events_s[side]["toe_off"])
        assert np.all(ic[f"{side}_hip_flexion"].values > 15.0)
        assert np.all(to[f"{side}_hip_flexion"].values < -5.0)
        assert np.all(ic[f"{side}_knee_flexion"].values > 0.0)


def test_contact_angles_sampled_between_frames():
    # pose_runner's contacts fall on frame times: sampling returns the exact
    # contact truth; heel_striker's fall between frames (linear interpolation).
    for preset, tol in (("pose_runner", 1e-6), ("high_fps", 1e-6)):
        truth, a = truth_of(preset), angles_of(preset)
        for contact in truth.contacts:
            s = sample_at_times(a, np.array([contact.time_s]))
            side = contact.side
            assert s[f"{side}_knee_flexion"].item() == pytest.approx(
                contact.knee_flexion_deg, abs=tol
            )
            assert s[f"{side}_shank_angle"].item() == pytest.approx(
                contact.shank_angle_deg, abs=tol
            )
            assert s["trunk_lean"].item() == pytest.approx(contact.trunk_lean_deg, abs=tol)


def test_body_frame_input_is_accepted():
    truth = truth_of("pose_runner_left")
    px = position_of(truth.keypoints_px, truth.frame_times_s)
    from_px = compute_angles(px, -1)
    from_body = compute_angles(to_body_frame(px, -1), -1)
    for name in ALL_NAMES:  # NaN == NaN would pass assert_allclose
        assert np.isfinite(from_px[name].values).all(), name
    xr.testing.assert_allclose(from_px, from_body)


def test_extra_individual_dim_and_float32():
    truth = truth_of("pose_runner")
    px = position_of(truth.keypoints_px, truth.frame_times_s)
    stacked = px.astype(np.float32).expand_dims(individual=["runner"], axis=-1)
    angles = compute_angles(stacked, 1)
    knee = angles["right_knee_flexion"]
    assert set(knee.dims) == {"time", "individual"}
    np.testing.assert_allclose(
        knee.sel(individual="runner"), truth.angles_deg["right_knee_flexion"], atol=0.05
    )


def test_nan_keypoint_only_spoils_the_angles_that_use_it():
    truth = truth_of("pose_runner")
    px = position_of(truth.keypoints_px.copy(), truth.frame_times_s)
    px.loc[{"keypoint": "left_knee"}] = px.sel(keypoint="left_knee").where(
        px["time"] != px["time"][5]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        angles = compute_angles(px, 1).isel(time=5)
    spoiled = {"left_thigh_angle", "left_shank_angle", "left_knee_flexion"}
    spoiled |= {"left_hip_flexion", "left_ankle_dorsiflexion"}
    for name in ALL_NAMES:
        assert np.isnan(angles[name].item()) == (name in spoiled), name


def test_missing_keypoint_raises():
    px = position_of(truth_of("pose_runner").keypoints_px[:3])
    with pytest.raises(ValueError, match="left_heel"):
        compute_angles(px.drop_sel(keypoint="left_heel"), 1)


def test_running_left_equals_running_right():
    right, left = angles_of("pose_runner"), angles_of("pose_runner_left")
    assert right.sizes == left.sizes
    for name in ALL_NAMES:
        assert np.isfinite(right[name].values).all(), name  # NaN == NaN would pass
        np.testing.assert_allclose(left[name], right[name], atol=1e-9, err_msg=name)


# ---------------------------------------------------------------------------
# Invariance properties
# ---------------------------------------------------------------------------

FRAMES = st.lists(st.integers(0, 87), min_size=1, max_size=6, unique=True)
OFFSET = st.floats(-5000.0, 5000.0, allow_nan=False)
IDX = KEYPOINT_INDEX
SEGMENTS = [
    (IDX[f"{side}_{a}"], IDX[f"{side}_{b}"])
    for side in SIDES
    for a, b in (
        ("hip", "knee"),
        ("knee", "ankle"),
        ("heel", "foot_index"),
        ("shoulder", "elbow"),
        ("elbow", "wrist"),
    )
]


def _assert_same_angles(a: xr.Dataset, b: xr.Dataset) -> None:
    for name in ALL_NAMES:
        diff = (a[name].values - b[name].values + 180.0) % 360.0 - 180.0  # modulo 360
        np.testing.assert_allclose(diff, 0.0, atol=1e-6, err_msg=name)


@settings(max_examples=40, deadline=None)
@given(
    frames=FRAMES,
    dx=OFFSET,
    dy=OFFSET,
    scale=st.floats(0.05, 20.0),
    preset=st.sampled_from(["pose_runner", "heel_striker", "waist_bender"]),
)
def test_angles_invariant_under_translation_and_scaling(frames, dx, dy, scale, preset):
    truth = truth_of(preset)
    kp = truth.keypoints_px[frames]
    moved = kp * scale + np.array([dx, dy])
    direction = direction_of(truth)
    _assert_same_angles(
        compute_angles(position_of(kp), direction), compute_angles(position_of(moved), direction)
    )


@settings(max_examples=40, deadline=None)
@given(
    frames=FRAMES,
    axis=st.floats(-3000.0, 3000.0, allow_nan=False),
    preset=st.sampled_from(["pose_runner", "heel_striker", "pose_runner_left"]),
)
def test_angles_invariant_under_mirroring_with_direction_flip(frames, axis, preset):
    truth = truth_of(preset)
    kp = truth.keypoints_px[frames]
    mirrored = kp.copy()
    mirrored[..., 0] = 2.0 * axis - kp[..., 0]
    direction = direction_of(truth)
    _assert_same_angles(
        compute_angles(position_of(kp), direction),
        compute_angles(position_of(mirrored), -direction),
    )


@settings(max_examples=30, deadline=None)
@given(
    points=st.lists(
        st.tuples(st.integers(-1000, 1000), st.integers(-1000, 1000)), min_size=33, max_size=33
    ),
    dx=OFFSET,
    dy=OFFSET,
    scale=st.floats(0.1, 10.0),
)
def test_random_poses_are_invariant_too(points, dx, dy, scale):
    kp = np.asarray(points, dtype=float)[None]
    # A zero-length segment has no direction; rounding after a move gives it one.
    assume(all(np.hypot(*(kp[0, b] - kp[0, a])) >= 1.0 for a, b in SEGMENTS))
    hips, shoulders = (
        kp[0, [IDX["left_hip"], IDX["right_hip"]]],
        kp[0, [IDX["left_shoulder"], IDX["right_shoulder"]]],
    )
    assume(np.hypot(*(hips.mean(0) - shoulders.mean(0))) >= 1.0)
    a = compute_angles(position_of(kp), 1)
    b = compute_angles(position_of(kp * scale + np.array([dx, dy])), 1)
    _assert_same_angles(a, b)
    mirrored = kp.copy()
    mirrored[..., 0] *= -1.0
    _assert_same_angles(a, compute_angles(position_of(mirrored), -1))


# ---------------------------------------------------------------------------
# Sampling at sub-frame times
# ---------------------------------------------------------------------------


def _ramp_dataset() -> xr.Dataset:
    t = np.arange(6) * 0.1
    return xr.Dataset(
        {
            "a": ("time", 2.0 * t + 1.0, {"units": "deg"}),
            "b": ("time", np.array([0.0, 1.0, np.nan, 3.0, 4.0, 5.0])),
            "const": ((), 7.0),
        },
        coords={"time": t, "frame": ("time", np.arange(6))},
        attrs={"direction": 1},
    )


def test_sample_at_times_interpolates_linearly():
    ds = _ramp_dataset()
    times = np.array([0.05, 0.0, 0.5, 0.33, -0.01, 0.51])
    out = sample_at_times(ds, times)
    np.testing.assert_array_equal(out["time"], times)
    np.testing.assert_allclose(out["a"][:4], 2.0 * times[:4] + 1.0)
    assert np.isnan(out["a"][4:]).all()
    assert out["a"].attrs["units"] == "deg"
    assert out["const"].item() == 7.0
    assert "frame" not in out.coords
    assert out.attrs["direction"] == 1


def test_sample_at_times_nan_neighbours():
    out = sample_at_times(_ramp_dataset(), np.array([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]))
    b = out["b"].values
    assert b[0] == pytest.approx(1.0)  # exactly on a frame beside a NaN frame
    assert np.isnan(b[1:4]).all()
    assert b[4] == pytest.approx(3.0)
    assert b[5] == pytest.approx(3.5)


def test_sample_at_times_keeps_extra_dims():
    angles = compute_angles(
        position_of(truth_of("pose_runner").keypoints_px[:10]).expand_dims(
            individual=["a", "b"], axis=-1
        ),
        1,
    )
    out = sample_at_times(angles, np.array([0.01, 0.02]))
    assert out["trunk_lean"].dims == angles["trunk_lean"].dims
    assert out["trunk_lean"].sizes["time"] == 2


def test_sample_at_times_rejects_bad_input():
    ds = _ramp_dataset()
    with pytest.raises(ValueError, match="1-D"):
        sample_at_times(ds, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="finite"):
        sample_at_times(ds, np.array([np.nan]))
    with pytest.raises(ValueError, match="increasing"):
        sample_at_times(ds.isel(time=[1, 0, 2]), np.array([0.1]))


# ---------------------------------------------------------------------------
# Cycle normalisation
# ---------------------------------------------------------------------------


def test_normalise_to_cycle_resamples_each_cycle():
    t = np.arange(0, 3.0, 0.01)
    period = 0.7
    signal = np.sin(2 * np.pi * (t - 0.2) / period)
    starts = 0.2 + period * np.arange(4)
    cycles = normalise_to_cycle(signal, t, starts)
    assert cycles.shape == (3, 101)
    expected = np.sin(2 * np.pi * np.linspace(0, 1, 101))
    np.testing.assert_allclose(cycles, np.broadcast_to(expected, (3, 101)), atol=2e-3)
    short = normalise_to_cycle(signal, t, starts, n_points=2)
    np.testing.assert_allclose(short, 0.0, atol=1e-9)


def test_normalise_to_cycle_nan_rows():
    t = np.arange(0, 3.0, 0.01)
    signal = t.copy()
    signal[150] = np.nan  # inside the second cycle
    starts = np.array([0.0, 1.0, 2.0, 2.9, 3.5])
    cycles = normalise_to_cycle(signal, t, starts, n_points=11)
    assert np.isfinite(cycles[0]).all()
    np.testing.assert_allclose(cycles[0], np.linspace(0.0, 1.0, 11))
    assert np.isnan(cycles[1]).all()  # NaN gap
    assert np.isfinite(cycles[2]).all()
    assert np.isnan(cycles[3]).all()  # runs past the data
    # A NaN between two resampled points still spoils the cycle.
    sparse = t.copy()
    sparse[5] = np.nan  # 0.05 s: between the 0.0 and 0.1 grid points of cycle 0
    assert np.isnan(normalise_to_cycle(sparse, t, starts[:2], n_points=11)).all()


def test_normalise_to_cycle_edge_cases():
    t = np.arange(10.0)
    assert normalise_to_cycle(t, t, np.array([1.0])).shape == (0, 101)
    assert normalise_to_cycle(t, t, np.array([])).shape == (0, 101)
    with pytest.raises(ValueError, match="n_points"):
        normalise_to_cycle(t, t, np.array([1.0, 2.0]), n_points=1)
    with pytest.raises(ValueError, match="increasing"):
        normalise_to_cycle(t, t, np.array([2.0, 1.0]))
    with pytest.raises(ValueError, match="same shape"):
        normalise_to_cycle(t[:-1], t, np.array([1.0, 2.0]))


def test_normalise_knee_flexion_of_the_synthetic_runner():
    truth, a = truth_of("high_fps"), angles_of("high_fps")
    starts = truth.events_s["right"]["initial_contact"]
    cycles = normalise_to_cycle(a["right_knee_flexion"].values, truth.frame_times_s, starts)
    mean, _ = summarise_cycles(cycles)
    assert cycles.shape[0] == starts.size - 1 >= 1
    # Cycle 0 % is the contact itself.
    contact = next(c for c in truth.contacts if c.side == "right")
    assert mean[0] == pytest.approx(contact.knee_flexion_deg, abs=0.5)
    assert np.nanmax(mean) > 90.0


def test_summarise_cycles():
    cycles = np.array([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0], [np.nan] * 3, [1.0, np.nan, 2.0]])
    mean, sd = summarise_cycles(cycles)
    np.testing.assert_allclose(mean, [2.0, 3.0, 4.0])
    np.testing.assert_allclose(sd, np.sqrt(2.0) * np.ones(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one_mean, one_sd = summarise_cycles(cycles[:1])
        none_mean, none_sd = summarise_cycles(np.full((2, 3), np.nan))
    np.testing.assert_allclose(one_mean, cycles[0])
    assert np.isnan(one_sd).all()
    assert np.isnan(none_mean).all()
    assert np.isnan(none_sd).all()
    with pytest.raises(ValueError, match="2-D"):
        summarise_cycles(np.zeros(3))
