"""Whole-body centre of mass (de Leva segments) on synthetic and random poses."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from runform.gait.com import (
    DE_LEVA_SEGMENTS,
    SEGMENT_KEYPOINTS,
    compute_center_of_mass,
    segment_parameters,
)
from runform.gait.kinematics import to_body_frame
from runform.skeleton import KEYPOINT_INDEX, KEYPOINT_NAMES
from runform.synth import (
    PRESETS,
    SyntheticTruth,
    compute_body_dimensions,
    compute_body_keypoints,
    compute_truth,
    plan_gait,
)
from runform.synth.body import SEGMENT_MASS_FRACTIONS

SEXES = ("male", "female", "average")
PAIRED = ("upper_arm", "forearm", "hand", "thigh", "shank", "foot")


@functools.cache
def truth_of(preset: str) -> SyntheticTruth:
    return compute_truth(PRESETS[preset])


def position_of(points: np.ndarray, space: tuple[str, str] = ("x", "y")) -> xr.DataArray:
    """(N, 33, 2) keypoints -> DataArray with dims (time, space, keypoint)."""
    n = points.shape[0]
    return xr.DataArray(
        np.transpose(points, (0, 2, 1)),
        dims=("time", "space", "keypoint"),
        coords={
            "time": np.arange(n) / 60.0,
            "space": list(space),
            "keypoint": list(KEYPOINT_NAMES),
        },
    )


def standing_figure(height_m: float = 1.75) -> np.ndarray:
    """A standing, symmetric figure in the synthetic body's proportions.

    Metres, x forward, y up, ground at 0, arms hanging, shape (1, 33, 2).
    """
    b = compute_body_dimensions(height_m)
    hip = b.leg_length_m
    shoulder = hip + b.trunk_m
    elbow = shoulder - b.upper_arm_m
    wrist = elbow - b.forearm_m
    limb = {
        "hip": (0.0, hip),
        "knee": (0.0, hip - b.thigh_m),
        "ankle": (0.0, b.ankle_height_m),
        "heel": (-b.heel_back_m, b.heel_landmark_height_m),
        "foot_index": (b.ball_forward_m + b.toe_length_m, b.toe_landmark_height_m),
        "shoulder": (0.0, shoulder),
        "elbow": (0.0, elbow),
        "wrist": (0.0, wrist),
        "index": (0.01, wrist - 0.45 * b.hand_m),
        "pinky": (-0.01, wrist - 0.40 * b.hand_m),
        "thumb": (0.02, wrist - 0.30 * b.hand_m),
    }
    points = np.zeros((1, 33, 2))
    for side in ("left", "right"):
        for name, xy in limb.items():
            points[0, KEYPOINT_INDEX[f"{side}_{name}"]] = xy
    centre = np.array([0.0, shoulder + b.neck_m])
    face = b.face_offsets_m()
    points[0, KEYPOINT_INDEX["nose"]] = centre + face["nose"]
    for side in ("left", "right"):
        for part in ("eye_inner", "eye", "eye_outer", "ear"):
            points[0, KEYPOINT_INDEX[f"{side}_{part}"]] = centre + face[part]
        points[0, KEYPOINT_INDEX[f"mouth_{side}"]] = centre + face["mouth"]
    return points


def winter_com(points: np.ndarray) -> np.ndarray:
    """Reference: Winter's segmental COM as the synthetic truth defines it."""
    k = KEYPOINT_INDEX

    def mid(a: str, b: str) -> np.ndarray:
        return 0.5 * (points[:, k[a]] + points[:, k[b]])

    ear = points[:, k["left_ear"]]
    head = ear + 0.35 * (points[:, k["nose"]] - ear)
    pelvis, shoulders = mid("left_hip", "right_hip"), mid("left_shoulder", "right_shoulder")
    parts = [("head", head, head), ("trunk", pelvis, shoulders)]
    names = ("shoulder", "elbow", "wrist", "index", "hip", "knee", "ankle", "foot_index")
    for side in ("left", "right"):
        p = {n: points[:, k[f"{side}_{n}"]] for n in names}
        parts += [
            ("upper_arm", p["shoulder"], p["elbow"]),
            ("forearm", p["elbow"], p["wrist"]),
            ("hand", p["wrist"], p["index"]),
            ("thigh", p["hip"], p["knee"]),
            ("shank", p["knee"], p["ankle"]),
            ("foot", p["ankle"], p["foot_index"]),
        ]
    total, weight = 0.0, 0.0
    for name, start, end in parts:
        mass, where = SEGMENT_MASS_FRACTIONS[name]
        total = total + mass * (start + where * (end - start))
        weight += mass
    return np.asarray(total / weight)


