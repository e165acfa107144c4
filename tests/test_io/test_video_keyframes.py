"""Luma-only decoding and keyframe lookup (runform.io.video): decode only what is used."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from runform.io.video import DecodeReport, find_keyframe_time, iter_frames

from .conftest import ClipFactory


def keyframe_times(path: Path) -> list[float]:
    """Times (s from the first frame) of the stream's keyframes, from its packets."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        origin = stream.start_time or 0
        return sorted(
            float((p.pts - origin) * stream.time_base)
            for p in container.demux(stream)
            if p.pts is not None and p.is_keyframe
        )


def test_gray_frames_are_the_luma_of_the_rgb_frames(clips: ClipFactory) -> None:
    path = clips.write(n_frames=8, width=160, height=120)
    rgb = list(iter_frames(path, max_side=80))
    gray = list(iter_frames(path, max_side=80, gray=True))
    assert [f.time_s for f in gray] == [f.time_s for f in rgb]
    for colour, luma in zip(rgb, gray, strict=True):
        assert luma.image.shape == colour.image.shape[:2] == (60, 80)
        assert luma.image.dtype == np.uint8 and luma.image.flags.c_contiguous
        expected = cv2.cvtColor(colour.image, cv2.COLOR_RGB2GRAY).astype(float)
        assert np.median(np.abs(luma.image.astype(float) - expected)) <= 3


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_gray_frames_come_out_upright(clips: ClipFactory, rotation: int) -> None:
    image = clips.make_quadrants(64, 32)
    path = clips.write_images("turned.mp4", [image] * 3, rotation=rotation)
    (colour, *_) = iter_frames(path)
    (luma, *_) = iter_frames(path, gray=True)
    assert luma.image.shape == colour.image.shape[:2]  # the display size, not the stored one
    expected = cv2.cvtColor(colour.image, cv2.COLOR_RGB2GRAY).astype(float)
    assert np.median(np.abs(luma.image.astype(float) - expected)) <= 3  # turned the same way


@pytest.fixture
def long_gop_clip(clips: ClipFactory) -> Path:
    """3 s at 30 fps with a keyframe every 25 frames (and any x264 adds at cuts)."""
    return clips.write("gop.mp4", n_frames=90, gop=25)


@pytest.mark.parametrize("time_s", [0.0, 0.5, 0.84, 1.5, 2.2, 2.9])
def test_keyframe_time_is_the_last_keyframe_at_or_before(
    long_gop_clip: Path, time_s: float
) -> None:
    keys = keyframe_times(long_gop_clip)
    assert len(keys) >= 3  # the fixture really has several groups of pictures
    expected = max(k for k in keys if k <= time_s + 1e-9)
    assert find_keyframe_time(long_gop_clip, time_s) == pytest.approx(expected, abs=1e-9)


def test_bad_arguments_are_rejected(long_gop_clip: Path) -> None:
    for time_s, slowmo in ((float("nan"), 1.0), (float("inf"), 1.0), (1.0, 0.0), (1.0, -2.0)):
        with pytest.raises(ValueError):
            find_keyframe_time(long_gop_clip, time_s, slowmo=slowmo)


def test_keyframe_time_is_in_real_world_seconds(long_gop_clip: Path) -> None:
    plain = find_keyframe_time(long_gop_clip, 2.0)
    slowed = find_keyframe_time(long_gop_clip, 1.0, slowmo=2.0)
    assert plain is not None and slowed == pytest.approx(plain / 2)


def test_starting_just_after_a_keyframe_decodes_nothing_before_it(long_gop_clip: Path) -> None:
    keyframe = find_keyframe_time(long_gop_clip, 2.0)
    assert keyframe is not None and keyframe > 0
    report = DecodeReport()
    half_frame = 0.5 / 30
    frames = list(iter_frames(long_gop_clip, start_s=keyframe + half_frame, report=report))
    assert frames[0].time_s == pytest.approx(keyframe + 1 / 30)
    assert report.decoded == len(frames) + 1  # the keyframe itself, and nothing earlier
    # the same stretch started half a frame before the keyframe decodes a whole group more
    report = DecodeReport()
    list(iter_frames(long_gop_clip, start_s=keyframe - half_frame, report=report))
    assert report.decoded > len(frames) + 2
