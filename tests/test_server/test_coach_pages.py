"""The coach's pages on SQLite and PostgreSQL: login, roster, athlete, session, compare, jobs.

Rendered through the app (no browser: that is ``test_browser_loop.py``),
with real analysis folders of the synthetic runner (no pose model).
"""

from __future__ import annotations

import re
import shutil

import pytest

from .api_helpers import (
    PASSWORD,
    analysis_sources,  # noqa: F401 (a fixture)
    make_video,
    publish_analysis,
    run_server,
)


@pytest.fixture
def server(tmp_path, database_url):
    with run_server(tmp_path, database_url) as server:
        server.add_coach("a@example.org")
        server.add_coach("b@example.org")
        yield server


def form(coach, url, data, follow=False):
    return coach.client.post(url, data={"csrf_token": coach.csrf, **data},
                             follow_redirects=follow)  # fmt: skip


def test_a_page_without_a_login_asks_to_log_in_and_comes_back(server):
    client = server.client()
    answer = client.get("/athletes/1?tab=x", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/athletes/1%3Ftab%3Dx"
    login = client.get(answer.headers["location"])
    assert login.status_code == 200 and 'name="password"' in login.text
    wrong = client.post(
        "/login", data={"email": "a@example.org", "password": "nope", "next": "/roster"}
    )
    assert wrong.status_code == 401 and "wrong" in wrong.text.lower()
    right = client.post("/login", data={"email": "a@example.org", "password": PASSWORD,
                                         "next": "/roster"}, follow_redirects=False)  # fmt: skip
    assert right.status_code == 303 and right.headers["location"] == "/roster"
    roster = client.get("/roster")
    assert roster.status_code == 200 and "Your athletes" in roster.text


def test_login_never_redirects_off_the_site(server):
    client = server.client()
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        answer = client.post("/login", data={"email": "a@example.org", "password": PASSWORD,
                                             "next": target}, follow_redirects=False)  # fmt: skip
        assert answer.headers["location"] == "/", target


def test_forms_need_the_login_csrf_token(server):
    coach = server.log_in("a@example.org")
    refused = coach.client.post("/athletes", data={"name": "Ana"}, follow_redirects=False)
    assert refused.status_code in (403, 422)
    forged = coach.client.post("/athletes", data={"name": "Ana", "csrf_token": "x" * 40})
    assert forged.status_code == 403
    assert "Ana" not in coach.get("/roster").text


def test_a_coach_adds_an_athlete_and_makes_their_link(server):
    coach = server.log_in("a@example.org")
    added = form(coach, "/athletes", {"name": "Ana <b>", "height_cm": "172"})
    assert added.status_code == 303
    page = coach.get(added.headers["location"])
    assert "Ana &lt;b&gt;" in page.text and "<b>" not in page.text.split("<main", 1)[1]
    athlete_id = int(added.headers["location"].rsplit("/", 1)[1])
    linked = form(coach, f"/athletes/{athlete_id}/link", {})
    link = re.search(r'id="new-link" href="([^"]+)"', linked.text)
    assert link and "/a/" in link.group(1)
    token = link.group(1).rsplit("/a/", 1)[1]
    assert coach.client.get(f"/api/a/{token}").json()["name"] == "Ana <b>"
    bad = form(coach, "/athletes", {"name": "Bo", "height_cm": "9000"})
    assert bad.status_code == 422 and "between 100 and 250" in bad.text


def test_another_coachs_athletes_and_sessions_are_not_found(server, tmp_path):
    owner = server.log_in("a@example.org")
    athlete = owner.add_athlete("Ana")
    session = owner.upload(athlete, make_video(tmp_path / "run.mp4")).json()["id"]
    other = server.log_in("b@example.org")
    for url in (
        f"/athletes/{athlete}",
        f"/sessions/{session}",
        f"/compare?a={session}&b={session}",
    ):
        answer = other.get(url)
        assert answer.status_code == 404, url
        assert "text/html" in answer.headers["content-type"]
    assert form(other, f"/sessions/{session}/notes", {"text": "hi"}).status_code == 404
    assert form(other, f"/athletes/{athlete}/baseline", {"session_id": session}).status_code == 404
    assert "Ana" not in other.get("/roster").text


def test_the_whole_coach_loop_on_real_analyses(server, tmp_path, analysis_sources):  # noqa: F811
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete("Ana")
    ids = [coach.upload(athlete, make_video(tmp_path / f"run{i}.mp4", seed=i), date=d).json()["id"]
           for i, d in enumerate(("2026-01-10", "2026-03-07"))]  # fmt: skip
    waiting = coach.get(f"/sessions/{ids[0]}")
    assert "data-job-poll" in waiting.text and "Analysing" in waiting.text
    for i, (session, source) in enumerate(zip(ids, analysis_sources, strict=True)):
        folder = publish_analysis(server, session, source)  # overstrider, then a good runner
        shutil.copy(tmp_path / f"run{i}.mp4", folder / "annotated.mp4")  # from poses: none drawn

    roster = coach.get("/roster").text
    assert "2026-03-07" in roster and "trend-improved" in roster
    assert "Landing under the centre of mass" in roster or "trend-" in roster

    page = coach.get(f"/athletes/{athlete}").text
    assert "Current focus" in page and "Progress" in page and "/progress/files/plots/" in page
    plot = re.search(r'src="(/api/athletes/\d+/progress/files/plots/[^"]+)"', page)
    assert plot and coach.get(plot.group(1)).headers["content-type"] == "image/png"
    assert page.count("Make baseline") == 1  # the earliest analysed session is the baseline

    session = coach.get(f"/sessions/{ids[1]}").text
    assert 'class="mark moment"' in session and 'class="mark landing"' in session
    assert "Checkpoints" in session and "status-" in session
    assert "What to work on next" in session

    note = form(
        coach,
        f"/sessions/{ids[1]}/notes",
        {"text": "<script>alert(1)</script> knee", "time_s": "1.25"},
    )
    assert note.status_code == 303
    session = coach.get(f"/sessions/{ids[1]}").text
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; knee" in session and "<script>alert" not in session
    )
    assert 'data-seek="1.25"' in session and 'class="mark note"' in session
    bad = form(coach, f"/sessions/{ids[1]}/notes", {"text": "x", "time_s": "-3"})
    assert bad.status_code == 200 and "0 or more" in bad.text

    compare = coach.get(f"/compare?a={ids[0]}&b={ids[1]}")
    assert compare.status_code == 200, compare.text
    assert "MDC" in compare.text and 'data-offset="' in compare.text and "improved" in compare.text

    assert form(coach, f"/athletes/{athlete}/baseline", {"session_id": ids[1]}).status_code == 303
    with server.db() as db:
        from runform.server.models import Athlete

        assert db.get(Athlete, athlete).baseline_session_id == ids[1]
    assert "trend-baseline_only" in coach.get("/roster").text


def test_the_jobs_page_shows_failures_with_their_reason_and_retries(server, tmp_path):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete("Ana")
    session = coach.upload(athlete, make_video(tmp_path / "run.mp4")).json()["id"]
    server.set_job(
        session, state="failed", outcome="no_person", reason="nobody detected in the video"
    )
    jobs = coach.get("/jobs").text
    assert "nobody detected in the video" in jobs and "Retry" in jobs
    assert form(coach, f"/sessions/{session}/retry", {}).status_code == 303
    jobs = coach.get("/jobs").text
    assert "queued" in jobs and "Cancel" in jobs


def test_pages_are_readable_without_external_requests(server):
    coach = server.log_in("a@example.org")
    for url in ("/roster", "/login", "/jobs"):
        html = coach.get(url).text
        assert not re.search(r'(src|href)="(https?:)?//', html), url
    assert coach.get("/static/runform.css").status_code == 200
    assert coach.get("/static/runform.js").status_code == 200
