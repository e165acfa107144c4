"""Defects found by a review of the server-rendered pages, each a test that failed before its fix.

A video uploaded under an ``.html`` name served as a page (stored XSS), a
deleted baseline's id passed to the next upload, a drill hiding the running
trend, 500s on odd input, folders on error pages, the login form's
throttling, the focus ring's contrast, the 360 px layout and buttons the
script had not enabled.

The browser checks drive Debian's Chromium through Playwright with every
request answered in process by the app's test client (no port, no worker);
they skip without Chromium or Playwright.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from fastapi.testclient import TestClient

from .api_helpers import (
    PASSWORD,
    analysis_sources,  # noqa: F401 (a fixture)
    make_video,
    publish_analysis,
    run_server,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(tmp_path, database_url):
    with run_server(tmp_path, database_url) as server:
        server.add_coach("a@example.org")
        yield server


@pytest.fixture
def sqlite_server(tmp_path):
    with run_server(tmp_path, f"sqlite:///{tmp_path / 'runform.sqlite3'}") as server:
        server.add_coach("a@example.org")
        yield server


def form(coach, url, data, follow=False):
    return coach.client.post(url, data={"csrf_token": coach.csrf, **data},
                             follow_redirects=follow)  # fmt: skip


def make_polyglot_video(path: Path, payload: str, seed: int = 0) -> Path:
    """A real MP4 PyAV reads whose header (moov first) carries ``payload`` as its title."""
    rng = np.random.default_rng(seed)
    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as container:
        container.metadata["title"] = payload
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(6):
            pixels = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


@pytest.fixture
def sources(analysis_sources: list[Path]) -> list[Path]:  # noqa: F811
    """The two real analysis folders of api_helpers (overstrider, then a good runner)."""
    return analysis_sources


@pytest.fixture(scope="session")
def drill_source(tmp_path_factory) -> Path:
    """A real analysis folder of the synthetic runner scored as the pony drill."""
    from runform.cli import main
    from runform.io.poses import save_poses
    from runform.synth import PRESETS, compute_truth
    from runform.synth.truth_poses import create_truth_poses

    root = tmp_path_factory.mktemp("drill")
    wide = {"width_px": 1920, "height_px": 1080, "figure_height_frac": 0.42}
    truth = compute_truth(PRESETS["pose_runner"].with_overrides(**wide))
    poses = root / "pose_runner.nc"
    save_poses(create_truth_poses(truth), poses)
    out = root / "drill"
    assert main(["analyze", str(poses), "-o", str(out), "--height-cm", "175", "--drill", "pony",
                 "--quiet"]) == 0  # fmt: skip
    return out


# --- security ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["clip.html", "clip.svg", "clip.xhtml"])
def test_an_uploaded_video_is_never_served_as_a_document(server, tmp_path, name):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete("Ana")
    token = coach.make_link(athlete)
    script = "<script>fetch('/api/me').then(r => r.json()).then(j => alert(j.csrf_token))</script>"
    video = make_polyglot_video(tmp_path / "clip.mp4", f"\"'></title></textarea>{script}")
    upload = server.client().post(f"/api/a/{token}/sessions", params={"filename": name},
                                  content=video.read_bytes(),
                                  headers={"Content-Type": "video/mp4"})  # fmt: skip
    assert upload.status_code == 201, upload.text  # PyAV reads it: it is a real video
    served = coach.get(f"/api/sessions/{upload.json()['id']}/video")
    assert served.status_code == 200 and b"<script>" in served.content
    media_type = served.headers["content-type"].split(";")[0]
    assert media_type.startswith("video/") or media_type == "application/octet-stream", media_type


def test_an_error_page_does_not_show_the_servers_folders(server, tmp_path, sources):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete("Ana")
    ids = [coach.upload(athlete, make_video(tmp_path / f"r{i}.mp4", seed=i),
                        date=f"2026-0{i + 1}-10").json()["id"] for i in range(2)]  # fmt: skip
    for session, source in zip(ids, sources, strict=True):
        publish_analysis(server, session, source)
    assert coach.get(f"/athletes/{athlete}").status_code == 200  # the digests are kept
    analysis = server.result_folder(ids[1]) / "analysis.json"
    analysis.write_text(analysis.read_text()[:300])  # cut short (a full disk, a crash)
    page = coach.get(f"/compare?a={ids[0]}&b={ids[1]}")
    assert page.status_code >= 400
    assert str(server.data) not in page.text and "/cache/" not in page.text


def test_the_login_form_is_throttled_like_the_api(server):
    client = server.client()
    for attempt in range(5):
        client.post("/login", data={"email": "a@example.org", "password": f"wrong {attempt}"})
    refused = client.post("/login", data={"email": "a@example.org", "password": PASSWORD})
    assert "too many" in refused.text
    assert refused.status_code == 429 and "retry-after" in refused.headers


# --- crashes and wrong answers --------------------------------------------------------------


def test_a_huge_baseline_id_is_not_found(server):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete("Ana")
    client = TestClient(server.app, raise_server_exceptions=False)
    client.cookies = coach.client.cookies
    answer = client.post(f"/athletes/{athlete}/baseline",
                         data={"csrf_token": coach.csrf, "session_id": str(2**63)})  # fmt: skip
    assert answer.status_code == 404


def test_the_add_athlete_form_refuses_control_characters_like_the_api(server):
    coach = server.log_in("a@example.org")
    assert coach.post("/api/athletes", json={"name": "A\x00na"}).status_code == 422
    client = TestClient(server.app, raise_server_exceptions=False)
    client.cookies = coach.client.cookies
    answer = client.post("/athletes", data={"csrf_token": coach.csrf, "name": "A\x00na"},
                         follow_redirects=False)  # fmt: skip
    assert answer.status_code == 422


def test_a_deleted_baseline_does_not_pass_to_the_next_upload(sqlite_server, tmp_path, sources):
    server = sqlite_server
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete("Ana")
    ids = [coach.upload(athlete, make_video(tmp_path / f"r{i}.mp4", seed=i),
                        date=f"2026-0{i + 1}-10").json()["id"] for i in range(3)]  # fmt: skip
    for session, source in zip(ids, [*sources, sources[0]], strict=True):
        publish_analysis(server, session, source)
    assert form(coach, f"/athletes/{athlete}/baseline", {"session_id": ids[2]}).status_code == 303
    assert coach.delete(f"/api/sessions/{ids[2]}").status_code == 204  # back to the earliest
    assert "trend-improved" in coach.get("/roster").text
    new = coach.upload(athlete, make_video(tmp_path / "new.mp4", seed=9), date="2026-04-10")
    publish_analysis(server, new.json()["id"], sources[1])
    roster = coach.get("/roster").text
    assert "trend-baseline_only" not in roster and "trend-improved" in roster


def test_a_drill_upload_does_not_hide_the_running_trend(
    server,
    tmp_path,
    sources,
    drill_source,
):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete("Ana")
    ids = [coach.upload(athlete, make_video(tmp_path / f"r{i}.mp4", seed=i),
                        date=f"2026-0{i + 1}-10").json()["id"] for i in range(3)]  # fmt: skip
    for session, source in zip(ids, [*sources, drill_source], strict=True):
        publish_analysis(server, session, source)  # running, running, then the pony drill
    roster = coach.get("/roster").text
    assert "trend-not_comparable" not in roster and "trend-improved" in roster


def test_an_athlete_without_any_analysis_has_no_baseline_verdict(server):
    coach = server.log_in("a@example.org")
    coach.add_athlete("Ana")
    roster = coach.get("/roster").text
    assert "no analysis yet" in roster
    assert "baseline only" not in roster


@pytest.mark.parametrize("content", ["null", "[]"])
def test_an_odd_analysis_file_does_not_break_the_roster(server, tmp_path, content):
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete("Ana")
    session = coach.upload(athlete, make_video(tmp_path / "run.mp4")).json()["id"]
    folder = server.result_folder(session)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "analysis.json").write_text(content)
    server.set_job(session, state="done", outcome="ok")
    client = TestClient(server.app, raise_server_exceptions=False)
    client.cookies = coach.client.cookies
    assert client.get("/roster").status_code == 200


def test_a_page_with_a_non_number_id_is_an_html_not_found(server):
    coach = server.log_in("a@example.org")
    for url in ("/athletes/abc", "/sessions/abc", "/compare?a=x&b=y"):
        answer = coach.get(url)
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")


# --- accessibility ---------------------------------------------------------------------------


def _contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_focus_ring_stands_out_from_the_page():
    css = (ROOT / "src/runform/server/web/static/runform.css").read_text()
    colours = dict(re.findall(r"--(\w+):\s*(#[0-9a-fA-F]{6})", css))
    assert _contrast(colours["focus"], colours["paper"]) >= 3
    assert _contrast(colours["focus"], colours["tint"]) >= 3  # the header and the timeline


# --- in a browser: the phone layout and the page without JavaScript ---------------------------


@pytest.fixture
def browser() -> Iterator[object]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("no Chromium on this machine: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()


def _serve_in_process(page, client: TestClient) -> None:
    """Answer every request of ``page`` to http://testserver with ``client`` (its cookie)."""

    def answer(route, request) -> None:
        reply = client.request(request.method, request.url, content=request.post_data_buffer,
                               headers={k: v for k, v in request.headers.items()
                                        if k.lower() not in ("cookie", "host")},
                               follow_redirects=False)  # fmt: skip
        route.fulfill(status=reply.status_code, body=reply.content,
                      headers={k: v for k, v in reply.headers.items()
                               if k.lower() not in ("content-length", "content-encoding")})  # fmt: skip

    page.route("http://testserver/**", answer)


