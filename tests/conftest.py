"""Shared fixtures: the pose model and the internal real clips."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_CLIPS = REPO.parent / "shared" / "videos"


@pytest.fixture(scope="session")
def pose_model():
    """The pose model, provisioned as a user's first run would (cache or build)."""
    from runform.pose.models import resolve_model

    return resolve_model()


@pytest.fixture(autouse=True)
def _isolated_poses_cache(tmp_path_factory, monkeypatch):
    """Never read or write the user's real poses cache from tests."""
    monkeypatch.setenv("RUNFORM_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture
def real_clip():
    """Return a function giving the path of an internal real clip, or skip."""

    def find(name: str) -> Path:
        path = REAL_CLIPS / name
        if not path.is_file():
            pytest.skip(f"internal clip {name} not available (../shared/videos absent)")
        return path

    return find
