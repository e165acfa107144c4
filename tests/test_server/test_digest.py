"""The analysis digest the pages are made from: pure functions, on real analyses."""

from __future__ import annotations

import json
import math

from runform.gait.stride_kinematics import choose_representative_stride
from runform.server.web.digest import judge_trend, list_moments, summarise_analysis

from .api_helpers import analysis_sources  # noqa: F401 (a fixture)


def _load(folder):
    return json.loads((folder / "analysis.json").read_text())


def test_the_digest_keeps_what_the_pages_show_and_is_small(analysis_sources):  # noqa: F811
    doc = _load(analysis_sources[1])
    digest = summarise_analysis(doc)
    assert len(json.dumps(digest)) < len(json.dumps(doc)) / 3
    assert [c["id"] for c in digest["checkpoints"]] == [c["id"] for c in doc["checkpoints"]]
    assert all("details" not in c for c in digest["checkpoints"])
    assert digest["focus"] == doc["focus"]


def test_the_moments_are_those_of_the_key_frames_stride(analysis_sources):  # noqa: F811
    doc = _load(analysis_sources[1])
    rows = doc["stride_angles"]
    index = choose_representative_stride(
        [(r["weight"], {k: v if v is not None else math.nan for k, v in r["times_s"].items()},
          r["values_deg"]) for r in rows])  # fmt: skip
    assert index is not None
    digest = summarise_analysis(doc)
    assert digest["moments"] == {k: float(v) for k, v in rows[index]["times_s"].items()}
    markers = list_moments(digest)
    titles = [m["title"] for m in markers if m["kind"] == "moment"]
    assert titles == ["Landing", "Pose", "Toe-off", "Pull"]
    landings = [m for m in markers if m["kind"] == "landing"]
    assert len(landings) == sum(e["type"] == "initial_contact" for e in doc["events"])


def test_no_stride_counts_means_no_moments():
    assert choose_representative_stride([]) is None
    assert choose_representative_stride([(0.0, {}, {})]) is None
    assert summarise_analysis({"stride_angles": [{"weight": 0}]})["moments"] == {}


def test_the_trend_uses_the_minimal_detectable_change(analysis_sources):  # noqa: F811
    overstrider, good = (summarise_analysis(_load(f)) for f in analysis_sources)
    better = judge_trend(overstrider, good)
    assert (
        better.verdict in ("improved", "mixed")
        and "Landing under the centre of mass" in better.improved
    )
    worse = judge_trend(good, overstrider)
    assert "Landing under the centre of mass" in worse.regressed
    assert judge_trend(good, good).verdict == "baseline_only"
    same = judge_trend(good, json.loads(json.dumps(good)))
    assert same.verdict == "no_clear_change" and not same.improved and not same.regressed
    assert judge_trend(None, good).verdict == "baseline_only"


def test_a_digest_says_when_nothing_could_be_scored():
    doc = {"checkpoints": [{"id": "a", "status": "not_measured", "score": None,
                            "reason": "fewer than 2 strides"}], "focus": []}  # fmt: skip
    text = summarise_analysis(doc)["focus_empty"]
    assert "could be scored" in text and "fewer than 2 strides" in text
    doc["checkpoints"][0].update(status="pass", score=97.0)
    assert "in range" in summarise_analysis(doc)["focus_empty"]
