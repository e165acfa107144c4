"""Uploads and analysis jobs through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from runform.server.models import Job, Session

from .api_helpers import make_video, run_server, write_fake_results


@pytest.fixture
def server(tmp_path, database_url):
    with run_server(tmp_path, database_url) as server:
        server.add_coach("a@example.org")
        yield server


def test_an_upload_is_kept_as_a_session_with_a_queued_job(server, tmp_path):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete()
    video = make_video(tmp_path / "my run.mp4", creation_time="2026-03-14T07:30:00.000000Z")
    answer = coach.upload(athlete, video)
    assert answer.status_code == 201, answer.text
    session = answer.json()
    assert answer.headers["location"] == f"/api/sessions/{session['id']}"
    assert session["filename"] == "my run.mp4" and session["size_bytes"] == video.stat().st_size
    assert session["sha256"] == hashlib.sha256(video.read_bytes()).hexdigest()
    assert (session["session_date"], session["date_source"]) == ("2026-03-14", "recording")
    job = session["job"]
    assert job["state"] == "queued" and job["attempts"] == 0 and job["warnings"] == []
    row = server.session_row(session["id"])
    assert row.video_path == f"uploads/{athlete}/{session['id']}-my_run.mp4"
    assert row.result_path == f"results/{athlete}/{session['id']}"
    assert (server.data / row.video_path).read_bytes() == video.read_bytes()
    assert server.scratch_files() == []
    assert coach.get(f"/api/sessions/{session['id']}").json() == session
    assert coach.get(f"/api/athletes/{athlete}/sessions").json() == [session]


def test_the_session_date_comes_from_the_recording_then_the_athlete_then_the_upload(
    server, tmp_path
):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete()
    link = server.client()
    token = coach.make_link(athlete)
    recorded = make_video(tmp_path / "a.mp4", seed=1, creation_time="2025-06-01T10:00:00Z")
    plain, later = make_video(tmp_path / "b.mp4", seed=2), make_video(tmp_path / "c.mp4", seed=3)
    cases = [(recorded, {"date": "2025-07-01"}, "2025-06-01", "recording"),
             (plain, {"date": "2025-07-01"}, "2025-07-01", "athlete")]  # fmt: skip
    for video, params, date, source in cases:
        answer = link.post(f"/api/a/{token}/sessions", params={"filename": video.name, **params},
                           content=video.read_bytes())  # fmt: skip
        assert answer.status_code == 201, answer.text
        assert (answer.json()["session_date"], answer.json()["date_source"]) == (date, source)
    today = dt.datetime.now(dt.UTC).date()
    answer = link.post(f"/api/a/{token}/sessions", content=later.read_bytes(),
                       headers={"X-Filename": "later.mp4"}).json()  # fmt: skip
    assert answer["date_source"] == "upload" and answer["filename"] == "later.mp4"
    assert dt.date.fromisoformat(answer["session_date"]) in (today, today - dt.timedelta(days=1))
    bad = link.post(f"/api/a/{token}/sessions", params={"date": "yesterday"}, content=b"x")
    assert bad.status_code == 422
    listed = coach.get(f"/api/athletes/{athlete}/sessions").json()
    assert [s["session_date"] for s in listed] == sorted(
        (s["session_date"] for s in listed), reverse=True
    )
    assert link.get(f"/api/a/{token}/sessions").json() == listed


def test_a_duplicate_upload_is_refused_with_the_session_that_has_it(server, tmp_path):
    coach = server.log_in("a@example.org")
    ana, bo = coach.add_athlete("Ana"), coach.add_athlete("Bo")
    video = make_video(tmp_path / "run.mp4")
    first = coach.upload(ana, video).json()["id"]
    again = coach.upload(ana, video, filename="renamed.mp4")
    assert again.status_code == 409 and again.json()["session_id"] == first
    assert f"session {first}" in again.json()["detail"]
    assert coach.upload(bo, video).status_code == 201  # another athlete may upload the same file
    assert server.count(Session) == server.count(Job) == 2 and server.scratch_files() == []
    assert len(list((server.data / "uploads" / str(ana)).iterdir())) == 1


def test_a_drill_is_recorded_and_an_unknown_one_refused(server, tmp_path):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete()
    assert (
        coach.upload(athlete, make_video(tmp_path / "a.mp4"), drill="pony").json()["drill"]
        == "pony"
    )
    refused = coach.upload(athlete, make_video(tmp_path / "b.mp4", seed=5), drill="moonwalk")
    assert refused.status_code == 422 and "pony" in refused.json()["hint"]
    assert server.scratch_files() == [] and server.count(Session) == 1


def test_a_job_is_cancelled_and_retried(server, tmp_path):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete()
    ids = [
        coach.upload(athlete, make_video(tmp_path / f"{i}.mp4", seed=i)).json()["id"]
        for i in range(3)
    ]
    queued, running, failed = ids
    cancelled = coach.post(f"/api/sessions/{queued}/cancel").json()["job"]
    assert cancelled["state"] == "cancelled" and cancelled["finished"] is not None
    server.set_job(
        running, state="running", stage="pose", frames_done=40, frames_total=120, attempts=1
    )
    asked = coach.post(f"/api/sessions/{running}/cancel").json()["job"]
    assert asked["state"] == "running" and asked["cancel_requested"] is True
    assert (asked["stage"], asked["frames_done"], asked["frames_total"]) == ("pose", 40, 120)
    assert coach.post(f"/api/sessions/{running}/retry").status_code == 409
    server.set_job(failed, state="failed", outcome="no_person", attempts=2, warnings="w1\nw2",
                   reason="no person was detected in any of the 6 frames of 2.mp4")  # fmt: skip
    shown = coach.get(f"/api/sessions/{failed}").json()["job"]
    assert shown["outcome"] == "no_person" and "no person" in shown["reason"]
    assert shown["warnings"] == ["w1", "w2"]
    again = coach.post(f"/api/sessions/{failed}/retry").json()["job"]
    assert again["state"] == "queued" and again["attempts"] == 2
    assert (again["outcome"], again["reason"], again["warnings"]) == ("", "", [])
    assert coach.post(f"/api/sessions/{queued}/retry").json()["job"]["state"] == "queued"
    server.set_job(queued, state="done", outcome="ok")
    for action in ("cancel", "retry"):
        refused = coach.post(f"/api/sessions/{queued}/{action}")
        assert refused.status_code == 409 and "done" in refused.json()["detail"]


def test_a_session_is_deleted_with_its_video_and_analysis(server, tmp_path):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete()
    session = coach.upload(athlete, make_video(tmp_path / "v.mp4")).json()["id"]
    write_fake_results(server.result_folder(session))
    video = server.data / server.session_row(session).video_path
    folder = server.result_folder(session)
    assert coach.delete(f"/api/sessions/{session}").status_code == 204
    assert not video.exists() and not folder.exists()
    assert coach.get(f"/api/sessions/{session}").status_code == 404
    assert server.count(Session) == server.count(Job) == 0
    assert list((server.data / "trash").iterdir()) == []
