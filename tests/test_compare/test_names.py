"""Each quantity is listed once in a comparison, by its name for people."""

from __future__ import annotations

import copy
import re

import pytest

from runform.compare.comparison import compare, compare_analyses, metric_name
from runform.compare.verdict import METRIC_DIRECTIONS
from runform.compare.write import describe_change
from runform.report.html import build_environment

from .test_compare import analyse


@pytest.fixture(scope="module")
def pair():
    return analyse("overstrider").to_dict(), analyse("pose_runner").to_dict()


def _names(comparison):
    return [c.name for c in comparison.changes]


def test_cadence_is_one_row(pair):
    result = compare_analyses(*pair)
    cadence = [c for c in result.changes if "adence" in c.name]
    assert [(c.kind, c.name) for c in cadence] == [("checkpoint", "Cadence")]


def test_every_quantity_is_listed_once(pair):
    names = _names(compare_analyses(*pair))
    assert len(names) == len(set(names)), names


def test_no_raw_key_is_shown(pair):
    result = compare_analyses(*pair)
    for change in result.changes:
        assert "_" not in change.name
        assert not re.search(r"\b(spm|ms|deg|pct|cm|m)$", change.name), change.name
        assert change.name[0].isupper(), change.name


def test_every_compared_metric_has_a_name():
    for key in METRIC_DIRECTIONS:
        assert metric_name(key) != key.replace("_", " ")
    assert metric_name("cadence_spm") == "Cadence"
    assert metric_name("vertical_oscillation_cm") == metric_name("vertical_oscillation_pct_leg")


def test_a_metric_comes_back_when_its_checkpoint_cannot_be_compared(pair):
    baseline, followup = copy.deepcopy(pair[0]), copy.deepcopy(pair[1])
    for c in baseline["checkpoints"]:
        if c["id"] == "cadence":
            c["value"] = None
    rows = [c for c in compare_analyses(baseline, followup).changes if c.name == "Cadence"]
    assert [(c.kind, c.verdict) for c in rows] == [
        ("checkpoint", "not_comparable"),
        ("metric", rows[1].verdict),
    ]
    assert rows[1].delta is not None and rows[1].id == "cadence_spm"


def test_one_row_per_quantity_of_two_units():
    metrics = {
        "vertical_oscillation_cm": {"value": 8.0, "unit": "cm", "sd": 0.5, "n": 10},
        "vertical_oscillation_pct_leg": {"value": 9.0, "unit": "% leg", "sd": 0.5, "n": 10},
    }
    session = {"capture": {}, "checkpoints": [], "metrics": metrics}
    rows = compare_analyses(session, copy.deepcopy(session)).changes
    assert [(c.name, c.unit) for c in rows] == [("Vertical oscillation", "cm")]


def test_the_comparison_page_lists_cadence_once(pair):
    result = compare(*pair)
    rows = [{"name": c.name, "unit": c.unit, "reason": "", "verdict": c.verdict,
             "baseline_text": "", "followup_text": "", "delta_text": "", "mdc_text": ""}
            for c in result.changes]  # fmt: skip
    html = build_environment().get_template("comparison.html.j2").render(
        baseline="a", followup="b", generated="", version="", notes=[], improved=[],
        regressed=[], focus=[], changes=rows, keyframes=None, plots=[], video=None,
    )  # fmt: skip
    table = html[html.index("Every checkpoint and metric") :]
    assert table.count("<td>Cadence") == 1
    assert "cadence spm" not in html.lower() and "cadence_spm" not in html


def test_a_ratio_shows_no_unit(pair):
    result = compare_analyses(*pair)
    duty = next(c for c in result.changes if c.id == "duty_factor")
    assert duty.unit == "1" and " 1 (change" not in describe_change(duty)
