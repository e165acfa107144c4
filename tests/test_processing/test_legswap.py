"""Leg-swap detection and repair on exact synthetic keypoints with injected swaps."""

from __future__ import annotations

import json
import time
from functools import cache

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from runform.io.poses import create_poses_dataset, read_log
from runform.processing.legswap import FOOT_CHAIN, LEG_CHAIN, detect_leg_swaps, repair_leg_swaps
from runform.processing.near_side import FAR_LEG, downweight_far_leg, estimate_near_side
from runform.skeleton import KEYPOINT_INDEX, KEYPOINT_NAMES
from runform.synth import PRESETS, compute_truth

NOISE_FRAC = 0.005  # keypoint noise, fraction of the body's height in pixels
PRESET_NAMES = ["pose_runner", "heel_striker", "treadmill", "pose_runner_left", "slow_fps",
                "high_fps"]  # fmt: skip


@cache
def _truth(name: str):  # type: ignore[no-untyped-def]
    return compute_truth(PRESETS[name])


def _sides(parts: tuple[str, ...]) -> tuple[list[int], list[int]]:
    return ([KEYPOINT_INDEX[f"left_{p}"] for p in parts],
            [KEYPOINT_INDEX[f"right_{p}"] for p in parts])  # fmt: skip


def _noise_px(keypoints: np.ndarray) -> float:
    height = np.median(keypoints[:, :, 1].max(axis=1) - keypoints[:, :, 1].min(axis=1))
    return float(NOISE_FRAC * height)


@cache
def _clean(name: str, seed: int = 0) -> tuple[xr.Dataset, float]:
    """Noisy exact keypoints as a poses dataset, and the noise sigma in pixels."""
    truth = _truth(name)
    keypoints = truth.keypoints_px
    sigma = _noise_px(keypoints)
    rng = np.random.default_rng(seed)
    position = keypoints.transpose(0, 2, 1)[..., None] + rng.normal(
        0, sigma, (*keypoints.shape[:1], 2, 33, 1)
    )
    far = "left" if truth.near_side == "right" else "right"
    confidence = np.full((keypoints.shape[0], 33, 1), 0.9)
    confidence[:, [KEYPOINT_INDEX[f"{far}_{p}"] for p in FAR_LEG]] = 0.5
    world = np.zeros((keypoints.shape[0], 3, 33, 1))
    world[:, 0, :, 0] = np.arange(33)  # distinct per keypoint, to follow the swaps
    world[:, 1, :, 0] = -np.arange(33)
    world[:, 2, :, 0] = 100 + np.arange(33)
    ds = create_poses_dataset(position, confidence, truth.frame_times_s, presence=confidence.copy(),
                              world_position=world)  # fmt: skip
    return ds, sigma


def _inject(ds: xr.Dataset, frames: np.ndarray, parts: tuple[str, ...] = LEG_CHAIN) -> xr.Dataset:
    """Swap the pixel positions of left and right ``parts`` in ``frames`` (as MediaPipe does)."""
    left, right = _sides(parts)
    position = ds["position"].values.copy()
    rows = np.asarray(frames, dtype=int)[:, None]
    position[rows, :, left], position[rows, :, right] = (
        position[rows, :, right].copy(), position[rows, :, left].copy())  # fmt: skip
    out = ds.copy()
    out["position"] = ds["position"].copy(data=position)
    return out


def _crossings(name: str) -> np.ndarray:
    """Frames just before the two ankles pass each other (x relative to the pelvis)."""
    kp = _truth(name).keypoints_px
    dx = kp[:, KEYPOINT_INDEX["left_ankle"], 0] - kp[:, KEYPOINT_INDEX["right_ankle"], 0]
    return np.flatnonzero(np.diff(np.sign(dx)) != 0)


def _runs_to_frames(runs: list[tuple[int, int]]) -> np.ndarray:
    return np.concatenate([np.arange(s, s + n) for s, n in runs]) if runs else np.zeros(0, int)


