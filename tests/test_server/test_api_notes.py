"""A coach's notes pinned to a video time, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from .api_helpers import make_video, run_server


@pytest.fixture
def server(tmp_path, database_url):
    with run_server(tmp_path, database_url) as server:
        server.add_coach("a@example.org")
        yield server


def test_notes_are_written_by_the_coach_and_read_by_the_athlete(server, tmp_path):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete()
    token = coach.make_link(athlete)
    session = coach.upload(athlete, make_video(tmp_path / "v.mp4")).json()["id"]
    url = f"/api/sessions/{session}/notes"
    later = coach.post(url, json={"text": "knee drives forward", "time_s": 4.25}).json()
    whole = coach.post(url, json={"text": "good rhythm overall"}).json()
    early = coach.post(url, json={"text": "land under the hip", "time_s": 1.5}).json()
    assert early["time_s"] == 1.5 and whole["time_s"] is None and later["session_id"] == session
    order = ["good rhythm overall", "land under the hip", "knee drives forward"]
    assert [n["text"] for n in coach.get(url).json()] == order
    athletes_view = server.client().get(f"/api/a/{token}/sessions/{session}/notes").json()
    assert [n["text"] for n in athletes_view] == order
    moved = coach.patch(f"/api/notes/{later['id']}", json={"time_s": 0.5}).json()
    assert moved["time_s"] == 0.5 and moved["text"] == "knee drives forward"
    unpinned = coach.patch(f"/api/notes/{later['id']}", json={"time_s": None}).json()
    assert unpinned["time_s"] is None
    assert (
        coach.patch(f"/api/notes/{later['id']}", json={"text": "drive the knee"}).json()["text"]
        == "drive the knee"
    )
    for bad in ({"text": ""}, {"text": "x", "time_s": -1}, {"time_s": 2}, {"text": "x", "at": 1}):
        assert coach.post(url, json=bad).status_code == 422, bad
    assert coach.patch(f"/api/notes/{later['id']}", json={"text": None}).status_code == 422
    assert coach.delete(f"/api/notes/{whole['id']}").status_code == 204
    assert coach.delete(f"/api/notes/{whole['id']}").status_code == 404
    assert len(coach.get(url).json()) == 2
    link = server.client()  # the athlete reads, never writes
    assert (
        link.post(f"/api/a/{token}/sessions/{session}/notes", json={"text": "x"}).status_code == 405
    )
