"""Decoding a damaged file: frames come out in strictly increasing time, with a report."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from runform.io.decode_report import Clock
from runform.io.video import (
    CorruptFramesWarning,
    DecodeReport,
    iter_frames,
    probe_video,
    read_frame_at,
    read_frames_at,
)

from .conftest import ClipFactory
from .test_video import corrupt_packets

#: Bytes of garbage written into the middle of the rendered clip.
GARBAGE_BYTES = 20_000


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 s, 60 fps, 1280×720 synthetic treadmill clip (B-frames, one keyframe)."""
    from runform.synth import PRESETS, write_synthetic_clip

    folder = tmp_path_factory.mktemp("rendered")
    params = PRESETS["treadmill"].with_overrides(duration_s=3.0)
    return write_synthetic_clip(params, folder, name="treadmill").video_path


def write_garbage(source: Path, dest: Path, size: int = GARBAGE_BYTES, seed: int = 0) -> Path:
    """Copy ``source`` to ``dest`` with ``size`` random bytes over its middle."""
    data = bytearray(source.read_bytes())
    middle = len(data) // 2
    data[middle : middle + size] = np.random.default_rng(seed).bytes(size)
    dest.write_bytes(bytes(data))
    return dest


def test_garbage_in_the_middle_gives_increasing_times_and_a_report(
    rendered: Path, tmp_path: Path
) -> None:
    damaged = write_garbage(rendered, tmp_path / "damaged.mp4")
    report = DecodeReport()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames = list(iter_frames(damaged, max_side=64, report=report))

    times = np.array([f.time_s for f in frames])
    assert np.all(np.diff(times) > 0)  # the decoder's confused order is not passed on
    assert [f.index for f in frames] == list(range(len(frames)))
    assert report.damaged and report.corrupt > 0
    kept = report.decoded - report.bad_time - report.tainted
    assert len(frames) == kept < probe_video(damaged).n_frames
    # the frames kept sit on the clip's frame grid: their times are true ones
    np.testing.assert_allclose(times * 60, np.round(times * 60), atol=1e-6)
    # the clip's only keyframe is its first: nothing after the damage is trusted,
    # but decoding went on to the last frame
    assert report.awaiting_keyframe and report.tainted > 0
    assert report.last_time_s == pytest.approx(179 / 60)
    [warning] = [w for w in caught if issubclass(w.category, CorruptFramesWarning)]
    assert str(damaged) in str(warning.message)
    assert "before the next keyframe" in str(warning.message)


def test_warn_false_stays_quiet_but_fills_the_report(rendered: Path, tmp_path: Path) -> None:
    damaged = write_garbage(rendered, tmp_path / "damaged.mp4")
    report = DecodeReport()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frames = list(iter_frames(damaged, max_side=64, report=report, warn=False))

    assert frames and report.damaged


def test_a_good_file_reports_nothing(rendered: Path) -> None:
    report = DecodeReport()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frames = list(iter_frames(rendered, max_side=64, report=report))

    assert len(frames) == report.decoded == probe_video(rendered).n_frames == 180
    assert not report.damaged
    assert report == DecodeReport(decoded=180, last_time_s=pytest.approx(179 / 60))


def test_frames_after_damage_are_dropped_until_the_next_keyframe(clips: ClipFactory) -> None:
    """They decode without complaint, but from concealed (ghost) pictures."""
    path = clips.write(n_frames=30, gop=10)  # keyframes at 0, 10, 20
    corrupt_packets(path, range(12, 15))
    report = DecodeReport()

    frames = list(iter_frames(path, report=report, warn=False))

    numbers = [clips.read_pattern(f.image) for f in frames]
    assert numbers == list(range(12)) + list(range(20, 30))
    assert (report.corrupt, report.tainted) == (3, 5) and not report.awaiting_keyframe
    assert report.last_time_s == pytest.approx(29 / 30)


def test_a_window_after_the_damage_is_read_in_full(clips: ClipFactory) -> None:
    path = clips.write(n_frames=30, gop=10)
    corrupt_packets(path, range(12, 15))
    report = DecodeReport()

    frames = list(iter_frames(path, start_s=20 / 30, report=report, warn=False))

    assert [clips.read_pattern(f.image) for f in frames] == list(range(20, 30))
    assert not report.damaged  # the seek lands on the keyframe after the damage


def test_clock_drops_missing_repeated_and_backward_timestamps() -> None:
    clock = Clock(step=512)

    accepted = [clock.accept(pts) for pts in (0, 512, None, 1024, 1024, 256, 2048)]

    assert accepted == [0, 512, None, 1024, None, None, 2048]


def test_clock_times_a_stream_without_timestamps_one_step_apart() -> None:
    clock = Clock(step=3)

    assert [clock.accept(None) for _ in range(4)] == [0, 3, 6, 9]


def test_reading_at_a_time_lost_to_damage_gives_the_frame_on_screen(clips: ClipFactory) -> None:
    path = clips.write(n_frames=30, gop=10)  # keyframes at 0, 10, 20
    corrupt_packets(path, range(22, 24))  # frames 22-29 are lost: no keyframe after

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorruptFramesWarning)
        inside = read_frames_at(path, [5 / 30, 25 / 30, 29 / 30])
        one = read_frame_at(path, 26 / 30)
        with pytest.raises(ValueError, match="no frame at or after"):
            read_frame_at(path, 31 / 30)  # after the end of the file

    assert [clips.read_pattern(f.image) for f in inside] == [5, 21, 21]
    assert clips.read_pattern(one.image) == 21


def test_reading_inside_a_damaged_stretch_gives_the_next_frame(clips: ClipFactory) -> None:
    path = clips.write(n_frames=30, gop=10)
    corrupt_packets(path, range(12, 15))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorruptFramesWarning)
        frame = read_frame_at(path, 15 / 30)

    assert clips.read_pattern(frame.image) == 20 and frame.time_s == pytest.approx(20 / 30)
