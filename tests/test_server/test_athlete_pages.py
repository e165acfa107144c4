"""The athlete's pages through their private link, on SQLite and PostgreSQL.

Home (filming guide, upload form, their videos, progress), one session
(analysing, failed, done with feedback and notes), and the 404s of a bad
link or another athlete's session. Finished analyses are real folders of
the synthetic runner (no pose model), put where the worker would write them.
"""

from __future__ import annotations

import re

import pytest

from runform.checkpoints.rubric import DRILL_NAMES
from runform.server.web.athlete import explain_failure, format_video_time

from .api_helpers import (
    analysis_sources,  # noqa: F401 (a fixture)
    make_video,
    publish_analysis,
    run_server,
)


@pytest.fixture
def server(tmp_path, database_url):
    with run_server(tmp_path, database_url) as server:
        server.add_coach("a@example.org")
        yield server


@pytest.fixture
def ana(server):
    """A coach with their athlete Ana and her link: ``(coach, athlete id, token)``."""
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete("Ana")
    return coach, athlete, coach.make_link(athlete)


def test_home_shows_the_filming_guide_before_the_upload_form(server, ana):
    _, _, token = ana
    page = server.client().get(f"/a/{token}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    text = page.text
    assert "Hi Ana" in text and f'href="/a/{token}"' in text
    guide, upload = text.index('id="guide"'), text.index("data-upload=")
    assert guide < upload
    assert text[guide:upload].count("<svg") >= 6 and "<title" in text[guide:upload]
    for words in ("From the side", "whole body", "60 fps", "6 strides", "still", "light"):
        assert words in text[guide:upload]
    assert f'data-upload="/api/a/{token}/sessions"' in text
    assert f'data-session-url="/a/{token}/sessions/{{id}}"' in text
    assert re.search(r'<input id="video-file"[^>]*type="file" name="video" accept="video/\*" '
                     r"required", text)  # fmt: skip
    assert '<label class="button big file-pick" for="video-file">' in text
    assert 'type="date" name="date"' in text and "<progress hidden" in text
    assert "data-upload-text" in text and "<noscript>" in text
    options = re.findall(r'<option value="([a-z_]*)"', text)
    assert options == ["", *DRILL_NAMES]
    assert "No videos yet" in text
    # nothing external: no CDN, no image from elsewhere
    assert not re.search(r'(src|href)="(https?:)?//', text)


def test_an_unknown_replaced_or_revoked_link_is_a_404_page(server, ana, tmp_path):
    coach, athlete, token = ana
    session = coach.upload(athlete, make_video(tmp_path / "run.mp4")).json()["id"]
    client = server.client()
    for url in ("/a/not-a-token", "/a/not-a-token/sessions/1"):
        page = client.get(url)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "Not found" in page.text and "no such link" in page.text
    assert client.get(f"/a/{token}/sessions/{session}").status_code == 200
    new = coach.make_link(athlete)  # replaces the old link
    for old in (f"/a/{token}", f"/a/{token}/sessions/{session}"):
        assert client.get(old).status_code == 404
        assert token not in client.get(old).text
    assert client.get(f"/a/{new}").status_code == 200
    assert coach.delete(f"/api/athletes/{athlete}/link").status_code == 204
    assert client.get(f"/a/{new}").status_code == 404


def test_another_athletes_session_is_a_404_page(server, ana, tmp_path):
    coach, athlete, token = ana
    bo = coach.add_athlete("Bo")
    theirs = coach.upload(bo, make_video(tmp_path / "bo.mp4", seed=3)).json()["id"]
    mine = coach.upload(athlete, make_video(tmp_path / "ana.mp4", seed=4)).json()["id"]
    client = server.client()
    page = client.get(f"/a/{token}/sessions/{theirs}")
    assert page.status_code == 404 and "no such session" in page.text
    assert "bo.mp4" not in page.text
    assert client.get(f"/a/{token}/sessions/{mine + theirs + 100}").status_code == 404
    home = client.get(f"/a/{token}").text
    assert "ana.mp4" in home and "bo.mp4" not in home


def test_a_session_being_analysed_is_followed_live(server, ana, tmp_path):
    coach, athlete, token = ana
    answer = coach.upload(athlete, make_video(tmp_path / "run.mp4"), date="2026-02-03",
                          drill="pony")  # fmt: skip
    session = answer.json()["id"]
    client = server.client()
    home = client.get(f"/a/{token}").text
    assert f'href="/a/{token}/sessions/{session}"' in home
    assert "2026-02-03" in home and "waiting to be analysed" in home and "drill: Pony" in home
    page = client.get(f"/a/{token}/sessions/{session}")
    assert page.status_code == 200
    assert f'data-job-poll="/api/a/{token}/sessions/{session}"' in page.text
    assert "data-job-text" in page.text and "waiting in the queue" in page.text
    server.set_job(session, state="running", stage="pose", frames_done=30, frames_total=120)
    page = client.get(f"/a/{token}/sessions/{session}").text
    assert '<progress max="120" value="30"' in page and "frame 30 of 120" in page


def test_a_failed_analysis_says_why_and_what_to_do(server, ana, tmp_path):
    coach, athlete, token = ana
    session = coach.upload(athlete, make_video(tmp_path / "run.mp4")).json()["id"]
    server.set_job(session, state="failed", outcome="no_person",
                   reason="no person was found in <run.mp4>")  # fmt: skip
    page = server.client().get(f"/a/{token}/sessions/{session}").text
    assert "could not be analysed" in page and "data-job-poll" not in page
    assert explain_failure("no_person")["what"] in page
    assert "Film again following the guide" in page and f'href="/a/{token}#guide"' in page
    assert "no person was found in &lt;run.mp4&gt;" in page
    server.set_job(session, outcome="crashed", reason="worker lost")
    page = server.client().get(f"/a/{token}/sessions/{session}").text
    assert "You do not need to film again" in page and f"/a/{token}#guide" in page  # nav only
    assert "Send a new video</a>" not in page


def test_a_finished_session_shows_feedback_video_and_notes(server, ana, tmp_path, analysis_sources):  # noqa: F811
    coach, athlete, token = ana
    session = coach.upload(athlete, make_video(tmp_path / "run.mp4")).json()["id"]
    folder = publish_analysis(server, session, analysis_sources[0])  # the overstrider
    (folder / "annotated.mp4").write_bytes(b"\x00" * 64)
    (folder / "keyframes.png").write_bytes(b"\x89PNG fake")
    for note in ({"time_s": 1.25, "text": "Land under you here <script>alert(1)</script>"},
                 {"text": "Good effort & a steady camera"}):  # fmt: skip
        assert coach.post(f"/api/sessions/{session}/notes", json=note).status_code == 201
    page = server.client().get(f"/a/{token}/sessions/{session}")
    assert page.status_code == 200
    text = page.text
    # what to work on: the focus of the overstrider, with its drills
    assert "What to work on next" in text
    assert "Landing on the ball of the foot" in text and "Landing under the centre of mass" in text
    assert "<strong>Foot tapping</strong>" in text and "<strong>Pony</strong>" in text
    assert "tap the ball of the other foot under the hip" in text
    # what they do well: passed checkpoints by name, with their cue
    good = text[text.index("What you do well") : text.index("What to work on next")]
    assert "Support knee bent" in good and "Keep the support knee soft" in good
    assert "Shank near vertical" not in good  # a failed one
    # the video, its notes seeking it, the key frames, the report
    files = f"/api/a/{token}/sessions/{session}/files"
    assert re.search(rf'<video id="video" controls playsinline preload="metadata" '
                     rf'src="{files}/annotated.mp4"', text)  # fmt: skip
    assert 'data-seek="1.25" data-video="video"' in text and ">0:01.2</a>" in text
    assert "Tap a time to play" in text and "Whole video" in text
    assert "Good effort &amp; a steady camera" in text
    assert "<script>alert(1)</script>" not in text
    assert "Land under you here &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert f'src="{files}/keyframes.png"' in text and f'href="{files}/report.html"' in text
    assert server.client().get(f"{files}/annotated.mp4").status_code == 200
    # without an annotated video, the uploaded one is shown
    (folder / "annotated.mp4").unlink()
    text = server.client().get(f"/a/{token}/sessions/{session}").text
    assert f'src="/api/a/{token}/sessions/{session}/video"' in text


def test_progress_summary_once_two_sessions_are_analysed(server, ana, tmp_path, analysis_sources):  # noqa: F811
    coach, athlete, token = ana
    ids = [coach.upload(athlete, make_video(tmp_path / f"run{i}.mp4", seed=i), date=d).json()["id"]
           for i, d in enumerate(("2026-01-10", "2026-03-07"))]  # fmt: skip
    publish_analysis(server, ids[0], analysis_sources[0])
    home = server.client().get(f"/a/{token}").text
    assert "Progress, not perfection" not in home and "ready" in home
    publish_analysis(server, ids[1], analysis_sources[1])
    home = server.client().get(f"/a/{token}").text
    summary = home[home.index("Progress, not perfection") :]
    assert "2 videos analysed" in summary and "2026-01-10" in summary
    assert re.search(r'class="trend-(improved|mixed)"', summary)
    assert "<li>Shank near vertical at landing</li>" in summary
    # newest first
    assert home.index(f"/sessions/{ids[1]}") < home.index(f"/sessions/{ids[0]}")


@pytest.mark.parametrize(("seconds", "shown"),
                         [(0.0, "0:00.0"), (3.24, "0:03.2"), (65.0, "1:05.0"), (59.96, "1:00.0")])  # fmt: skip
def test_video_times_read_as_a_phone_player_shows_them(seconds, shown):
    assert format_video_time(seconds) == shown


def test_user_text_is_escaped_on_the_home_page(server, tmp_path):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete('<img src=x onerror="alert(1)">')
    token = coach.make_link(athlete)
    coach.upload(athlete, make_video(tmp_path / "x.mp4"), filename="<b>run</b>.mp4")
    text = server.client().get(f"/a/{token}").text
    assert "<img src=x" not in text and "<b>run</b>" not in text
    assert "Hi &lt;img src=x onerror=" in text
