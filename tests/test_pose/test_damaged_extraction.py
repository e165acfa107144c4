"""Extracting poses from damaged copies of a rendered running clip (MediaPipe)."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import av
import numpy as np
import pytest
import xarray as xr

from runform.io.video import CorruptFramesWarning
from runform.pose.extract import extract_poses
from runform.pose.read_problems import TRUNCATED_PHRASE, describe_read_problems, is_truncated

pytestmark = pytest.mark.slow

N_FRAMES = 180  # 3 s at 60 fps


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 s, 60 fps synthetic treadmill clip of a runner."""
    from runform.synth import PRESETS, write_synthetic_clip

    folder = tmp_path_factory.mktemp("rendered")
    params = PRESETS["treadmill"].with_overrides(duration_s=3.0)
    return write_synthetic_clip(params, folder, name="treadmill").video_path


@pytest.fixture(scope="module")
def good(rendered: Path, pose_model: object) -> xr.Dataset:
    return extract_poses(rendered, pose_model, workers=1)  # type: ignore[arg-type]


def overwrite_packets(source: Path, dest: Path, packets: list[int]) -> Path:
    """Copy ``source`` with the given packets (in file order) replaced by random bytes."""
    with av.open(str(source)) as container:
        spans = [(p.pos, p.size) for p in container.demux(video=0) if p.size]
    data = bytearray(source.read_bytes())
    rng = np.random.default_rng(0)
    for pos, size in (spans[i] for i in packets):
        data[pos : pos + size] = rng.bytes(size)
    dest.write_bytes(bytes(data))
    return dest


def extract(path: Path, pose_model: object) -> tuple[xr.Dataset, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        poses = extract_poses(path, pose_model, workers=1)  # type: ignore[arg-type]
    return poses, list(caught)


def test_garbage_in_the_middle_is_analysed_on_a_regular_time_axis(
    rendered: Path, good: xr.Dataset, pose_model: object, tmp_path: Path
) -> None:
    from runform.gait.analyze import analyze_gait

    data = bytearray(rendered.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 20_000] = np.random.default_rng(0).bytes(20_000)
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))

    poses, caught = extract(damaged, pose_model)

    np.testing.assert_allclose(poses.time.values, good.time.values, atol=1e-9)
    lost = np.isnan(poses.pts_time.values)
    assert poses.attrs["frames_lost"] == lost.sum() > 10
    assert poses.attrs["frames_read"] + poses.attrs["frames_lost"] == N_FRAMES
    assert np.isnan(poses.position.values[lost]).all()  # a lost frame is a missed detection
    assert sum(poses.attrs["frames_lost_count"]) == lost.sum()
    [damage] = [str(w.message) for w in caught if w.category is CorruptFramesWarning]
    assert damage.startswith(f"damaged.mp4 is damaged: {lost.sum()} of {N_FRAMES} frame(s)")
    assert not is_truncated(poses)
    # frames read keep their numbers and landmarks; gait timing is that of the good clip
    kept = ~lost
    np.testing.assert_array_equal(poses.frame.values[kept], np.arange(kept.sum()))
    before = np.flatnonzero(lost)[0]
    np.testing.assert_allclose(
        poses.position.values[:before], good.position.values[:before], atol=1e-3
    )
    result, reference = analyze_gait(poses), analyze_gait(good)
    assert result.capture.activity.label == reference.capture.activity.label == "running"
    assert result.capture.fps == pytest.approx(60.0)


def test_four_corrupt_frames_are_damage_not_a_truncated_upload(
    rendered: Path, pose_model: object, tmp_path: Path
) -> None:
    damaged = overwrite_packets(rendered, tmp_path / "four.mp4", [90, 91, 92, 93])

    poses, caught = extract(damaged, pose_model)

    messages = [str(w.message) for w in caught]
    assert not any(TRUNCATED_PHRASE in m for m in messages)
    assert not is_truncated(poses) and not poses.attrs["truncated"]
    # the clip's only keyframe is its first: every frame from the damage on is lost
    lost = poses.attrs["frames_lost"]
    assert poses.sizes["time"] == N_FRAMES and lost >= N_FRAMES - 93
    assert any(m.startswith(f"four.mp4 is damaged: {lost} of 180 frame(s)") for m in messages)
    np.testing.assert_allclose(np.diff(poses.time.values), 1 / 60, atol=1e-9)


@pytest.fixture(scope="module")
def overground(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 s, 60 fps synthetic clip of a runner crossing the picture (one keyframe)."""
    from runform.synth import PRESETS, write_synthetic_clip

    folder = tmp_path_factory.mktemp("overground")
    params = PRESETS["pose_runner"].with_overrides(duration_s=3.0)
    return write_synthetic_clip(params, folder, name="overground").video_path


def test_two_corrupt_frames_leave_a_running_clip_running(
    overground: Path, pose_model: object, tmp_path: Path
) -> None:
    """The frames after the damage show a frozen ghost of the runner: not analysed.

    FFmpeg conceals the two damaged frames with old picture content, and every
    later frame (up to the next keyframe, here none) builds on it, so the
    runner seems to stop where the damage happened while the real one runs
    on; the pose model followed the ghost and the clip read as an in-place
    drill.
    """
    from runform.gait.analyze import analyze_gait

    damaged = overwrite_packets(overground, tmp_path / "two.mp4", [22, 25])

    poses, caught = extract(damaged, pose_model)

    assert poses.sizes["time"] == N_FRAMES and not is_truncated(poses)
    read = np.isfinite(poses.pts_time.values)
    assert read[:20].all() and not read[30:].any()  # nothing after the damage is trusted
    assert any(str(w.message).startswith("two.mp4 is damaged") for w in caught)
    assert analyze_gait(poses).capture.activity.label == "running"


def test_a_renamed_truncated_copy_is_reported_under_its_own_name(
    rendered: Path, pose_model: object, tmp_path: Path
) -> None:
    data = rendered.read_bytes()
    original = tmp_path / "original.mp4"
    original.write_bytes(data[: len(data) // 2])  # the index is at the front: still plays

    poses, caught = extract(original, pose_model)
    renamed = tmp_path / "renamed.mp4"
    shutil.copy(original, renamed)

    said = [str(w.message) for w in caught if TRUNCATED_PHRASE in str(w.message)]
    assert len(said) == 1 and said[0].startswith("original.mp4 ends early")
    assert is_truncated(poses)
    facts = {k: v for k, v in poses.attrs.items() if k not in ("source_video", "log")}
    assert not any("original" in str(v) for v in facts.values())  # facts, not sentences
    [again] = [s for s in describe_read_problems(poses, renamed.name) if TRUNCATED_PHRASE in s]
    assert again.startswith(f"renamed.mp4 ends early: read {poses.attrs['frames_read']} of ")
