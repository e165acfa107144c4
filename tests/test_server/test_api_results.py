"""A session's analysis and artifacts through the API, with Range requests, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from .api_helpers import make_video, run_server, write_fake_results


@pytest.fixture
def server(tmp_path, database_url):
    with run_server(tmp_path, database_url) as server:
        server.add_coach("a@example.org")
        yield server


def test_the_analysis_and_its_artifacts_are_served_once_written(server, tmp_path):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete()
    token = coach.make_link(athlete)
    session = coach.upload(athlete, make_video(tmp_path / "v.mp4")).json()["id"]
    link = server.client()
    for client, root in ((coach.client, "/api"), (link, f"/api/a/{token}")):
        missing = client.get(f"{root}/sessions/{session}/analysis")
        assert missing.status_code == 404 and "job" in missing.json()["detail"]
        assert client.get(f"{root}/sessions/{session}/files").json() == []
    files = write_fake_results(server.result_folder(session))
    for client, root in ((coach.client, "/api"), (link, f"/api/a/{token}")):
        analysis = client.get(f"{root}/sessions/{session}/analysis")
        assert analysis.status_code == 200 and analysis.json() == {"checkpoints": [], "focus": []}
        assert client.get(f"{root}/sessions/{session}/files").json() == sorted(files)
        for name, content in files.items():
            answer = client.get(f"{root}/sessions/{session}/files/{name}")
            assert answer.status_code == 200 and answer.content == content, name
        report = client.get(f"{root}/sessions/{session}/files/report.html")
        assert report.headers["content-type"].startswith("text/html")


def test_videos_answer_range_requests_so_they_seek(server, tmp_path):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete()
    token = coach.make_link(athlete)
    video = make_video(tmp_path / "v.mp4")
    session = coach.upload(athlete, video).json()["id"]
    annotated = write_fake_results(server.result_folder(session))["annotated.mp4"]
    cases = [(f"/api/sessions/{session}/files/annotated.mp4", annotated),
             (f"/api/a/{token}/sessions/{session}/files/annotated.mp4", annotated),
             (f"/api/sessions/{session}/video", video.read_bytes()),
             (f"/api/a/{token}/sessions/{session}/video", video.read_bytes())]  # fmt: skip
    for url, content in cases:
        client = coach.client if "/a/" not in url else server.client()
        whole = client.get(url)
        assert whole.status_code == 200 and whole.content == content
        assert (
            whole.headers["accept-ranges"] == "bytes"
            and whole.headers["content-type"] == "video/mp4"
        )
        part = client.get(url, headers={"Range": "bytes=100-299"})
        assert part.status_code == 206 and part.content == content[100:300]
        assert part.headers["content-range"] == f"bytes 100-299/{len(content)}"
        tail = client.get(url, headers={"Range": "bytes=-50"})
        assert tail.status_code == 206 and tail.content == content[-50:]
        beyond = client.get(url, headers={"Range": f"bytes={len(content) + 10}-"})
        assert beyond.status_code == 416


def test_the_api_is_documented(server):
    client = server.client()
    document = client.get("/openapi.json").json()
    assert document["info"]["title"] == "runform coach server"
    paths = document["paths"]
    for path in ("/api/login", "/api/athletes", "/api/athletes/{athlete_id}/sessions",
                 "/api/sessions/{session_id}/files/{path}", "/api/sessions/{session_id}/compare/{other_id}",
                 "/api/athletes/{athlete_id}/progress", "/api/notes/{note_id}", "/api/a/{token}/sessions"):  # fmt: skip
        assert path in paths, path
    upload = paths["/api/athletes/{athlete_id}/sessions"]["post"]
    assert "application/octet-stream" in upload["requestBody"]["content"]
    assert client.get("/docs").status_code == 200