def _spread_runs(name: str, fps: float) -> list[tuple[int, int]]:
    """Several 1-8 frame runs: at crossings, straddling them, and away from them."""
    n = _truth(name).n_frames
    crossings = _crossings(name)
    runs: list[tuple[int, int]] = []
    lengths = [3, 1, 8, 2, 5, 4, 6, 7]
    starts = [c - (i % 3) for i, c in enumerate(crossings)]  # at and just before crossings
    starts += list(np.linspace(5, n - 12, 6).astype(int))  # anywhere
    used = np.zeros(n + 20, dtype=bool)
    for i, start in enumerate(sorted(set(starts))):
        length = lengths[i % len(lengths)]
        lo, hi = start - 3, start + length + 3
        if start < 0 or start + length > n or used[max(lo, 0) : hi].any():
            continue
        used[start : start + length] = True
        runs.append((int(start), length))
    assert runs
    assert used[:n].sum() < 0.4 * n
    return runs


def _assert_repaired(repaired: xr.Dataset, clean: xr.Dataset, sigma: float, swapped: np.ndarray):
    """Every frame equals the clean one: exactly outside the runs, within noise inside."""
    got = repaired["position"].values
    want = clean["position"].values
    inside = np.zeros(got.shape[0], dtype=bool)
    inside[swapped] = True
    np.testing.assert_array_equal(got[~inside], want[~inside])
    error = np.abs(got[inside] - want[inside]).max(axis=(1, 2, 3))
    bad = np.flatnonzero(error > 6 * sigma)
    assert bad.size == 0, f"frames {np.flatnonzero(inside)[bad]} not repaired ({error[bad]} px)"


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_injected_whole_leg_swaps_are_all_repaired(name: str) -> None:
    clean, sigma = _clean(name)
    runs = _spread_runs(name, float(_truth(name).fps))
    frames = _runs_to_frames(runs)
    swapped = _inject(clean, frames)
    detected = detect_leg_swaps(swapped)
    repaired = repair_leg_swaps(swapped)
    _assert_repaired(repaired, clean, sigma, frames)
    assert set(np.flatnonzero(detected)) <= set(frames)


@pytest.mark.parametrize("name", ["pose_runner", "heel_striker", "slow_fps", "high_fps"])
def test_injected_foot_only_swaps_are_repaired_by_the_second_pass(name: str) -> None:
    clean, sigma = _clean(name)
    frames = _runs_to_frames(_spread_runs(name, float(_truth(name).fps)))
    swapped = _inject(clean, frames, FOOT_CHAIN)
    repaired = repair_leg_swaps(swapped)
    _assert_repaired(repaired, clean, sigma, frames)
    entry = read_log(repaired)[-1]
    assert (
        len(entry["knee_swapped_frames"]["runner"]) + len(entry["foot_swapped_frames"]["runner"])
        > 0
    )


def test_swaps_at_the_start_and_end_of_the_clip() -> None:
    clean, sigma = _clean("pose_runner")
    n = clean.sizes["time"]
    frames = _runs_to_frames([(0, 4), (40, 3), (n - 5, 5)])
    repaired = repair_leg_swaps(_inject(clean, frames))
    _assert_repaired(repaired, clean, sigma, frames)


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(["pose_runner", "heel_striker", "slow_fps"]),
    data=st.data(),
)
def test_random_swap_placements_are_repaired(name: str, data: st.DataObject) -> None:
    clean, sigma = _clean(name)
    n = clean.sizes["time"]
    n_runs = data.draw(st.integers(1, 5), label="n_runs")
    runs: list[tuple[int, int]] = []
    used = np.zeros(n, dtype=bool)
    for _ in range(n_runs):
        length = data.draw(st.integers(1, 8), label="length")
        start = data.draw(st.integers(0, n - length), label="start")
        if used[max(start - 3, 0) : start + length + 3].any():
            continue
        used[start : start + length] = True
        runs.append((start, length))
    frames = _runs_to_frames(runs)
    repaired = repair_leg_swaps(_inject(clean, frames))
    _assert_repaired(repaired, clean, sigma, frames)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_nothing_changes_without_swaps(name: str) -> None:
    clean, _ = _clean(name)
    assert not detect_leg_swaps(clean).any()
    repaired = repair_leg_swaps(clean)
    xr.testing.assert_identical(repaired.drop_attrs(), clean.drop_attrs())
    entry = read_log(repaired)[-1]
    assert entry["operation"] == "repair_leg_swaps"
    assert entry["n_frames_repaired"] == 0