@pytest.fixture
def analysed_session(sqlite_server, tmp_path, sources):
    """A coach and an analysed session uploaded under an ordinary Android camera name."""
    server = sqlite_server
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete("Ana")
    video = make_video(tmp_path / "PXL_20260307_093012345.mp4")
    session = coach.upload(athlete, video, date="2026-03-07").json()["id"]
    folder = publish_analysis(server, session, sources[1])
    shutil.copy(ROOT / "sample_videos" / "pose_runner.mp4", folder / "annotated.mp4")
    return coach, session


def test_the_session_page_fits_a_360_px_phone(browser, analysed_session):
    coach, session = analysed_session
    page = browser.new_context(viewport={"width": 360, "height": 780}).new_page()
    _serve_in_process(page, coach.client)
    page.goto(f"http://testserver/sessions/{session}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_buttons_the_script_has_not_enabled_stay_hidden(browser, analysed_session):
    coach, session = analysed_session
    page = browser.new_context(java_script_enabled=False).new_page()
    _serve_in_process(page, coach.client)
    page.goto(f"http://testserver/sessions/{session}")
    shown = page.evaluate("""() => Array.from(document.querySelectorAll('button[hidden]'))
        .filter(b => getComputedStyle(b).display !== 'none').length""")
    assert page.evaluate("document.querySelectorAll('button[hidden]').length") > 0
    assert shown == 0
