"""Shared fixtures: the pose model and the internal real clips."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
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


@pytest.fixture
def audio_only_file(tmp_path: Path) -> Path:
    """An AAC-in-M4A file with one second of silence and no video."""
    path = tmp_path / "voice.m4a"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        for i in range(10):
            frame = av.AudioFrame.from_ndarray(
                np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
            )
            frame.sample_rate = 44100
            frame.pts = i * 1024
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path
