"""The whole coach and athlete loop in a real browser: Debian's Chromium driven by Playwright.

A real ``runform serve`` (uvicorn, one analysis worker, SQLite, 127.0.0.1
on a free port) is started for the test and stopped after it. Two browser
contexts, a coach on a laptop and an athlete on a phone:

1. the coach logs in, adds an athlete and makes their private link;
2. the athlete opens the link, reads the filming guide and uploads the
   bundled sample clip; the analysis progress advances and the feedback
   appears;
3. the coach pins a note to a video time; the athlete sees it;
4. a second upload is compared with the first, and the athlete's page
   shows the progress over both;
5. one athlete's link cannot open another athlete's session.

With ``RUNFORM_SCREENSHOTS=DIR`` the main pages are saved there at phone
and laptop widths (``docs/screenshots`` holds the README's). Skips, saying
why, without Chromium (``apt-get install chromium``; ``.ci/run`` does) or
Playwright.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_videos"
PASSWORD = "a long coach password"
PHONE = {"width": 360, "height": 780}
LAPTOP = {"width": 1280, "height": 900}
#: Longest wait for one analysis of a 5 s sample clip on a busy 2-core machine, ms.
ANALYSIS_TIMEOUT_MS = 420_000


def _find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A real coach server with one coach; its base URL."""
    runform = [sys.executable, "-m", "runform.cli"]
    data = tmp_path / "data"
    env = {**os.environ, "RUNFORM_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run([*runform, "serve", "users", "add", "coach@example.org", "--name", "Coach Kim",
                    "--password-stdin", "--data", str(data)], input=PASSWORD + "\n", text=True,
                   check=True, capture_output=True, env=env, timeout=120)  # fmt: skip
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen([*runform, "serve", "--data", str(data), "--port", str(port),
                                "--workers", "1"], stdout=log, stderr=subprocess.STDOUT, env=env)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/login", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "server.log").read_text()) from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        log.close()


class Shots:
    """Saves screenshots when ``RUNFORM_SCREENSHOTS`` names a folder."""

    def __init__(self) -> None:
        folder = os.environ.get("RUNFORM_SCREENSHOTS")
        self.folder = Path(folder) if folder else None
        if self.folder:
            self.folder.mkdir(parents=True, exist_ok=True)

    def take(self, page, name: str) -> None:
        if self.folder:
            page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)


def _upload(page, video: Path) -> int:
    page.set_input_files('input[type="file"]', str(video))
    page.click('form[data-upload] button[type="submit"]')
    page.wait_for_url(re.compile(r".*/sessions/\d+$"), timeout=120_000)
    return int(page.url.rsplit("/", 1)[1])


def _wait_for_feedback(page) -> None:
    page.wait_for_selector("text=What to work on next", timeout=ANALYSIS_TIMEOUT_MS)


