"""What a new user ran into, tried by hand against a real server, each kept as a regression test.

On SQLite and PostgreSQL: ids too large for the database, ``NaN`` in a JSON
body and NUL characters in names answered 500 with a traceback; a multipart
upload (``curl -F``) was refused as "not a recognised video format"; an
upload's name kept its folders and control characters.
"""

from __future__ import annotations

import re

import pytest

from runform.server.models import Session

from .api_helpers import make_video, run_server

#: Ids past SQLite's and PostgreSQL's integer columns (and one inside, that does not exist).
HUGE_IDS = [2**63, 2**31, 99999999999999999999999, 2**31 - 1]


def _fill(path: str, value: object) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}",
                  lambda m: "report.html" if m.group(1) == "path" else str(value), path)  # fmt: skip


@pytest.fixture
def world(tmp_path, database_url):
    with run_server(tmp_path, database_url) as server:
        server.add_coach("a@example.org")
        coach = server.log_in("a@example.org")
        athlete = coach.add_athlete("Ana")
        token = coach.make_link(athlete)
        yield server, coach, athlete, token


def _json_error(answer, status: int) -> str:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json"), answer.text
    return str(answer.json()["detail"])


def test_ids_too_large_for_the_database_are_not_found(world):
    server, coach, _athlete, token = world
    routes = [(method.upper(), path)
              for path, operations in server.app.openapi()["paths"].items()
              for method in operations if "_id}" in path]  # fmt: skip
    assert len(routes) >= 20
    bodies = {"POST": {"json": {"text": "x", "name": "x"}}, "PATCH": {"json": {"text": "x"}}}
    for method, path in routes:
        for value in HUGE_IDS:
            url = _fill(path.replace("{token}", token), value)
            answer = coach.client.request(method, url, headers=coach.headers,
                                          **bodies.get(method, {}))  # fmt: skip
            assert answer.status_code in (404, 422), (method, url, answer.text)
            assert answer.headers["content-type"].startswith("application/json"), (method, url)


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [("POST", "/api/athletes", '{"name": "Ana", "height_cm": NaN}'),
     ("POST", "/api/athletes", '{"name": "Ana", "height_cm": Infinity}'),
     ("POST", "/api/athletes", '{"name": NaN}'),
     ("POST", "/api/athletes", "NaN"),
     ("PATCH", "/api/athletes/{athlete}", '{"height_cm": -Infinity}'),
     ("POST", "/api/login", '{"email": NaN, "password": "x"}'),
     ("POST", "/api/sessions/{session}/notes", '{"text": "x", "time_s": NaN}'),
     ("POST", "/api/sessions/{session}/notes", '{"text": [NaN]}')],
)  # fmt: skip
def test_nan_and_infinity_in_a_json_body_are_refused_with_422(world, tmp_path, method, url, body):
    _server, coach, athlete, _token = world
    session = coach.upload(athlete, make_video(tmp_path / "run.mp4")).json()["id"]
    url = url.format(athlete=athlete, session=session)
    answer = coach.client.request(method, url, content=body, headers={
        **coach.headers, "Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == 422, answer.text
    assert "finite" in answer.text or "valid" in answer.text


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [("POST", "/api/athletes", {"name": "An\x00a"}),
     ("PATCH", "/api/athletes/{athlete}", {"name": "An\x00a"}),
     ("POST", "/api/login", {"email": "a\x00@example.org", "password": "x"}),
     ("POST", "/api/sessions/{session}/notes", {"text": "good\x00 landing"}),
     ("PATCH", "/api/notes/{note}", {"text": "bad\x00"})],
)  # fmt: skip
def test_control_characters_in_names_and_notes_are_refused_with_422(
    world, tmp_path, method, url, body
):
    _server, coach, athlete, _token = world
    session = coach.upload(athlete, make_video(tmp_path / "run.mp4")).json()["id"]
    note = coach.post(f"/api/sessions/{session}/notes", json={"text": "ok"}).json()["id"]
    url = url.format(athlete=athlete, session=session, note=note)
    answer = coach.client.request(method, url, json=body, headers=coach.headers)
    assert "control character" in _json_error(answer, 422)


def test_a_note_keeps_its_line_breaks_and_tabs(world, tmp_path):
    _server, coach, athlete, _token = world
    session = coach.upload(athlete, make_video(tmp_path / "run.mp4")).json()["id"]
    answer = coach.post(f"/api/sessions/{session}/notes", json={"text": "one\n\ttwo\r\n"})
    assert answer.status_code == 201 and answer.json()["text"] == "one\n\ttwo\r\n"


def test_an_uploads_name_loses_its_folders_and_control_characters(world, tmp_path):
    server, _coach, _athlete, token = world
    video = make_video(tmp_path / "run.mp4").read_bytes()
    answer = server.client().post(f"/api/a/{token}/sessions", content=video,
                                  params={"filename": "../../etc/\x00morning\x1b run\u202e.mp4"})  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert answer.json()["filename"] == "morning run.mp4"
    row = server.session_row(answer.json()["id"])
    assert row.video_path.endswith("-morning_run.mp4")


@pytest.mark.parametrize("via_link", [False, True])
def test_a_multipart_upload_is_refused_saying_how_to_send_the_file(world, tmp_path, via_link):
    server, coach, athlete, token = world
    video = make_video(tmp_path / "run.mp4").read_bytes()
    url = f"/api/a/{token}/sessions" if via_link else f"/api/athletes/{athlete}/sessions"
    post = server.client().post if via_link else coach.post
    answer = post(url, files={"file": ("run.mp4", video, "video/mp4")})  # curl -F file=@run.mp4
    assert "multipart" in _json_error(answer, 415)
    assert "--data-binary" in answer.json()["hint"]
    form = post(url, content=b"a=b", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert "form" in _json_error(form, 415)  # curl -d @run.mp4 (which also strips line breaks)
    assert server.scratch_files() == [] and server.count(Session) == 0
