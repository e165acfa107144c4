"""Where the pipeline measures camera motion: a 4 s stretch that starts at a keyframe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
import xarray as xr

import runform.scene.camera_motion as camera_motion
from runform.io.video import DecodeReport, iter_frames
from runform.pipeline.clip import CAMERA_MOTION_WINDOW_S, sample_camera_motion

FPS = 30


def write_clip(path: Path, n_frames: int, gop: int) -> Path:
    """Noise frames (x264, a keyframe every ``gop`` frames, no scene-cut keyframes)."""
    rng = np.random.default_rng(0)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(
            "libx264", rate=FPS, options={"g": str(gop), "sc_threshold": "0", "preset": "ultrafast"}
        )
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(n_frames):
            image = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode(None))
    return path


def poses_of(video: Path, slowmo: float = 1.0) -> xr.Dataset:
    """A poses dataset with the video's frame times (all sample_camera_motion reads of it)."""
    times = [frame.time_s for frame in iter_frames(video, slowmo=slowmo)]
    return xr.Dataset(coords={"time": times})


def assert_middle_stretch(window: xr.Dataset, kwargs: dict[str, Any], duration_s: float) -> None:
    """The stretch is the middle 4 s of a clip ``duration_s`` long, decoded the default way."""
    times = window["time"].values
    middle = 0.5 * (duration_s - 1 / FPS)
    assert times[0] >= middle - CAMERA_MOTION_WINDOW_S / 2 - 1e-9
    assert times[-1] <= middle + CAMERA_MOTION_WINDOW_S / 2 + 1e-9
    assert times[-1] - times[0] == pytest.approx(CAMERA_MOTION_WINDOW_S, abs=1.5 / FPS)
    assert kwargs.get("decode_from_s") is None


@pytest.fixture
def capture(monkeypatch: pytest.MonkeyPatch) -> list[tuple[xr.Dataset, dict[str, Any]]]:
    """The poses and keywords each call of measure_camera_motion is given (it is not run)."""
    seen: list[tuple[xr.Dataset, dict[str, Any]]] = []

    def fake(video: Path, poses: xr.Dataset, **kwargs: Any) -> xr.Dataset:
        seen.append((poses, kwargs))
        return poses

    monkeypatch.setattr(camera_motion, "measure_camera_motion", fake)
    return seen


def test_the_stretch_starts_just_after_the_keyframe_before_the_middle(tmp_path, capture) -> None:
    video = write_clip(tmp_path / "clip.mp4", n_frames=12 * FPS, gop=5 * FPS)  # keys at 0, 5, 10 s
    sample_camera_motion(video, poses_of(video), 1.0)
    (window, kwargs) = capture[0]
    times = window["time"].values
    # the middle stretch would start at 3.5 s; decoding it would start at the keyframe at 0 s
    assert times[0] == pytest.approx(1 / FPS)
    assert times[-1] == pytest.approx(times[0] + CAMERA_MOTION_WINDOW_S, abs=1.5 / FPS)
    # decoding starts between the keyframe and the stretch's first frame: at the keyframe
    assert 0.0 < kwargs["decode_from_s"] < times[0]


def test_decoding_from_there_decodes_the_keyframe_and_the_stretch_only(tmp_path, capture) -> None:
    video = write_clip(tmp_path / "clip.mp4", n_frames=12 * FPS, gop=5 * FPS)
    sample_camera_motion(video, poses_of(video), 1.0)
    (window, kwargs) = capture[0]
    report = DecodeReport()
    end_s = float(window["time"].values[-1]) + 0.5 / FPS
    used = list(iter_frames(video, start_s=kwargs["decode_from_s"], end_s=end_s, report=report))
    assert [f.time_s for f in used] == pytest.approx(list(window["time"].values))
    assert report.decoded <= len(used) + 2  # the keyframe (and the frame that ends the stretch)


def test_in_slow_motion_the_stretch_is_in_real_world_seconds(tmp_path, capture) -> None:
    video = write_clip(tmp_path / "clip.mp4", n_frames=24 * FPS, gop=5 * FPS)  # keys every 5 s
    sample_camera_motion(video, poses_of(video, slowmo=2.0), 2.0)
    times = capture[0][0]["time"].values
    # 24 s played = 12 s real; the middle stretch starts at 4 s real = 8 s played, after
    # the keyframe at 5 s played = 2.5 s real
    assert times[0] == pytest.approx(2.5 + 0.5 / FPS)


def test_a_keyframe_just_before_the_middle_stretch_is_where_it_starts(tmp_path, capture) -> None:
    video = write_clip(tmp_path / "clip.mp4", n_frames=12 * FPS, gop=FPS // 2)  # every 0.5 s
    sample_camera_motion(video, poses_of(video), 1.0)
    times = capture[0][0]["time"].values
    middle_start = 0.5 * (12 - 1 / FPS) - CAMERA_MOTION_WINDOW_S / 2
    assert middle_start - 0.5 <= times[0] <= middle_start + 1 / FPS


def test_a_keyframe_far_back_keeps_the_middle_stretch(tmp_path, capture) -> None:
    # one keyframe, 13 s before the middle stretch: starting there would measure the clip's start
    video = write_clip(tmp_path / "clip.mp4", n_frames=30 * FPS, gop=100 * FPS)
    sample_camera_motion(video, poses_of(video), 1.0)
    assert_middle_stretch(*capture[0], duration_s=30)


def test_without_a_keyframe_the_stretch_is_the_middle_one(tmp_path, capture, monkeypatch) -> None:
    import runform.io.video

    monkeypatch.setattr(runform.io.video, "find_keyframe_time", lambda *a, **k: None)
    video = write_clip(tmp_path / "clip.mp4", n_frames=12 * FPS, gop=5 * FPS)
    sample_camera_motion(video, poses_of(video), 1.0)
    assert_middle_stretch(*capture[0], duration_s=12)