def test_repair_logs_frames_and_swaps_only_positions_by_default() -> None:
    clean, _ = _clean("pose_runner")
    frames = np.array([20, 21, 22, 60])
    swapped = _inject(clean, frames)
    repaired = repair_leg_swaps(swapped)
    entry = read_log(repaired)[-1]
    assert entry["swapped_frames"] == {"runner": frames.tolist()}
    assert entry["n_frames_repaired"] == 4
    assert entry["switch_penalty"] > 0
    json.dumps(entry)
    # confidence, presence and world depth stay with the label; world x, y follow the legs
    xr.testing.assert_identical(repaired["confidence"], swapped["confidence"])
    xr.testing.assert_identical(repaired["presence"], swapped["presence"])
    world_in, world_out = swapped["world_position"].values, repaired["world_position"].values
    left, right = _sides(LEG_CHAIN)
    np.testing.assert_array_equal(world_out[frames][:, 2], world_in[frames][:, 2])
    np.testing.assert_array_equal(world_out[frames][:, :2][..., left, :],
                                  world_in[frames][:, :2][..., right, :])  # fmt: skip
    hips = _sides(("hip",))
    np.testing.assert_array_equal(repaired["position"].values[:, :, hips[0]],
                                  swapped["position"].values[:, :, hips[0]])  # fmt: skip


def test_swap_scores_and_hips_on_request() -> None:
    clean, _ = _clean("pose_runner")
    frames = np.array([30, 31, 32])
    swapped = _inject(clean, frames)
    repaired = repair_leg_swaps(swapped, swap_scores=True, swap_hips=True, partial_passes=False)
    left, right = _sides(("hip", *LEG_CHAIN))
    conf_in, conf_out = swapped["confidence"].values, repaired["confidence"].values
    np.testing.assert_array_equal(conf_out[frames][:, left], conf_in[frames][:, right])
    world_in, world_out = swapped["world_position"].values, repaired["world_position"].values
    np.testing.assert_array_equal(world_out[frames][..., left, :], world_in[frames][..., right, :])
    unswapped = np.setdiff1d(np.arange(clean.sizes["time"]), frames)
    np.testing.assert_array_equal(conf_out[unswapped], conf_in[unswapped])
    assert "foot_swapped_frames" not in read_log(repaired)[-1]


def test_every_individual_is_repaired_and_missing_frames_are_tolerated() -> None:
    clean, sigma = _clean("pose_runner")
    position = np.concatenate([clean["position"].values] * 2, axis=-1)
    confidence = np.concatenate([clean["confidence"].values] * 2, axis=-1)
    two = create_poses_dataset(position, confidence, clean["time"].values,
                               individuals=("a", "b"))  # fmt: skip
    frames_a, frames_b = np.array([10, 11, 12]), np.array([50, 51])
    position_swapped = position.copy()
    position_swapped[..., :1] = _inject(clean, frames_a)["position"].values
    position_swapped[..., 1:] = _inject(clean, frames_b)["position"].values
    position_swapped[30:32] = np.nan  # nobody detected in two frames
    position[30:32] = np.nan
    broken = two.copy()
    broken["position"] = two["position"].copy(data=position_swapped)
    repaired = repair_leg_swaps(broken)
    np.testing.assert_allclose(repaired["position"].values, position, atol=6 * sigma)
    entry = read_log(repaired)[-1]
    assert entry["swapped_frames"] == {"a": frames_a.tolist(), "b": frames_b.tolist()}
    assert not detect_leg_swaps(broken, "a")[30:32].any()
    with pytest.raises(ValueError, match="individual"):
        detect_leg_swaps(broken, "nobody")


