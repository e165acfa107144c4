"""The roster through the API, on SQLite and PostgreSQL: athletes, links, deletion, export."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from runform.server.models import Athlete, Job, Note, Session

from .api_helpers import make_video, run_server, write_fake_results


@pytest.fixture
def server(tmp_path, database_url):
    with run_server(tmp_path, database_url) as server:
        server.add_coach("a@example.org")
        yield server


def test_a_coach_manages_their_roster(server):
    coach = server.log_in("a@example.org")
    assert coach.get("/api/athletes").json() == []
    created = coach.post("/api/athletes", json={"name": "  Zoe ", "height_cm": 168.5})
    assert created.status_code == 201
    zoe = created.json()
    assert zoe["name"] == "Zoe" and zoe["height_cm"] == 168.5 and zoe["has_link"] is False
    ana = coach.add_athlete("Ana")
    assert [a["name"] for a in coach.get("/api/athletes").json()] == ["Ana", "Zoe"]
    changed = coach.patch(f"/api/athletes/{zoe['id']}", json={"name": "Zoé"}).json()
    assert changed["name"] == "Zoé" and changed["height_cm"] == 168.5  # left out: unchanged
    forgot = coach.patch(f"/api/athletes/{zoe['id']}", json={"height_cm": None}).json()
    assert forgot["height_cm"] is None and forgot["name"] == "Zoé"
    assert coach.get(f"/api/athletes/{ana}").json()["sessions"] == 0
    for bad in ({"name": ""}, {"name": "x", "height_cm": 20}, {"name": "x", "coach_id": 2}, {}):
        assert coach.post("/api/athletes", json=bad).status_code == 422, bad
    assert coach.delete(f"/api/athletes/{ana}").status_code == 204
    assert coach.get(f"/api/athletes/{ana}").status_code == 404
    assert coach.delete(f"/api/athletes/{ana}").status_code == 404


def test_a_link_is_shown_once_rotated_and_revoked(server):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete("Ana")
    first = coach.post(f"/api/athletes/{athlete}/link").json()
    assert first["path"] == f"/api/a/{first['token']}" and len(first["token"]) >= 40
    with server.db() as db:  # only its hash is kept
        assert db.get(Athlete, athlete).token_hash not in (None, first["token"])
    visitor = server.client()
    assert visitor.get(first["path"]).json() == {"id": athlete, "name": "Ana"}
    assert coach.get(f"/api/athletes/{athlete}").json()["has_link"] is True
    second = coach.make_link(athlete)
    assert visitor.get(first["path"]).status_code == 404
    assert visitor.get(f"/api/a/{second}").status_code == 200
    assert coach.delete(f"/api/athletes/{athlete}/link").status_code == 204
    assert visitor.get(f"/api/a/{second}").status_code == 404
    assert coach.get(f"/api/athletes/{athlete}").json()["has_link"] is False


def test_deleting_an_athlete_deletes_their_rows_and_files_and_nobody_elses(server, tmp_path):
    coach = server.log_in("a@example.org")
    gone, kept = coach.add_athlete("Gone"), coach.add_athlete("Kept")
    sessions = {}
    for athlete, seed in ((gone, 1), (kept, 2)):
        answer = coach.upload(athlete, make_video(tmp_path / f"v{seed}.mp4", seed=seed))
        sessions[athlete] = answer.json()["id"]
        write_fake_results(server.result_folder(sessions[athlete]))
        coach.post(f"/api/sessions/{sessions[athlete]}/notes", json={"text": "hips"})
    (server.data / "cache" / str(gone)).mkdir(parents=True)
    server.set_job(sessions[gone], state="running")
    assert coach.delete(f"/api/athletes/{gone}").status_code == 204
    for kind in ("uploads", "results", "cache"):
        assert not (server.data / kind / str(gone)).exists(), kind
    assert (server.data / "uploads" / str(kept)).is_dir() and server.result_folder(
        sessions[kept]
    ).is_dir()
    assert list((server.data / "trash").iterdir()) == []
    assert server.count(Session) == server.count(Job) == server.count(Note) == 1
    assert server.count(Athlete) == 1


def test_an_athletes_data_is_exported_as_one_archive(server, tmp_path):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete("Ana Lopez")
    video = make_video(tmp_path / "morning run.mp4", seed=4)
    session = coach.upload(athlete, video).json()["id"]
    results = write_fake_results(server.result_folder(session))
    (server.result_folder(session) / ".stage-9").mkdir()  # a run in progress is left out
    coach.post(
        f"/api/sessions/{session}/notes", json={"text": "lean from the ankles", "time_s": 2.5}
    )
    answer = coach.get(f"/api/athletes/{athlete}/export")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    assert 'filename="Ana_Lopez-runform-export.zip"' in answer.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    names = set(archive.namelist())
    assert {"athlete.json", "notes.json", f"videos/{session}-morning_run.mp4"} <= names
    assert {f"results/{session}/{name}" for name in results} <= names
    assert not any(".stage" in name for name in names)
    assert archive.read(f"videos/{session}-morning_run.mp4") == video.read_bytes()
    profile = json.loads(archive.read("athlete.json"))
    assert profile["athlete"]["name"] == "Ana Lopez" and profile["sessions"][0]["id"] == session
    notes = json.loads(archive.read("notes.json"))
    assert notes[str(session)][0]["text"] == "lean from the ankles"
    assert server.scratch_files() == []  # the archive is removed once sent


def test_a_crash_during_a_deletion_is_settled_at_the_next_start(tmp_path, database_url):
    from runform.server.app import create_app
    from runform.server.files import athlete_folders, move_aside

    with run_server(tmp_path, database_url) as server:
        server.add_coach("a@example.org")
        coach = server.log_in("a@example.org")
        athlete = coach.add_athlete()
        coach.upload(athlete, make_video(tmp_path / "v.mp4"))
        # the folders were renamed aside, then the server died before the rows were deleted
        move_aside(server.settings, "athletes", athlete, athlete_folders(server.settings, athlete))
        assert not (server.data / "uploads" / str(athlete)).exists()
        again = create_app(server.settings, start_workers=False)
        again.state.context.engine.dispose()
        assert any((server.data / "uploads" / str(athlete)).iterdir())
        assert coach.get(f"/api/sessions/{server.count(Session)}/video").status_code == 200
        assert list((server.data / "trash").iterdir()) == []
