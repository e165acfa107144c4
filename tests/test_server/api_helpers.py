"""Helpers of the API and security tests: a server on a test database, coaches, videos.

The app is built with ``start_workers=False``: jobs stay queued and a test
that needs an analysis writes the result folder itself. Nothing listens on
a port: requests go through Starlette's test client in process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from runform.server.app import create_app
from runform.server.auth import create_coach
from runform.server.config import ServerSettings
from runform.server.database import open_session
from runform.server.models import Job, Session

PASSWORD = "correct horse battery"


def make_video(
    path: Path, *, seed: int = 0, frames: int = 6, creation_time: str | None = None
) -> Path:
    """A tiny real MP4 (MPEG-4 Part 2, 64x64); ``seed`` changes its bytes."""
    rng = np.random.default_rng(seed)
    with av.open(str(path), "w") as container:
        if creation_time:
            container.metadata["creation_time"] = creation_time
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(frames):
            pixels = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


@dataclasses.dataclass
class Server:
    """An app on a test database and the folder it keeps its data in."""

    app: Any
    settings: ServerSettings

    @property
    def data(self) -> Path:
        return self.settings.data_dir

    def client(self, *, https: bool = False) -> TestClient:
        return TestClient(self.app, base_url="https://testserver" if https else "http://testserver")

    def add_coach(self, email: str, password: str = PASSWORD) -> int:
        with open_session(self.app.state.context.sessions) as db:
            return create_coach(db, email, password, name=email.split("@")[0]).id

    def log_in(self, email: str, password: str = PASSWORD, *, https: bool = False) -> Coach:
        client = self.client(https=https)
        answer = client.post("/api/login", json={"email": email, "password": password})
        assert answer.status_code == 200, answer.text
        return Coach(client, answer.json()["csrf_token"], answer.json()["coach"]["id"])

    def db(self):
        return open_session(self.app.state.context.sessions)

    def set_job(self, session_id: int, **values: Any) -> None:
        with self.db() as db:
            db.execute(sa.update(Job).where(Job.session_id == session_id).values(**values))

    def session_row(self, session_id: int) -> Session:
        with self.db() as db:
            row = db.get(Session, session_id)
            assert row is not None
            db.expunge(row)
            return row

    def result_folder(self, session_id: int) -> Path:
        return self.data / self.session_row(session_id).result_path

    def scratch_files(self) -> list[Path]:
        scratch = self.settings.scratch_dir
        return sorted(scratch.iterdir()) if scratch.is_dir() else []

    def count(self, model: Any) -> int:
        with self.db() as db:
            return int(db.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


@dataclasses.dataclass
class Coach:
    """A logged-in coach: their client (holding the cookie) and CSRF token."""

    client: TestClient
    csrf: str
    id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    def get(self, url: str, **kwargs: Any):
        return self.client.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any):
        return self.client.post(
            url, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs
        )

    def patch(self, url: str, **kwargs: Any):
        return self.client.patch(url, headers=self.headers, **kwargs)

    def delete(self, url: str, **kwargs: Any):
        return self.client.delete(url, headers=self.headers, **kwargs)

    def add_athlete(self, name: str = "Ana") -> int:
        answer = self.post("/api/athletes", json={"name": name})
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    def upload(self, athlete_id: int, video: Path, **params: Any):
        params.setdefault("filename", video.name)
        return self.post(f"/api/athletes/{athlete_id}/sessions", params=params,
                         content=video.read_bytes(), headers={"Content-Type": "video/mp4"})  # fmt: skip

    def make_link(self, athlete_id: int) -> str:
        answer = self.post(f"/api/athletes/{athlete_id}/link")
        assert answer.status_code == 201, answer.text
        return str(answer.json()["token"])


@contextmanager
def run_server(tmp_path: Path, database_url: str, **overrides: Any) -> Iterator[Server]:
    """An app with its data in ``tmp_path/data`` on ``database_url``; its engine is closed after."""
    settings = ServerSettings(data_dir=tmp_path / "data", database_url=database_url, **overrides)
    app = create_app(settings, start_workers=False)
    try:
        yield Server(app, settings)
    finally:
        app.state.context.engine.dispose()


def write_fake_results(folder: Path) -> dict[str, bytes]:
    """Write what an analysis leaves in its folder (made-up contents); return them by name."""
    files = {
        "analysis.json": b'{"checkpoints": [], "focus": []}',
        "report.html": b"<!doctype html><title>report</title>",
        "annotated.mp4": bytes(range(256)) * 64,
        "keyframes.png": b"\x89PNG fake",
        "plots/cadence.png": b"\x89PNG plot",
    }
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return files


def make_analysis_folders(root: Path) -> list[Path]:
    """Two real analysis folders (from the synthetic runner's exact poses, no pose model)."""
    from runform.cli import main
    from runform.io.poses import save_poses
    from runform.synth import PRESETS, compute_truth
    from runform.synth.truth_poses import create_truth_poses

    wide = {"width_px": 1920, "height_px": 1080, "figure_height_frac": 0.42}
    folders = []
    for name in ("overstrider", "pose_runner"):
        truth = compute_truth(PRESETS[name].with_overrides(**wide))
        poses = root / f"{name}.nc"
        save_poses(create_truth_poses(truth), poses)
        out = root / name
        assert main(["analyze", str(poses), "-o", str(out), "--height-cm", "175", "--quiet"]) == 0
        folders.append(out)
    return folders


def publish_analysis(server: Server, session_id: int, source: Path) -> Path:
    """Put an analysis folder where the worker would have written the session's, and mark it done."""
    import shutil

    folder = server.result_folder(session_id)
    shutil.copytree(source, folder, dirs_exist_ok=True)
    server.set_job(session_id, state="done", outcome="ok")
    return folder


@pytest.fixture(scope="session")
def analysis_sources(tmp_path_factory) -> list[Path]:
    """Two real analysis folders, made once for the whole run (import this fixture)."""
    return make_analysis_folders(tmp_path_factory.mktemp("analyses"))
