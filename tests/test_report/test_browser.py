"""The report renders in a real browser: headless Chromium (Debian's), driven by Playwright.

Images must load and the annotated video must become playable
(``readyState >= 2``). Skips with the reason when no Chromium is installed
(`apt-get install chromium`; `.ci/run` installs it).
"""

from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.slow


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_report_renders_with_images_and_a_playable_video(analysed):
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium on this machine: apt-get install chromium (.ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    _video, out = analysed
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        )
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto((out / "report.html").as_uri())
        page.wait_for_load_state("load")
        assert "What to work on next" in page.inner_text("body")
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.complete, e.naturalWidth])"
        )
        assert images and all(done and width > 0 for done, width in images)
        page.wait_for_function("document.querySelector('video').readyState >= 2", timeout=20_000)
        state = page.evaluate("document.querySelector('video').readyState")
        duration = page.evaluate("document.querySelector('video').duration")
        browser.close()
    assert state >= 2 and duration > 2.0
    assert not errors
