"""Orchestration: the poses cache means re-analysis never re-runs inference."""

from __future__ import annotations

from pathlib import Path

import pytest
import xarray as xr

from runform import pipeline
from runform.pose.extract import ExtractionSettings

SAMPLE = Path(__file__).resolve().parents[1] / "sample_videos" / "phone_portrait.mp4"


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
    xr.testing.assert_identical(again, first)
    # a change of settings is a cache miss, so inference would run
    with pytest.raises(AssertionError, match="inference ran"):
        pipeline.compute_poses(
            SAMPLE, pose_model, ExtractionSettings(max_side=640), cache_dir=tmp_path
        )
    # and without the cache, inference always runs
    with pytest.raises(AssertionError, match="inference ran"):
        pipeline.compute_poses(SAMPLE, pose_model, settings, cache_dir=tmp_path, use_cache=False)