# ---------------------------------------------------------------------------
# Table
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("sex", SEXES)
def test_mass_fractions_sum_to_one(sex):
    params = segment_parameters(sex)
    assert set(params) == set(DE_LEVA_SEGMENTS) == set(SEGMENT_KEYPOINTS)
    total = sum(m * (2 if name in PAIRED else 1) for name, (m, _) in params.items())
    assert total == pytest.approx(1.0, abs=1e-12)
    for mass, where in params.values():
        assert 0.0 < mass < 0.5
        assert 0.0 < where < 1.0


@pytest.mark.parametrize(("sex", "expected"), [("male", 1.0), ("female", 0.9999)])
def test_de_leva_table_as_published(sex, expected):
    raw = sum(
        values[sex][0] * (2 if name in PAIRED else 1) for name, values in DE_LEVA_SEGMENTS.items()
    )
    assert raw == pytest.approx(expected, abs=1e-9)
    assert DE_LEVA_SEGMENTS["trunk"]["male"] == (0.4346, 0.4310)  # MIDS -> MIDH


def test_average_is_mean_of_male_and_female():
    male, female, average = (segment_parameters(s) for s in SEXES)
    for name in DE_LEVA_SEGMENTS:
        assert average[name][1] == pytest.approx(0.5 * (male[name][1] + female[name][1]))


def test_unknown_sex_raises():
    with pytest.raises(ValueError, match="sex"):
        segment_parameters("other")
    with pytest.raises(ValueError, match="sex"):
        compute_center_of_mass(position_of(standing_figure()), sex="M")


# ---------------------------------------------------------------------------
# Standing figure and the synthetic truth
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("sex", SEXES)
def test_standing_figure_com_height(sex):
    height = 1.75
    points = standing_figure(height)
    com = compute_center_of_mass(position_of(points, ("forward", "up")), sex).values[0]
    hip = points[0, KEYPOINT_INDEX["left_hip"], 1]
    shoulder = points[0, KEYPOINT_INDEX["left_shoulder"], 1]
    assert hip < com[1] < shoulder
    # About 55-57 % of height barefoot in the literature; the synthetic body
    # stands on ~2 cm of shoe sole, which puts it at ~57.6-57.9 % here.
    assert 0.55 < com[1] / height < 0.59
    assert abs(com[0]) < 0.01  # feet point forward a little
    # Close to Winter's table (the synthetic truth's): de Leva puts more mass
    # in the thighs and less in the trunk, so the COM sits 1.3-2.1 cm lower.
    np.testing.assert_allclose(com, winter_com(points)[0], atol=0.025)
    assert com[1] < winter_com(points)[0, 1]


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_com_ahead_of_pelvis_matches_contact_truth(preset):
    # overstride_cm - overstride_com_cm is the truth's (Winter) COM ahead of
    # the pelvis centre at each contact.
    params = PRESETS[preset]
    truth, plan = truth_of(preset), plan_gait(params)
    times = np.array([c.time_s for c in truth.contacts])
    points = compute_body_keypoints(times, plan, params)
    com = compute_center_of_mass(position_of(points, ("forward", "up")))
    pelvis = 0.5 * (
        points[:, KEYPOINT_INDEX["left_hip"], 0] + points[:, KEYPOINT_INDEX["right_hip"], 0]
    )
    ours_cm = 100.0 * (com.sel(space="forward").values - pelvis)
    truth_cm = np.array([c.overstride_cm - c.overstride_com_cm for c in truth.contacts])
    np.testing.assert_allclose(ours_cm, truth_cm, atol=2.0)