def test_long_clip_is_fast_and_chunks_agree() -> None:
    truth = compute_truth(PRESETS["treadmill"].with_overrides(duration_s=60.0))
    keypoints = truth.keypoints_px
    rng = np.random.default_rng(3)
    sigma = _noise_px(keypoints)
    position = keypoints.transpose(0, 2, 1)[..., None] + rng.normal(
        0, sigma, (len(keypoints), 2, 33, 1)
    )
    clean = create_poses_dataset(
        position, np.full((len(keypoints), 33, 1), 0.9), truth.frame_times_s
    )
    starts = np.arange(37, len(keypoints) - 20, 97)
    frames = _runs_to_frames([(int(s), 1 + i % 8) for i, s in enumerate(starts)])
    swapped = _inject(clean, frames)
    start = time.perf_counter()
    detected = detect_leg_swaps(swapped)
    elapsed = time.perf_counter() - start
    np.testing.assert_array_equal(np.flatnonzero(detected), frames)
    assert elapsed < 1.0, f"detection of 3600 frames took {elapsed:.2f} s"


@pytest.mark.parametrize("name", ["pose_runner", "pose_runner_left", "heel_striker"])
def test_estimate_near_side_matches_truth(name: str) -> None:
    clean, _ = _clean(name)
    truth = _truth(name)
    direction = 1 if truth.params.direction == "right" else -1
    side, confidence = estimate_near_side(clean.drop_vars("world_position"), direction)
    assert side == truth.near_side
    assert confidence > 0.9


def test_estimate_near_side_doubts_a_mirrored_view() -> None:
    clean, _ = _clean("pose_runner")  # runs right: right leg near and more visible
    side, confidence = estimate_near_side(clean.drop_vars("world_position"), -1)
    assert side == "left"
    assert confidence < 0.5
    with pytest.raises(ValueError, match="direction"):
        estimate_near_side(clean, 0)


def test_estimate_near_side_without_landmark_evidence() -> None:
    clean, _ = _clean("pose_runner")
    flat = clean.drop_vars("world_position")
    flat["confidence"] = xr.full_like(flat["confidence"], 0.8)
    assert estimate_near_side(flat, 1) == ("right", 0.65)


def test_downweight_far_leg_changes_only_far_leg_confidence() -> None:
    clean, _ = _clean("pose_runner")
    out = downweight_far_leg(clean, "right", factor=0.25)
    far = [KEYPOINT_INDEX[f"left_{p}"] for p in FAR_LEG]
    others = [i for i in range(len(KEYPOINT_NAMES)) if i not in far]
    before, after = clean["confidence"].values, out["confidence"].values
    np.testing.assert_allclose(after[:, far], before[:, far] * 0.25, rtol=1e-6)
    np.testing.assert_array_equal(after[:, others], before[:, others])
    xr.testing.assert_identical(out["position"], clean["position"])
    entry = read_log(out)[-1]
    assert entry["operation"] == "downweight_far_leg"
    assert entry["factor"] == 0.25
    assert entry["far_side"] == "left"
    with pytest.raises(ValueError, match="near_side"):
        downweight_far_leg(clean, "front")
    with pytest.raises(ValueError, match="factor"):
        downweight_far_leg(clean, "left", factor=2.0)


@pytest.mark.parametrize("name", ["pose_runner", "heel_striker", "slow_fps"])
def test_injected_knee_only_swaps_are_repaired_by_segment_lengths(name: str) -> None:
    clean, sigma = _clean(name)
    frames = _runs_to_frames(_spread_runs(name, float(_truth(name).fps)))
    repaired = repair_leg_swaps(_inject(clean, frames, ("knee",)))
    _assert_repaired(repaired, clean, sigma, frames)


def test_knee_pass_is_skipped_when_the_hips_do_not_overlap() -> None:
    clean, _ = _clean("pose_runner")
    position = clean["position"].values.copy()
    position[:, 0, KEYPOINT_INDEX["left_hip"]] += 40.0  # hips apart, as in a rear view
    position[:, 0, KEYPOINT_INDEX["right_hip"]] -= 40.0
    rear = clean.copy()
    rear["position"] = clean["position"].copy(data=position)
    frames = np.array([20, 21, 22])
    repaired = repair_leg_swaps(_inject(rear, frames, ("knee",)))
    entry = read_log(repaired)[-1]
    assert entry["knee_pass_skipped"] == ["runner"]
    assert entry["knee_swapped_frames"] == {"runner": []}
    assert read_log(repair_leg_swaps(clean))[-1]["knee_pass_skipped"] == []
