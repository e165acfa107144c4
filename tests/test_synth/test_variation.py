"""Varied synthetic footage: seeded parameters, styles, hover approach, warps."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction

import numpy as np
import pytest

from runform.skeleton import KEYPOINT_INDEX
from runform.synth import PRESETS, build_scene, compute_truth, read_truth_json, render_frames
from runform.synth.gait import compute_leg_pose, plan_gait
from runform.synth.landing import compute_first_touch_s, compute_lowest_shoe_height
from runform.synth.params import SEGMENT_SCALES, RunnerParams
from runform.synth.style import FootageStyle
from runform.synth.variation import (
    FRAME_RATES,
    HELDOUT_SEEDS,
    MAX_PIXEL_RATE,
    RESOLUTIONS,
    TUNE_SEEDS,
    VARIATION_RANGES,
    sample_varied_params,
)

SMALL = {"width_px": 192, "height_px": 108}


def _frames(params: RunnerParams, count: int) -> list[np.ndarray]:
    truth = compute_truth(params)
    return list(itertools.islice(render_frames(truth), count))


@pytest.fixture(scope="module")
def sampled() -> dict[int, RunnerParams]:
    """Parameters of a few tune and held-out seeds, drawn once."""
    seeds = [*range(0, 12), *range(1000, 1004), 99, 1099]
    return {seed: sample_varied_params(seed) for seed in seeds}


def test_splits_are_disjoint_and_documented():
    assert list(TUNE_SEEDS) == list(range(0, 100))
    assert list(HELDOUT_SEEDS) == list(range(1000, 1100))
    assert not set(TUNE_SEEDS) & set(HELDOUT_SEEDS)


def test_same_seed_same_params_and_frames():
    a, b = sample_varied_params(7), sample_varied_params(7)
    assert a == b
    assert a.to_dict() == b.to_dict()
    small = a.with_overrides(**SMALL, duration_s=0.1)
    for x, y in zip(_frames(small, 3), _frames(small, 3), strict=True):
        np.testing.assert_array_equal(x, y)


def test_different_seeds_differ(sampled):
    params = list(sampled.values())
    assert len({p.to_dict().__repr__() for p in params}) == len(params)
    assert len({p.cadence_spm for p in params}) == len(params)
    assert len({p.setting for p in params}) == 3
    assert len({(p.width_px, p.height_px) for p in params}) >= 3
    a = sample_varied_params(3).with_overrides(**SMALL, duration_s=0.05)
    b = sample_varied_params(4).with_overrides(**SMALL, duration_s=0.05)
    assert not np.array_equal(_frames(a, 1)[0], _frames(b, 1)[0])


def test_forced_setting():
    for setting in ("overground", "treadmill", "tracking"):
        assert sample_varied_params(5, setting=setting).setting == setting
    with pytest.raises(ValueError, match="setting"):
        sample_varied_params(5, setting="beach")


def _check_ranges(obj: object) -> None:
    for name, (low, high) in VARIATION_RANGES.items():
        if not hasattr(obj, name):
            continue
        value = getattr(obj, name)
        if value is None:
            continue
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            assert low - 1e-9 <= v <= high + 1e-9, (name, v, low, high)


def test_drawn_values_lie_in_their_ranges(sampled):
    for seed, params in sampled.items():
        _check_ranges(params)
        _check_ranges(params.style)
        assert (params.width_px, params.height_px) in RESOLUTIONS
        assert params.frame_rate in FRAME_RATES
        assert params.duration_s is not None
        rate = params.width_px * params.height_px * float(params.frame_rate) * params.duration_s
        assert rate <= MAX_PIXEL_RATE * (1 + 1e-6), seed
        assert params.approach_hover_ms == 0.0 or 50.0 <= params.approach_hover_ms <= 100.0
        if params.setting == "overground":
            assert params.width_px > params.height_px


def test_budget_shortens_high_fps_clips(sampled):
    fast = [p for p in sampled.values() if p.frame_rate >= 120]
    assert fast, "some seeds should draw 120 or 240 fps"
    for p in fast:
        assert p.duration_s is not None and p.duration_s >= 2.0 - 1e-9


def test_default_style_and_scales_render_unchanged():
    preset = PRESETS["treadmill"].with_overrides(**SMALL, duration_s=0.1)
    neutral = preset.with_overrides(
        style=FootageStyle(
            camera_height_frac=0.0,
            roll_deg=0.0,
            pitch_deg=0.0,
            lens_k1=0.0,
            brightness=0.0,
            contrast=1.0,
            color_cast=(1.0, 1.0, 1.0),
            shutter_frac=0.0,
            blur_samples=1,
        ),
        approach_hover_ms=0.0,
        **dict.fromkeys(SEGMENT_SCALES, 1.0),
    )
    assert neutral == preset
    plain = RunnerParams(**{**preset.to_dict(), "style": None})
    for x, y in zip(_frames(preset, 3), _frames(plain, 3), strict=True):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(
        compute_truth(preset).keypoints_px, compute_truth(plain).keypoints_px
    )


def test_looks_change_pixels_not_truth():
    preset = PRESETS["pose_runner"].with_overrides(**SMALL, duration_s=0.1)
    styled = preset.with_overrides(
        style=FootageStyle(
            shoe=(0.9, 0.1, 0.1),
            sole_thickness_frac=0.03,
            shoe_upper_scale=1.3,
            ground=(0.2, 0.3, 0.8),
            brightness=0.1,
            contrast=0.8,
            color_cast=(1.05, 1.0, 0.95),
        )
    )
    a, b = compute_truth(preset), compute_truth(styled)
    np.testing.assert_array_equal(a.keypoints_px, b.keypoints_px)
    assert not np.array_equal(_frames(preset, 1)[0], _frames(styled, 1)[0])


def test_style_round_trips_through_json(tmp_path):
    params = sample_varied_params(11).with_overrides(**SMALL, duration_s=0.1)
    assert RunnerParams(**params.to_dict()) == params
    truth = compute_truth(params)
    back = read_truth_json(truth.to_json(tmp_path / "v.truth.json"))
    assert back.params == params
    if truth.warp is not None:
        assert back.warp == truth.warp


def test_segment_scales_change_the_skeleton():
    params = PRESETS["pose_runner"].with_overrides(thigh_scale=1.05, shank_scale=0.95)
    truth = compute_truth(params)
    k = KEYPOINT_INDEX
    world = truth.keypoints_world_m
    thigh = np.linalg.norm(world[:, k["right_knee"]] - world[:, k["right_hip"]], axis=-1)
    shank = np.linalg.norm(world[:, k["right_ankle"]] - world[:, k["right_knee"]], axis=-1)
    height = params.body_height_cm / 100.0
    np.testing.assert_allclose(thigh, 0.245 * height * 1.05, atol=1e-9)
    np.testing.assert_allclose(shank, 0.246 * height * 0.95, atol=1e-9)


def _figure_mask(params: RunnerParams, index: int) -> tuple[np.ndarray, np.ndarray]:
    """Truth pixels of frame ``index`` and where the runner changes the frame."""
    truth = compute_truth(params)
    frame = next(itertools.islice(render_frames(truth), index, None)).astype(float)
    scene = build_scene(params)
    background = scene.background_at(float(truth.frame_times_s[index]))
    assert scene.warp is not None
    empty = np.clip(scene.warp.warp(background) * 255.0 + 0.5, 0, 255)
    return truth.keypoints_px[index], np.abs(frame - empty).sum(axis=-1) > 40


@pytest.mark.parametrize("direction", ["right", "left"])
def test_truth_pixels_are_drawn_after_lens_and_tilt(direction):
    style = FootageStyle(
        roll_deg=2.0,
        pitch_deg=-4.0,
        fov_deg=70.0,
        lens_k1=-0.1,
        # Colours far from the gym's (so the figure mask is clean).
        skin=(0.85, 0.25, 0.25),
        sock=(0.1, 0.8, 0.1),
        shirt=(0.1, 0.2, 0.9),
        shorts=(0.9, 0.9, 0.1),
        shoe=(0.9, 0.1, 0.6),
    )
    params = PRESETS["treadmill"].with_overrides(
        width_px=480, height_px=270, duration_s=0.3, direction=direction, style=style
    )
    plain = compute_truth(params.with_overrides(style=FootageStyle()))
    index = 5
    keypoints, mask = _figure_mask(params, index)
    near = "right" if direction == "right" else "left"
    names = [f"{near}_{n}" for n in ("ankle", "knee", "elbow", "hip", "shoulder")] + ["nose"]
    moved = []
    for name in names:
        x, y = keypoints[KEYPOINT_INDEX[name]]
        patch = mask[int(y) - 1 : int(y) + 2, int(x) - 1 : int(x) + 2]
        assert patch.all(), name
        moved.append(np.hypot(*(keypoints - plain.keypoints_px[index])[KEYPOINT_INDEX[name]]))
    assert max(moved) > 8.0  # the warp matters at this size: the test can fail
    k = KEYPOINT_INDEX
    shoe = 0.5 * (keypoints[k[f"{near}_heel"]] + keypoints[k[f"{near}_foot_index"]])
    assert mask[int(shoe[1]), int(shoe[0])]


def test_hovering_foot_lands_when_the_shoe_reaches_the_ground():
    base = PRESETS["heel_striker"]
    hover = base.with_overrides(approach_hover_ms=90.0, approach_hover_cm=2.0)
    plan = plan_gait(hover)
    stride = plan.timing.stride_s
    assert compute_first_touch_s(plan) == pytest.approx(stride, abs=1e-6)
    before = stride - np.linspace(0.0005, 0.090, 60)
    height = compute_lowest_shoe_height(compute_leg_pose(before, plan), plan.body)
    assert np.all(height > 0.0)
    assert height.max() <= 0.02 + 1e-9
    assert np.all(np.diff(height) > 0)  # coming down all the way (time runs backwards)
    at_contact = compute_lowest_shoe_height(compute_leg_pose(np.array([0.0]), plan), plan.body)
    assert at_contact[0] == pytest.approx(0.0, abs=1e-9)
    steep = plan_gait(base)
    steep_height = compute_lowest_shoe_height(compute_leg_pose(before, steep), steep.body)
    assert steep_height[-1] > 2.5 * height[-1]  # 90 ms out the steep foot is still high
    # The truth's initial contacts are those touches, and the landing pose is unchanged.
    a, b = compute_truth(base), compute_truth(hover)
    for side in ("left", "right"):
        np.testing.assert_array_equal(
            a.events_s[side]["initial_contact"], b.events_s[side]["initial_contact"]
        )
    assert [c.knee_flexion_deg for c in a.contacts] == pytest.approx(
        [c.knee_flexion_deg for c in b.contacts]
    )


def test_motion_blur_keeps_truth_and_blurs():
    params = PRESETS["tracking_shot"].with_overrides(**SMALL, duration_s=0.1)
    blurred = params.with_overrides(style=FootageStyle(shutter_frac=0.5, blur_samples=4))
    np.testing.assert_array_equal(
        compute_truth(params).keypoints_px, compute_truth(blurred).keypoints_px
    )
    sharp, soft = _frames(params, 2)[1], _frames(blurred, 2)[1]
    assert not np.array_equal(sharp, soft)
    edges = [np.abs(np.diff(f.astype(float), axis=1)).sum() for f in (sharp, soft)]
    assert edges[1] < edges[0]


def test_camera_height_moves_the_ground_line():
    params = PRESETS["treadmill"]
    low = compute_truth(params.with_overrides(style=FootageStyle(camera_height_frac=-0.05)))
    high = compute_truth(params.with_overrides(style=FootageStyle(camera_height_frac=0.05)))
    assert high.camera.ground_y_px > low.camera.ground_y_px


def test_style_rejects_out_of_range_values():
    with pytest.raises(ValueError, match="lens_k1"):
        FootageStyle(lens_k1=0.2)
    with pytest.raises(ValueError, match="shoe"):
        FootageStyle(shoe=(1.2, 0.0, 0.0))
    with pytest.raises(ValueError, match="approach_hover_ms"):
        RunnerParams(approach_hover_ms=500.0)
    assert dataclasses.replace(FootageStyle(), crf=24).crf == 24
    assert Fraction(24) in FRAME_RATES


def test_a_synthetic_clip_is_the_same_file_every_time(tmp_path) -> None:
    """Same parameters, same bytes: the end-to-end tests see the same pixels on every run.

    The clips are written at the same time, as on a busy machine, where x264's
    own threads made the bytes differ (10 different files from 36 encodes).
    """
    import hashlib
    import re
    from concurrent.futures import ThreadPoolExecutor

    from runform.synth import PRESETS, write_synthetic_clip

    params = PRESETS["treadmill"].with_overrides(duration_s=0.5, width_px=640, height_px=360)

    def write(i: int) -> str:
        folder = tmp_path / str(i)
        folder.mkdir()
        video = write_synthetic_clip(params, folder, name="c").video_path
        return hashlib.sha256(video.read_bytes()).hexdigest()

    with ThreadPoolExecutor(4) as pool:
        digests = set(pool.map(write, range(4)))
    assert len(digests) == 1
    # the cause itself, which the comparison above may miss on a short clip: x264 records
    # its settings in the stream, and a reproducible encode runs on one thread
    video = (tmp_path / "0" / "c.mp4").read_bytes()
    assert re.findall(rb"threads=(\d+)", video)[:1] == [b"1"]