@pytest.mark.parametrize("preset", ["pose_runner", "heel_striker", "waist_bender"])
@pytest.mark.parametrize("sex", SEXES)
def test_com_per_frame_close_to_winter(preset, sex):
    world = truth_of(preset).keypoints_world_m
    com = compute_center_of_mass(position_of(world, ("forward", "up")), sex)
    assert np.isfinite(com.values).all()  # NaN == NaN would pass assert_allclose
    np.testing.assert_allclose(com.values, winter_com(world), atol=0.02)


@pytest.mark.parametrize("preset", ["pose_runner", "pose_runner_left", "heel_striker_treadmill"])
def test_pixels_and_body_frame_agree(preset):
    truth = truth_of(preset)
    px = position_of(truth.keypoints_px)
    direction = truth.camera.facing
    com_px = compute_center_of_mass(px)
    assert com_px.dims == ("time", "space")
    assert list(com_px.coords["space"].values) == ["x", "y"]
    com_body = compute_center_of_mass(to_body_frame(px, direction))
    assert np.isfinite(com_px.values).all() and np.isfinite(com_body.values).all()
    xr.testing.assert_allclose(
        to_body_frame(com_px.expand_dims(keypoint=["com"], axis=-1), direction).isel(keypoint=0),
        com_body.assign_coords(keypoint="com"),
    )
    # And in metres it is the world COM.
    world = compute_center_of_mass(position_of(truth.keypoints_world_m, ("forward", "up")))
    cam = truth.camera
    expected_x = cam.origin_x_px + cam.facing * cam.scale_px_per_m * world.values[:, 0]
    expected_y = cam.ground_y_px - cam.scale_px_per_m * world.values[:, 1]
    np.testing.assert_allclose(com_px.values, np.stack([expected_x, expected_y], -1), atol=1e-6)


def test_extra_dims_and_float32():
    pts = truth_of("pose_runner").keypoints_px[:5]
    da = position_of(pts).astype(np.float32).expand_dims(individual=["a"], axis=-1)
    com = compute_center_of_mass(da)
    assert com.dims == ("time", "space", "individual")
    assert com.dtype == np.float64
    assert np.isfinite(com.values).all()
    np.testing.assert_allclose(
        com.isel(individual=0), compute_center_of_mass(position_of(pts)), atol=1e-3
    )


def test_bad_input_raises():
    da = position_of(truth_of("pose_runner").keypoints_px[:2])
    with pytest.raises(ValueError, match="left_pinky"):
        compute_center_of_mass(da.drop_sel(keypoint="left_pinky"))
    with pytest.raises(ValueError, match="dims"):
        compute_center_of_mass(da.isel(time=0))


# ---------------------------------------------------------------------------
# Missing keypoints
# ---------------------------------------------------------------------------


def _with_nan(points: np.ndarray, names: list[str]) -> np.ndarray:
    out = points.copy()
    for name in names:
        out[:, KEYPOINT_INDEX[name]] = np.nan
    return out


