"""Tests for runform.io.video: probing, decoding, timing, rotation, bad inputs."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from runform.errors import InputFileError, VideoDecodeError
from runform.io import video_probe
from runform.io.video import (
    CorruptFramesWarning,
    compute_display_size,
    compute_rotation_from_matrix,
    compute_scaled_size,
    count_frames,
    iter_frames,
    normalize_rotation,
    probe_video,
    read_frame_at,
    read_frames_at,
    rotate_image,
)

from .conftest import ClipFactory

NTSC = Fraction(30000, 1001)


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fps", [NTSC, Fraction(24000, 1001), Fraction(30), Fraction(25), Fraction(60)]
)
def test_probe_reports_exact_fps_and_counts(clips: ClipFactory, fps: Fraction) -> None:
    path = clips.write(n_frames=12, time_base=1 / fps)

    props = probe_video(path)

    assert props.fps == fps
    assert isinstance(props.fps, Fraction)
    assert props.n_frames == 12
    assert not props.n_frames_estimated
    assert props.duration_s == pytest.approx(float(12 / fps), abs=1e-6)


def test_probe_reports_standard_properties(clips: ClipFactory) -> None:
    path = clips.write(n_frames=12, time_base=1 / NTSC)

    props = probe_video(path)

    assert props.path == path
    assert (props.width, props.height) == (160, 120)
    assert (props.coded_width, props.coded_height) == (160, 120)
    assert props.rotation_deg == 0
    assert props.codec == "h264"
    assert props.pix_fmt == "yuv420p"
    assert isinstance(props.time_base, Fraction)
    assert props.has_audio is False
    assert props.size_bytes == path.stat().st_size
    assert props.metadata["major_brand"] == "isom"
    assert "handler_name" in props.stream_metadata


def test_probe_estimates_n_frames_when_container_has_no_count(
    clips: ClipFactory,
) -> None:
    path = clips.write("clip.mkv", n_frames=12)

    props = probe_video(path)

    assert props.n_frames_estimated
    assert props.n_frames == 12
    assert props.fps == 30


def test_probe_reads_no_pixels_for_mp4(clips: ClipFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    path = clips.write(rotation=-90)

    def fail(*_: object) -> float:
        raise AssertionError("probe_video decoded a frame")

    monkeypatch.setattr(video_probe, "_read_first_frame_rotation", fail)
    assert probe_video(path).rotation_deg == 270


def test_count_frames_counts_packets(clips: ClipFactory) -> None:
    assert count_frames(clips.write("clip.mkv", n_frames=17)) == 17


# --------------------------------------------------------------------------
# Frames and timestamps
# --------------------------------------------------------------------------


def test_frames_are_contiguous_rgb_with_exact_timestamps(clips: ClipFactory) -> None:
    path = clips.write(n_frames=12, time_base=1 / NTSC)

    frames = list(iter_frames(path))

    assert [f.index for f in frames] == list(range(12))
    for i, frame in enumerate(frames):
        assert frame.image.shape == (120, 160, 3)
        assert frame.image.dtype == np.uint8
        assert frame.image.flags.c_contiguous
        assert clips.read_pattern(frame.image) == i
        assert frame.time_s == pytest.approx(float(i / NTSC), abs=1e-9)
        assert frame.pts_time_s == pytest.approx(float(i / NTSC), abs=1e-9)
    red, _, blue = frames[0].image[100, 20].astype(int)  # bottom-left is red
    assert red > 200 and blue < 60


def test_variable_frame_rate_uses_true_timestamps(clips: ClipFactory) -> None:
    pts_ms = [0, 33, 50, 120, 130, 200, 400, 410, 500]
    path = clips.write("vfr.mp4", n_frames=len(pts_ms), pts=pts_ms, time_base=Fraction(1, 1000))

    frames = list(iter_frames(path))

    assert [clips.read_pattern(f.image) for f in frames] == list(range(len(pts_ms)))
    np.testing.assert_allclose([f.time_s for f in frames], np.array(pts_ms) / 1000)


def test_times_are_relative_to_first_frame(clips: ClipFactory) -> None:
    pts_ms = [1000 + 40 * i for i in range(6)]
    path = clips.write("late.mkv", n_frames=6, pts=pts_ms, time_base=Fraction(1, 1000))

    frames = list(iter_frames(path))

    np.testing.assert_allclose([f.time_s for f in frames], np.arange(6) * 0.04)
    np.testing.assert_allclose([f.pts_time_s for f in frames], np.array(pts_ms) / 1000)


def test_slowmo_divides_times(clips: ClipFactory) -> None:
    path = clips.write(n_frames=8, time_base=Fraction(1, 120))

    frames = list(iter_frames(path, slowmo=4))

    np.testing.assert_allclose([f.time_s for f in frames], np.arange(8) / 480)
    np.testing.assert_allclose([f.pts_time_s for f in frames], np.arange(8) / 120)


@pytest.mark.parametrize("slowmo", [0.0, -2.0, math.nan, math.inf])
def test_slowmo_must_be_positive(clips: ClipFactory, slowmo: float) -> None:
    with pytest.raises(ValueError, match="slowmo"):
        iter_frames(clips.write(), slowmo=slowmo)


def test_bad_window_and_max_side_are_rejected(clips: ClipFactory) -> None:
    path = clips.write()
    with pytest.raises(ValueError, match="end_s"):
        iter_frames(path, start_s=0.5, end_s=0.1)
    with pytest.raises(ValueError, match="max_side"):
        iter_frames(path, max_side=0)


def test_time_window_selects_frames(clips: ClipFactory) -> None:
    path = clips.write(n_frames=30, time_base=Fraction(1, 30))

    frames = list(iter_frames(path, start_s=0.5, end_s=0.6))

    assert [clips.read_pattern(f.image) for f in frames] == [15, 16, 17]
    assert [f.index for f in frames] == [0, 1, 2]
    assert frames[0].time_s == pytest.approx(0.5)


def test_time_window_is_in_real_world_seconds(clips: ClipFactory) -> None:
    path = clips.write(n_frames=30, time_base=Fraction(1, 120))

    frames = list(iter_frames(path, slowmo=4, start_s=12 / 480, end_s=14 / 480))

    assert [clips.read_pattern(f.image) for f in frames] == [12, 13]


def test_window_after_the_end_yields_nothing(clips: ClipFactory) -> None:
    assert list(iter_frames(clips.write(), start_s=100.0)) == []


def test_read_frame_at(clips: ClipFactory) -> None:
    path = clips.write(n_frames=30, time_base=Fraction(1, 30))

    frame = read_frame_at(path, 0.4)

    assert clips.read_pattern(frame.image) == 12
    assert frame.time_s == pytest.approx(0.4)
    with pytest.raises(ValueError, match="no frame"):
        read_frame_at(path, 5.0)


@pytest.mark.parametrize(
    "times", [[0.4], [0.45, 0.1, 0.4], [3.5, 0.1, 0.1, 2.05, 0.0], [3.96, 1.0]]
)
def test_read_frames_at_gives_what_one_read_each_gives(clips: ClipFactory, times) -> None:
    path = clips.write(n_frames=120, time_base=Fraction(1, 30))

    frames = read_frames_at(path, times)

    expected = [read_frame_at(path, t) for t in times]
    assert [clips.read_pattern(f.image) for f in frames] == [
        clips.read_pattern(f.image) for f in expected
    ]
    assert [f.time_s for f in frames] == [f.time_s for f in expected]
    with pytest.raises(ValueError, match="no frame"):
        read_frames_at(path, [0.5, 9.0])


def test_stopping_early_emits_no_warning(clips: ClipFactory) -> None:
    frames = iter_frames(clips.write(n_frames=12))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first = next(frames)
        frames.close()
    assert first.index == 0


# --------------------------------------------------------------------------
# Downscaling
# --------------------------------------------------------------------------


def test_max_side_downscales_keeping_aspect(clips: ClipFactory) -> None:
    path = clips.write(n_frames=4, width=320, height=240)

    frames = list(iter_frames(path, max_side=100))

    assert all(f.image.shape == (75, 100, 3) for f in frames)
    assert all(f.image.flags.c_contiguous for f in frames)
    assert [clips.read_pattern(f.image) for f in frames] == [0, 1, 2, 3]


def test_max_side_never_upscales(clips: ClipFactory) -> None:
    frame = next(iter(iter_frames(clips.write(), max_side=1000)))
    assert frame.image.shape == (120, 160, 3)


def test_max_side_applies_to_display_size_of_rotated_video(clips: ClipFactory) -> None:
    path = clips.write(width=320, height=240, rotation=-90)

    frame = next(iter(iter_frames(path, max_side=100)))

    assert frame.image.shape == (100, 75, 3)


# --------------------------------------------------------------------------
# Rotation
# --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
@pytest.mark.parametrize("rotation", [-90, 90, 180])
def test_rotated_video_comes_out_upright(clips: ClipFactory, rotation: int, suffix: str) -> None:
    upright = clips.make_quadrants(width=96, height=160)  # portrait, as displayed
    # Store the image as a camera would: turned so that rotating it by the
    # display rotation (CCW) restores the upright picture.
    stored = np.ascontiguousarray(np.rot90(upright, k=-(rotation // 90)))
    path = clips.write_images(f"rot{suffix}", [stored] * 3, rotation=rotation)

    props = probe_video(path)
    frames = list(iter_frames(path))

    assert props.rotation_deg == normalize_rotation(rotation)
    assert (props.width, props.height) == (96, 160)
    assert (props.coded_width, props.coded_height) == stored.shape[1::-1]
    for frame in frames:
        assert frame.image.shape == upright.shape
        assert frame.image.flags.c_contiguous
        assert np.abs(frame.image.astype(int) - upright).mean() < 6


def test_phone_portrait_video_is_taller_than_wide(clips: ClipFactory) -> None:
    # A phone held upright stores landscape frames with rotation -90 (the
    # QuickTime "rotate=90" tag): they must be turned clockwise for display.
    upright = clips.make_quadrants(width=90, height=160)
    stored = np.ascontiguousarray(np.rot90(upright, k=1))
    path = clips.write_images("phone.mp4", [stored], rotation=-90)

    image = next(iter(iter_frames(path))).image

    assert image.shape[0] > image.shape[1]
    assert tuple(image[10, 10]) == pytest.approx((255, 0, 0), abs=40)  # red TL


@pytest.mark.parametrize("rotation", [0, 90, 180, -90])
def test_probe_rotation_matches_pyav_frame_rotation(clips: ClipFactory, rotation: int) -> None:
    path = clips.write(n_frames=2, rotation=rotation)

    with av.open(str(path)) as container:
        frame_rotation = next(container.decode(video=0)).rotation

    assert probe_video(path).rotation_deg == normalize_rotation(frame_rotation)


# --------------------------------------------------------------------------
# Awkward widths (row padding / stride)
# --------------------------------------------------------------------------


def make_smooth_image(width: int, height: int) -> np.ndarray:
    """Return an RGB image of gradients and blocks that H.264 keeps nearly exact."""
    x = np.linspace(0, 255, width)[None, :]
    y = np.linspace(0, 255, height)[:, None]
    image = np.empty((height, width, 3), np.uint8)
    image[..., 0] = np.broadcast_to(x, (height, width))
    image[..., 1] = np.broadcast_to(y, (height, width))
    image[..., 2] = np.where((np.arange(width) // 64) % 2 == 0, 40, 220)[None, :]
    return image


@pytest.mark.parametrize(("width", "height"), [(412, 232), (1366, 768), (250, 142)])
def test_odd_widths_are_not_sheared(clips: ClipFactory, width: int, height: int) -> None:
    source = make_smooth_image(width, height)
    path = clips.write_images("wide.mp4", [source, source])

    frame = next(iter(iter_frames(path)))

    assert frame.image.shape == (height, width, 3)
    error = np.abs(frame.image.astype(int) - source.astype(int))
    assert error.mean() < 3
    # A shear would shift the lower rows sideways: check first and last rows.
    assert error[:8].mean() < 4 and error[-8:].mean() < 4


def test_odd_downscaled_width_is_not_sheared(clips: ClipFactory) -> None:
    source = make_smooth_image(1366, 768)
    path = clips.write_images("wide.mp4", [source])

    image = next(iter(iter_frames(path, max_side=301))).image

    assert image.shape == (169, 301, 3)
    expected = cv2.resize(source, (301, 169), interpolation=cv2.INTER_AREA)
    assert np.abs(image.astype(int) - expected.astype(int)).mean() < 4


# --------------------------------------------------------------------------
# Bad inputs
# --------------------------------------------------------------------------


def assert_names_file(err: pytest.ExceptionInfo[BaseException], path: Path) -> None:
    assert str(path) in str(err.value)
    assert "expected" in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.mp4"
    with pytest.raises(InputFileError, match="not found") as err:
        probe_video(path)
    assert_names_file(err, path)
    assert err.value.hint


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="folder") as err:
        iter_frames(tmp_path)
    assert_names_file(err, tmp_path)


def test_text_file_renamed_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("this is not a video\n" * 50)
    with pytest.raises(InputFileError, match="not a recognised video") as err:
        probe_video(path)
    assert not isinstance(err.value, VideoDecodeError)
    assert_names_file(err, path)
    assert isinstance(err.value.__cause__, av.error.FFmpegError)
    assert err.value.hint


def test_audio_only_file(audio_only_file: Path) -> None:
    with pytest.raises(InputFileError, match="video stream") as err:
        iter_frames(audio_only_file)
    assert "1 audio stream" in str(err.value)
    assert_names_file(err, audio_only_file)


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.touch()
    with pytest.raises(InputFileError, match="empty") as err:
        probe_video(path)
    assert_names_file(err, path)


def test_truncated_mp4_without_moov(clips: ClipFactory) -> None:
    path = clips.write(n_frames=20, faststart=False)  # moov atom at the end
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])

    with pytest.raises(VideoDecodeError, match="moov") as err:
        iter_frames(path)
    assert_names_file(err, path)
    assert err.value.hint


def corrupt_packets(path: Path, packet_indices: range, seed: int = 0) -> None:
    """Overwrite whole packets (in file order) with random bytes, in place."""
    with av.open(str(path)) as container:
        spans = [(p.pos, p.size) for p in container.demux(video=0) if p.size]
    data = bytearray(path.read_bytes())
    rng = np.random.default_rng(seed)
    for pos, size in (spans[i] for i in packet_indices):
        data[pos : pos + size] = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))


def test_corrupt_frames_mid_stream_are_skipped_with_one_warning(
    clips: ClipFactory,
) -> None:
    path = clips.write(n_frames=30, gop=10)
    corrupt_packets(path, range(12, 15))

    with pytest.warns(CorruptFramesWarning, match=r"skipped \d+ corrupt") as record:
        frames = list(iter_frames(path))

    assert len(record) == 1
    assert str(path) in str(record[0].message)
    numbers = [clips.read_pattern(f.image) for f in frames]
    # Exactly which neighbours of the damaged packets the decoder gives up on
    # may depend on its threading, so only bound the count; the rest of the
    # damaged GOP is dropped (see test_video_damage.py).
    assert 20 <= len(frames) < 30
    assert numbers[:10] == list(range(10))  # first GOP untouched
    assert numbers[-10:] == list(range(20, 30))  # last GOP untouched
    assert [f.index for f in frames] == list(range(len(frames)))


def test_nothing_decodable_raises(clips: ClipFactory) -> None:
    path = clips.write(n_frames=10)
    corrupt_packets(path, range(10))

    with warnings.catch_warnings():
        warnings.simplefilter("error", CorruptFramesWarning)
        with pytest.raises(VideoDecodeError, match="undecodable") as err:
            list(iter_frames(path))
    assert_names_file(err, path)


# --------------------------------------------------------------------------
# Pure helpers (property-based)
# --------------------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=8000)


@given(width=sizes, height=sizes, max_side=st.integers(min_value=1, max_value=4000))
def test_scaled_size_fits_and_keeps_aspect(width: int, height: int, max_side: int) -> None:
    new_w, new_h = compute_scaled_size(width, height, max_side)

    assert 1 <= new_w <= width and 1 <= new_h <= height
    assert max(new_w, new_h) == min(max(width, height), max_side)
    # Aspect preserved to within one pixel (rounding of the shorter side).
    if width >= height:
        assert abs(new_h - height * new_w / width) <= 1
    else:
        assert abs(new_w - width * new_h / height) <= 1


@given(width=sizes, height=sizes)
def test_scaled_size_without_limit_is_identity(width: int, height: int) -> None:
    assert compute_scaled_size(width, height, None) == (width, height)


@given(width=sizes, height=sizes, turns=st.integers(min_value=-8, max_value=8))
def test_display_size_swaps_for_quarter_turns(width: int, height: int, turns: int) -> None:
    shown = compute_display_size(width, height, 90 * turns)

    assert shown == ((height, width) if turns % 2 else (width, height))
    assert compute_display_size(*shown, 90 * turns) == (width, height)


@given(st.floats(min_value=-1e6, max_value=1e6))
def test_normalized_rotation_is_nearest_quarter_turn(degrees: float) -> None:
    result = normalize_rotation(degrees)

    assert result in (0, 90, 180, 270)
    gap = (degrees - result) % 360
    assert min(gap, 360 - gap) <= 45 + 1e-6


def test_normalize_rotation_examples() -> None:
    assert [normalize_rotation(d) for d in (-90, -180, 180, 270, 450, -270)] == [
        270,
        180,
        180,
        270,
        90,
        90,
    ]
    assert normalize_rotation(math.nan) == 0


@given(
    angle=st.floats(min_value=-179.0, max_value=179.0),
    scale=st.floats(min_value=0.1, max_value=10.0),
)
def test_rotation_from_matrix_inverts_ffmpeg_rotation_set(angle: float, scale: float) -> None:
    # av_display_rotation_set(m, -angle) as PyAV's set_display_rotation(angle).
    rad = math.radians(angle)
    cos, sin = scale * math.cos(rad), scale * math.sin(rad)
    matrix = [cos, -sin, 0.0, sin, cos, 0.0, 0.0, 0.0, 1.0]

    assert compute_rotation_from_matrix(matrix) == pytest.approx(angle, abs=1e-6)


def test_rotation_from_degenerate_matrix_is_nan() -> None:
    assert math.isnan(compute_rotation_from_matrix([0.0] * 9))


@given(
    height=st.integers(min_value=1, max_value=6),
    width=st.integers(min_value=1, max_value=6),
    turns=st.integers(min_value=0, max_value=3),
)
def test_rotate_image_turns_counter_clockwise(height: int, width: int, turns: int) -> None:
    image = np.arange(height * width * 3, dtype=np.uint8).reshape(height, width, 3)

    rotated = rotate_image(image, 90 * turns)

    assert rotated.shape[:2] == compute_display_size(width, height, 90 * turns)[::-1]
    np.testing.assert_array_equal(rotate_image(rotated, -90 * turns), image)
    if turns == 1:  # CCW: the top-right pixel goes to the top-left
        np.testing.assert_array_equal(rotated[0, 0], image[0, -1])