def test_coach_and_athlete_go_through_the_whole_loop(server: str, tmp_path: Path) -> None:
    chromium = _find_chromium()
    if chromium is None:
        pytest.skip("no Chromium on this machine: apt-get install chromium (.ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    shots = Shots()
    second = tmp_path / "second_run.mp4"
    shutil.copy(SAMPLES / "heel_striker.mp4", second)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        errors: list[str] = []
        coach_context = browser.new_context(viewport=LAPTOP, base_url=server)
        athlete_context = browser.new_context(viewport=PHONE, base_url=server, is_mobile=True,
                                              has_touch=True)  # fmt: skip
        coach = coach_context.new_page()
        athlete = athlete_context.new_page()
        for page in (coach, athlete):
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}")
                    if not r.url.startswith(server) else None)  # fmt: skip

        # 1. The coach logs in, adds an athlete and makes their link.
        coach.goto("/roster")
        assert "/login" in coach.url
        shots.take(coach, "login-laptop")
        coach.fill("#email", "coach@example.org")
        coach.fill("#password", PASSWORD)
        coach.click("button[type=submit]")
        coach.wait_for_url(re.compile(r".*/roster$"))
        coach.fill("#athlete-name", "Ana")
        coach.fill("#athlete-height", "168")
        coach.click("text=Add athlete")
        coach.wait_for_url(re.compile(r".*/athletes/\d+$"))
        athlete_page = coach.url
        coach.click("text=Make the link")
        link = coach.get_attribute("#new-link", "href")
        assert link and "/a/" in link

        # 2. The athlete opens the link, reads the guide, uploads; progress, then feedback.
        athlete.goto(link)
        assert athlete.locator("svg").count() >= 3  # the filming guide's pictures
        assert athlete.get_attribute('input[type="file"]', "accept") == "video/*"
        shots.take(athlete, "athlete-home-phone")
        first_id = _upload(athlete, SAMPLES / "pose_runner.mp4")
        texts = set()
        deadline = time.monotonic() + ANALYSIS_TIMEOUT_MS / 1000
        while (
            time.monotonic() < deadline and not athlete.locator("text=What to work on next").count()
        ):
            box = athlete.locator("[data-job-text]")
            if box.count():
                texts.add(box.first.inner_text())
            time.sleep(0.5)
        _wait_for_feedback(athlete)
        assert len(texts) >= 2, texts  # the progress advanced while the athlete waited
        assert athlete.locator("video").count() == 1
        shots.take(athlete, "athlete-feedback-phone")

        # 3. The coach pins a note to a video time; the athlete sees it.
        coach.goto(f"/sessions/{first_id}")
        assert coach.locator(".timeline .mark.moment").count() >= 3
        shots.take(coach, "session-laptop")
        coach.fill("#note-text", "Land under your hips <b>not</b> ahead")
        coach.fill("#note-time", "1.5")
        coach.click("text=Add note")
        coach.wait_for_selector("text=Land under your hips <b>not</b> ahead")
        athlete.reload()
        athlete.wait_for_selector("text=Land under your hips <b>not</b> ahead")
        assert athlete.locator('[data-seek="1.5"]').count() == 1

        # 4. A second upload, compared with the first; progress over both.
        athlete.goto(link)
        second_id = _upload(athlete, second)
        _wait_for_feedback(athlete)
        coach.goto(athlete_page)
        shots.take(coach, "athlete-laptop")
        assert coach.locator("img.figure").count() >= 1  # the progress plots
        assert coach.evaluate(
            "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
        )
        coach.click("form[action='/compare'] button[type=submit]")
        coach.wait_for_url(re.compile(r".*/compare\?a=\d+&b=\d+$"), timeout=180_000)
        assert "MDC" in coach.inner_text("main")
        assert coach.locator("video").count() == 2
        shots.take(coach, "compare-laptop")
        coach.goto("/roster")
        shots.take(coach, "roster-laptop")
        coach.set_viewport_size(PHONE)
        coach.goto(f"/sessions/{second_id}")
        shots.take(coach, "session-phone")
        assert coach.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1

        # 5. Another athlete's session cannot be opened through this link.
        coach.set_viewport_size(LAPTOP)
        coach.goto("/roster")
        coach.fill("#athlete-name", "Bo")
        coach.click("text=Add athlete")
        coach.wait_for_url(re.compile(r".*/athletes/\d+$"))
        coach.set_input_files('input[type="file"]', str(SAMPLES / "phone_portrait.mp4"))
        coach.click('form[data-upload] button[type="submit"]')
        coach.wait_for_url(re.compile(r".*/sessions/\d+$"), timeout=120_000)
        theirs = int(coach.url.rsplit("/", 1)[1])
        token = link.rsplit("/a/", 1)[1]
        other = browser.new_context(viewport=PHONE, base_url=server).new_page()
        answer = other.goto(f"/a/{token}/sessions/{theirs}")
        assert answer is not None and answer.status == 404
        assert "Bo" not in other.inner_text("body")
        browser.close()
    assert not errors, errors