def _com(points: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return compute_center_of_mass(position_of(points)).values


FAR_ARM = ["left_elbow", "left_wrist", "left_index", "left_pinky"]


def test_one_side_missing_uses_the_other_side():
    points = truth_of("pose_runner").keypoints_px[:20].copy()
    # Same shoulder on both sides, so that copying it leaves the trunk as it is.
    points[:, KEYPOINT_INDEX["left_shoulder"]] = points[:, KEYPOINT_INDEX["right_shoulder"]]
    mirrored = points.copy()
    for part in ("shoulder", "elbow", "wrist", "index", "pinky", "knee", "ankle"):
        mirrored[:, KEYPOINT_INDEX[f"left_{part}"]] = points[:, KEYPOINT_INDEX[f"right_{part}"]]
    missing = _with_nan(points, [*FAR_ARM, "left_knee", "left_ankle"])
    np.testing.assert_allclose(_com(missing), _com(mirrored), atol=1e-9)
    assert np.isfinite(_com(missing)).all()


def test_both_arms_missing_renormalises():
    points = truth_of("pose_runner").keypoints_px[:20]
    params = segment_parameters()
    full = _com(points)
    arms = [f"{s}_{p}" for s in ("left", "right") for p in ("elbow", "wrist", "index", "pinky")]
    dropped = _com(_with_nan(points, arms))
    assert np.isfinite(full).all() and np.isfinite(dropped).all()
    # full = m_arms * arms_com + (1 - m_arms) * rest_com
    k = KEYPOINT_INDEX
    arm_mass, arm_moment = 0.0, 0.0
    for side in ("left", "right"):
        sh, el, wr = (points[:, k[f"{side}_{n}"]] for n in ("shoulder", "elbow", "wrist"))
        mcp = 0.5 * (points[:, k[f"{side}_index"]] + points[:, k[f"{side}_pinky"]])
        for name, start, end in (("upper_arm", sh, el), ("forearm", el, wr), ("hand", wr, mcp)):
            mass, where = params[name]
            arm_mass += mass
            arm_moment = arm_moment + mass * (start + where * (end - start))
    np.testing.assert_allclose(dropped, (full - arm_moment) / (1.0 - arm_mass), atol=1e-9)


def test_head_from_either_ear():
    points = truth_of("pose_runner").keypoints_px[:10]
    # In the synthetic side view both ears project to the same point.
    assert np.isfinite(_com(_with_nan(points, ["left_ear"]))).all()
    np.testing.assert_allclose(_com(_with_nan(points, ["left_ear"])), _com(points), atol=1e-9)
    assert np.isfinite(_com(_with_nan(points, ["left_ear", "right_ear"]))).all()


@pytest.mark.parametrize(
    "names",
    [
        ["left_shoulder"],
        ["right_hip"],
        ["left_knee", "right_knee"],
        ["left_ankle", "right_ankle"],
    ],
)
def test_trunk_or_both_legs_missing_gives_nan(names):
    points = truth_of("pose_runner").keypoints_px[:6]
    points = points.copy()
    points[2:4] = _with_nan(points[2:4], names)
    com = _com(points)
    assert np.isnan(com[2:4]).all()
    assert np.isfinite(com[[0, 1, 4, 5]]).all()


def test_all_missing_frame_is_nan_without_warnings():
    points = truth_of("pose_runner").keypoints_px[:3].copy()
    points[1] = np.nan
    com = _com(points)
    assert np.isnan(com[1]).all()
    assert np.isfinite(com[[0, 2]]).all()


# ---------------------------------------------------------------------------
# Equivariance
# ---------------------------------------------------------------------------

OFFSET = st.floats(-5000.0, 5000.0, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    frames=st.lists(st.integers(0, 89), min_size=1, max_size=5, unique=True),
    dx=OFFSET,
    dy=OFFSET,
    scale=st.floats(0.05, 20.0),
    mirror=st.booleans(),
    sex=st.sampled_from(SEXES),
)
def test_com_moves_with_the_keypoints(frames, dx, dy, scale, mirror, sex):
    points = truth_of("pose_runner").keypoints_px[frames]
    flip = np.array([-1.0 if mirror else 1.0, 1.0])
    moved = points * flip * scale + np.array([dx, dy])
    com = compute_center_of_mass(position_of(points), sex).values
    assert np.isfinite(com).all()
    expected = com * flip * scale + np.array([dx, dy])
    got = compute_center_of_mass(position_of(moved), sex).values
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(
    points=st.lists(
        st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=33, max_size=33
    ),
    matrix=st.tuples(*[st.floats(-3.0, 3.0)] * 4),
    shift=st.tuples(OFFSET, OFFSET),
)
def test_com_is_affine_equivariant_for_any_pose(points, matrix, shift):
    kp = np.asarray(points, dtype=float)[None]
    a = np.asarray(matrix).reshape(2, 2)
    b = np.asarray(shift)
    com = compute_center_of_mass(position_of(kp)).values
    assert np.isfinite(com).all()
    got = compute_center_of_mass(position_of(kp @ a.T + b)).values
    np.testing.assert_allclose(got, com @ a.T + b, rtol=1e-9, atol=1e-6)
