"""Landmarkers kept open by a long-lived process (the coach server's workers)."""

from __future__ import annotations

import numpy as np
import pytest

from runform.io.video import iter_frames
from runform.pose.extract import extract_poses
from runform.pose.landmarker import LandmarkerSettings, PoseLandmarker
from runform.pose.landmarker_cache import LandmarkerCache
from runform.synth import PRESETS, write_synthetic_clip

pytestmark = pytest.mark.slow

SMALL = {"setting": "treadmill", "duration_s": 2.0, "width_px": 480, "height_px": 270}


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    first = write_synthetic_clip(PRESETS["treadmill"].with_overrides(**SMALL), folder, name="a")
    second = PRESETS["overstrider"].with_overrides(**SMALL, seed=5)
    return first.video_path, write_synthetic_clip(second, folder, name="b").video_path


def test_poses_through_a_cache_are_those_of_a_run_without_one(clips, pose_model):
    first, second = clips
    with LandmarkerCache() as cache:
        extract_poses(first, pose_model, workers=1, landmarkers=cache)
        after_another = extract_poses(second, pose_model, workers=1, landmarkers=cache)
        # the people probe is kept; the tracking landmarker is new for each video
        assert cache.kept == 1 and cache.created == 3
    alone = extract_poses(second, pose_model, workers=1)
    for name in ("position", "confidence", "world_position"):
        np.testing.assert_array_equal(after_another[name].values, alone[name].values)


def test_an_image_mode_landmarker_keeps_nothing_between_frames(clips, pose_model):
    first, second = clips
    people = LandmarkerSettings(num_poses=4)
    frames = [f.image for f in iter_frames(second)][::10]
    with PoseLandmarker(pose_model.path, people, mode="image") as fresh:
        alone = [fresh.detect(image) for image in frames]
    with LandmarkerCache() as cache, cache.lend(pose_model.path, people, "image") as kept:
        for frame in iter_frames(first):
            kept.detect(frame.image)
        after = [kept.detect(image) for image in frames]
    for a, b in zip(alone, after, strict=True):
        np.testing.assert_array_equal(a.normalized, b.normalized)
        np.testing.assert_array_equal(a.visibility, b.visibility)
