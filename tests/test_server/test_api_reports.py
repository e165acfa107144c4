"""Comparisons and progress of real analyses through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

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


def test_two_sessions_are_compared_and_the_report_cached(server, tmp_path, analysis_sources):  # noqa: F811
    coach = server.log_in("a@example.org")
    athlete, other = coach.add_athlete("Ana"), coach.add_athlete("Bo")
    dates = ("2026-01-10", "2026-03-07")
    ids = [coach.upload(athlete, make_video(tmp_path / f"run{i}.mp4", seed=i), date=d).json()["id"]
           for i, d in enumerate(dates)]  # fmt: skip
    theirs = coach.upload(other, make_video(tmp_path / "bo.mp4", seed=9)).json()["id"]
    url = f"/api/sessions/{ids[0]}/compare/{ids[1]}"
    waiting = coach.get(url)
    assert waiting.status_code == 409 and "queued" in waiting.json()["detail"]
    for session, source in zip(ids, analysis_sources, strict=True):
        publish_analysis(server, session, source)
    comparison = coach.get(url)
    assert comparison.status_code == 200, comparison.text
    data = comparison.json()
    assert (data["baseline"], data["followup"]) == ("2026-01-10_run0", "2026-03-07_run1")
    verdicts = {c["id"]: c["verdict"] for c in data["changes"]}
    assert verdicts["shank_at_contact"] == "improved"
    page = coach.get(f"{url}/files/comparison.html")
    assert page.status_code == 200 and "2026-01-10_run0" in page.text
    cached = list((server.data / "cache" / str(athlete)).glob("compare-*"))
    assert len(cached) == 1
    assert coach.get(url).json() == data and list(cached[0].parent.glob("compare-*")) == cached
    # a new analysis of the follow-up replaces the cached report
    (server.result_folder(ids[1]) / "analysis.json").write_text(
        (analysis_sources[0] / "analysis.json").read_text()
    )
    changed = coach.get(url).json()
    assert {c["verdict"] for c in changed["changes"]} <= {"no_clear_change", "not_comparable"}
    assert len(list((server.data / "cache" / str(athlete)).glob("compare-*"))) == 1
    assert coach.get(f"/api/sessions/{ids[0]}/compare/{ids[0]}").status_code == 422
    assert coach.get(f"/api/sessions/{ids[0]}/compare/{theirs}").status_code == 422


def test_progress_over_an_athletes_analysed_sessions(server, tmp_path, analysis_sources):  # noqa: F811
    coach = server.log_in("a@example.org")
    athlete = coach.add_athlete("Ana")
    token = coach.make_link(athlete)
    ids = [coach.upload(athlete, make_video(tmp_path / f"r{i}.mp4", seed=i), date=d).json()["id"]
           for i, d in enumerate(("2026-03-07", "2026-01-10", "2026-02-01"))]  # fmt: skip
    publish_analysis(server, ids[0], analysis_sources[1])
    early = coach.get(f"/api/athletes/{athlete}/progress")
    assert early.status_code == 409 and "1 of 3 are analysed" in early.json()["detail"]
    publish_analysis(server, ids[1], analysis_sources[0])
    for client, root in (
        (coach.client, f"/api/athletes/{athlete}"),
        (server.client(), f"/api/a/{token}"),
    ):
        answer = client.get(f"{root}/progress")
        assert answer.status_code == 200, answer.text
        data = answer.json()
        assert [s["date"] for s in data["sessions"]] == ["2026-01-10", "2026-03-07"]
        assert client.get(f"{root}/progress/files/progress.html").status_code == 200
        assert "cadence" in {trend["id"] for trend in data["trends"]}  # once: the checkpoint
        plot = client.get(f"{root}/progress/files/plots/trend_cadence.png")
        assert plot.status_code == 200 and plot.content.startswith(b"\x89PNG")
    publish_analysis(server, ids[2], analysis_sources[0])  # a third analysis: a new report
    assert len(coach.get(f"/api/athletes/{athlete}/progress").json()["sessions"]) == 3
    folders = list((server.data / "cache" / str(athlete)).glob("progress-*"))
    assert len(folders) == 1 and json.loads((folders[0] / "progress.json").read_text())["sessions"]
