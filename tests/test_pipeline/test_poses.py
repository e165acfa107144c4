"""Orchestration: the poses cache means re-analysis never re-runs inference."""

from __future__ import annotations

from pathlib import Path

import pytest
import xarray as xr

from runform.pipeline import poses as pipeline
from runform.pose.extract import ExtractionSettings

SAMPLE = Path(__file__).resolve().parents[2] / "sample_videos" / "phone_portrait.mp4"


def test_second_run_reuses_cached_poses(tmp_path, pose_model, monkeypatch):
    settings = ExtractionSettings()
    first, cached = pipeline.compute_poses(SAMPLE, pose_model, settings, cache_dir=tmp_path)
    assert not cached
    assert len(list(tmp_path.glob("*.nc"))) == 1

    def no_inference(*args, **kwargs):
        raise AssertionError("inference ran although the poses were cached")

    monkeypatch.setattr(pipeline, "extract_poses", no_inference)
    again, cached = pipeline.compute_poses(SAMPLE, pose_model, settings, cache_dir=tmp_path)
    assert cached
    xr.testing.assert_equal(again, first)  # same data; the log records the cache load
    assert again.attrs["log"] != first.attrs["log"]
    # a change of settings is a cache miss, so inference would run
    with pytest.raises(AssertionError, match="inference ran"):
        pipeline.compute_poses(
            SAMPLE, pose_model, ExtractionSettings(max_side=640), cache_dir=tmp_path
        )
    # and without the cache, inference always runs
    with pytest.raises(AssertionError, match="inference ran"):
        pipeline.compute_poses(SAMPLE, pose_model, settings, cache_dir=tmp_path, use_cache=False)


def test_cache_hit_describes_the_file_given(tmp_path, pose_model):
    import shutil

    copy = shutil.copy(SAMPLE, tmp_path / "renamed_upload.mp4")
    settings = ExtractionSettings()
    pipeline.compute_poses(SAMPLE, pose_model, settings, cache_dir=tmp_path / "c")
    poses, cached = pipeline.compute_poses(
        Path(copy), pose_model, settings, cache_dir=tmp_path / "c"
    )
    assert cached
    assert poses.attrs["source_video"] == str(Path(copy).resolve())
    from runform.io.poses import read_log

    assert read_log(poses)[-1]["operation"] == "load_cached_poses"


def test_unwritable_cache_only_warns(tmp_path, pose_model):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.warns(UserWarning, match="could not write the poses cache"):
        poses, cached = pipeline.compute_poses(
            SAMPLE, pose_model, ExtractionSettings(), cache_dir=blocker / "cache"
        )
    assert not cached and poses.sizes["time"] == 120
