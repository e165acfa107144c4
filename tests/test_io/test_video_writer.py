"""Tests for runform.io.video_writer: exact fps, padding, atomic replacement."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from runform.errors import RunformError
from runform.io.video import iter_frames, probe_video
from runform.io.video_writer import (
    VideoWriter,
    compute_even_size,
    convert_fps,
    write_video,
)

from .conftest import ClipFactory


def patterns(clips: ClipFactory, n: int, width: int = 160, height: int = 120) -> list[np.ndarray]:
    return [clips.make_pattern(i, width, height) for i in range(n)]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


@pytest.mark.parametrize(
    "fps",
    [Fraction(30000, 1001), Fraction(24000, 1001), Fraction(60000, 1001), 30, 25, 120],
)
def test_exact_fps_round_trip(tmp_path: Path, clips: ClipFactory, fps: Fraction) -> None:
    path = write_video(tmp_path / "out.mp4", patterns(clips, 10), fps)

    props = probe_video(path)
    frames = list(iter_frames(path))

    assert props.fps == Fraction(fps)
    assert props.n_frames == 10
    assert [clips.read_pattern(f.image) for f in frames] == list(range(10))
    for i, frame in enumerate(frames):
        assert frame.time_s == pytest.approx(float(i / Fraction(fps)), abs=1e-9)


def test_float_ntsc_rate_is_written_exactly(tmp_path: Path, clips: ClipFactory) -> None:
    path = write_video(tmp_path / "out.mp4", patterns(clips, 3), 30000 / 1001)
    assert probe_video(path).fps == Fraction(30000, 1001)


def test_pts_and_time_base_are_exact(tmp_path: Path, clips: ClipFactory) -> None:
    fps = Fraction(30000, 1001)
    path = write_video(tmp_path / "out.mp4", patterns(clips, 6), fps)

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        times = [frame.pts * stream.time_base for frame in container.decode(stream)]

    assert times == [Fraction(i) / fps for i in range(6)]


def test_output_is_h264_yuv420p_with_faststart(tmp_path: Path, clips: ClipFactory) -> None:
    path = write_video(tmp_path / "out.mp4", patterns(clips, 3), 30)

    props = probe_video(path)
    head = path.read_bytes()

    assert (props.codec, props.pix_fmt) == ("h264", "yuv420p")
    assert 0 <= head.find(b"moov") < head.find(b"mdat")


def test_odd_size_is_padded_to_even(tmp_path: Path) -> None:
    image = np.zeros((121, 161, 3), np.uint8)
    image[:, -1] = (0, 255, 0)  # last column green
    image[-1, :] = (255, 0, 0)  # last row red
    image[-1, -1] = (0, 0, 255)

    path = write_video(tmp_path / "odd.mp4", [image, image], 30)
    decoded = next(iter(iter_frames(path))).image

    assert (probe_video(path).width, probe_video(path).height) == (162, 122)
    assert decoded.shape == (122, 162, 3)
    # Padding repeats the edge: the new column is green, the new row red.
    assert decoded[60, 161].tolist() == pytest.approx([0, 255, 0], abs=40)
    assert decoded[121, 80].tolist() == pytest.approx([255, 0, 0], abs=40)
    assert np.abs(decoded[:100, :150].astype(int)).mean() < 3


def test_compute_even_size_examples() -> None:
    assert compute_even_size(161, 121) == (162, 122)
    assert compute_even_size(160, 120) == (160, 120)


@given(
    st.integers(min_value=1, max_value=10_000),
    st.integers(min_value=1, max_value=10_000),
)
def test_even_size_is_smallest_even_cover(width: int, height: int) -> None:
    new_w, new_h = compute_even_size(width, height)
    assert new_w % 2 == 0 and new_h % 2 == 0
    assert 0 <= new_w - width <= 1 and 0 <= new_h - height <= 1


@given(
    numerator=st.integers(min_value=1, max_value=1_000_000),
    denominator=st.integers(min_value=1, max_value=1001),
)
def test_convert_fps_recovers_fractions_from_floats(numerator: int, denominator: int) -> None:
    exact = Fraction(numerator, denominator)
    assert convert_fps(numerator / denominator) == exact
    assert convert_fps(exact) == exact


@pytest.mark.parametrize("fps", [0, -30, float("nan"), float("inf")])
def test_convert_fps_rejects_bad_rates(fps: float) -> None:
    with pytest.raises(ValueError, match="fps"):
        convert_fps(fps)


def test_clean_exit_replaces_file_and_leaves_no_temp(tmp_path: Path, clips: ClipFactory) -> None:
    path = tmp_path / "out.mp4"
    path.write_bytes(b"old")

    with VideoWriter(path, 30) as writer:
        for image in patterns(clips, 4):
            writer.write(image)
        assert path.read_bytes() == b"old"  # not replaced before the end

    assert writer.frames_written == 4
    assert probe_video(path).n_frames == 4
    assert leftovers(tmp_path) == []


def test_exception_deletes_temp_and_keeps_previous_file(tmp_path: Path, clips: ClipFactory) -> None:
    path = tmp_path / "out.mp4"
    previous = write_video(path, patterns(clips, 2), 30).read_bytes()

    with pytest.raises(RuntimeError, match="boom"), VideoWriter(path, 30) as writer:
        for image in patterns(clips, 5):
            writer.write(image)
        raise RuntimeError("boom")

    assert path.read_bytes() == previous
    assert leftovers(tmp_path) == []


def test_exception_without_previous_file_leaves_nothing(tmp_path: Path, clips: ClipFactory) -> None:
    path = tmp_path / "out.mp4"
    with pytest.raises(KeyboardInterrupt), VideoWriter(path, 30) as writer:
        writer.write(patterns(clips, 1)[0])
        raise KeyboardInterrupt

    assert list(tmp_path.iterdir()) == []


def test_shape_change_mid_stream_raises(tmp_path: Path, clips: ClipFactory) -> None:
    path = tmp_path / "out.mp4"
    with pytest.raises(ValueError, match=r"shape \(100, 160, 3\).*expected \(120, 160, 3\)"):
        write_video(path, [clips.make_pattern(0), clips.make_pattern(1, 160, 100)], 30)

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (np.zeros((10, 10), np.uint8), r"shape \(H, W, 3\)"),
        (np.zeros((10, 10, 4), np.uint8), r"shape \(H, W, 3\)"),
        (np.zeros((10, 10, 3), np.float32), "uint8"),
        (np.zeros((0, 10, 3), np.uint8), "non-empty"),
    ],
)
def test_bad_frames_are_rejected(tmp_path: Path, frame: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        write_video(tmp_path / "out.mp4", [frame], 30)


def test_no_frames_raises_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no frames"):
        write_video(tmp_path / "out.mp4", [], 30)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "out.mp4"
    with pytest.raises(RunformError, match="does not exist") as err:
        write_video(path, [np.zeros((8, 8, 3), np.uint8)], 30)
    assert err.value.hint


def test_non_mp4_suffix_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.mp4"):
        VideoWriter(tmp_path / "out.avi", 30)


def test_non_contiguous_frames_are_accepted(tmp_path: Path, clips: ClipFactory) -> None:
    wide = np.concatenate([clips.make_pattern(5)] * 2, axis=1)
    view = wide[:, :160]  # strided view
    path = write_video(tmp_path / "out.mp4", [view], 30)
    assert clips.read_pattern(next(iter(iter_frames(path))).image) == 5


@pytest.mark.parametrize("codec", ["no-such-codec", "aac"])
def test_unusable_codec_is_reported(tmp_path: Path, codec: str) -> None:
    with pytest.raises(RunformError, match="encoder") as err:
        write_video(tmp_path / "out.mp4", [np.zeros((8, 8, 3), np.uint8)], 30, codec=codec)
    assert codec in str(err.value)
    assert list(tmp_path.iterdir()) == []
