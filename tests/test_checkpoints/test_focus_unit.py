"""The focus choice and the element profile, on hand-built checkpoint results."""

from __future__ import annotations

import pytest

from runform.checkpoints.feedback import (
    choose_focus,
    describe_empty_focus,
    format_message,
    rank_weakest,
    summarise_elements,
)
from runform.checkpoints.results import CheckpointResult
from runform.checkpoints.rubric import ELEMENTS, Band, Checkpoint, Drill, Rubric

BAND = Band(
    "x_deg", (20.0, 40.0), warn=5.0, fail=15.0, message="{value:.0f} against {target_high:.0f}."
)


def cp(cid: str, element: str = "pose", weight: float = 1.0, drills=("pony",)) -> Checkpoint:
    return Checkpoint(cid, cid.title(), element, BAND, weight, ("overground",), f"Cue {cid}.",
                      tuple(drills))  # fmt: skip


def result(cid: str, status: str, score: float | None, element: str = "pose",
           value: float | None = 30.0, reason: str = "") -> CheckpointResult:  # fmt: skip
    measured = status != "not_measured"
    return CheckpointResult(
        id=cid,
        name=cid.title(),
        element=element,
        value=value if measured else None,
        unit="deg",
        uncertainty=1.0 if measured else None,
        target=(20.0, 40.0),
        score=score,
        status=status,
        reason=reason,
        cue=f"Cue {cid}.",
        drills=("pony",),
        n=4 if measured else 0,
        metric="x_deg",
    )


def rubric(*checkpoints: Checkpoint) -> Rubric:
    drills = {"pony": Drill("pony", "Pony", ("pose",), "Switch feet in place.")}
    return Rubric("unit", checkpoints, drills)


def ids(items) -> list[str]:
    return [getattr(i, "checkpoint", None) or i.id for i in items]


def test_failing_before_warning_before_passing():
    results = (result("a", "pass", 90.0), result("b", "warn", 60.0), result("c", "fail", 40.0),
               result("d", "warn", 52.0))  # fmt: skip
    r = rubric(cp("a"), cp("b"), cp("c"), cp("d"))
    assert ids(rank_weakest(results, r)) == ["c", "d", "b", "a"]
    focus = choose_focus(results, r)
    assert ids(focus) == ["c", "d"]
    assert [f.status for f in focus] == ["fail", "warn"]
    assert [f.score for f in focus] == [40.0, 52.0]


def test_at_most_two_items_or_the_limit_asked_for():
    results = tuple(result(c, "fail", s) for c, s in (("a", 30.0), ("b", 10.0), ("c", 20.0)))
    r = rubric(cp("a"), cp("b"), cp("c"))
    assert ids(choose_focus(results, r)) == ["b", "c"]
    assert ids(choose_focus(results, r, max_items=1)) == ["b"]
    assert ids(choose_focus(results, r, max_items=3)) == ["b", "c", "a"]


def test_weight_scales_the_shortfall_within_a_status():
    # a: 1.0 * (100 - 40) = 60; b: 0.5 * (100 - 10) = 45 -> a is weaker despite its score
    results = (result("b", "fail", 10.0), result("a", "fail", 40.0))
    r = rubric(cp("a", weight=1.0), cp("b", weight=0.5))
    assert ids(choose_focus(results, r, max_items=1)) == ["a"]
    # a fail always comes before a warn, whatever the weights
    warn_heavy = (result("w", "warn", 50.0), result("f", "fail", 49.0))
    r2 = rubric(cp("w", weight=1.0), cp("f", weight=0.01))
    assert ids(choose_focus(warn_heavy, r2, max_items=1)) == ["f"]


def test_observed_and_not_measured_are_never_chosen():
    results = (result("obs", "observed", None, value=90.0, reason="an observation"),
               result("nm", "not_measured", None, reason="needs a side view"),
               result("w", "warn", 70.0))  # fmt: skip
    r = rubric(cp("obs"), cp("nm"), cp("w"))
    assert ids(rank_weakest(results, r)) == ["w"]
    assert ids(choose_focus(results, r)) == ["w"]
    only_unscored = results[:2]
    assert choose_focus(only_unscored, r) == ()


def test_ties_keep_the_order_of_the_results():
    results = (result("b", "warn", 60.0), result("a", "warn", 60.0), result("c", "warn", 60.0))
    r = rubric(cp("a"), cp("b"), cp("c"))
    # equal shortfall: the first given comes first (results come in rubric order)
    assert ids(choose_focus(results, r)) == ["b", "a"]
    again = choose_focus(results, r)
    assert [f.to_dict() for f in again] == [f.to_dict() for f in choose_focus(results, r)]


def test_all_passing_offers_the_weakest_below_100_as_a_refinement():
    # choose_focus's own rule, on hand-made results: compute_score gives every pass
    # exactly 100 (status and score read the same distance outside the target), so
    # results from score_checkpoints never reach this branch: a good runner gets no focus
    results = (result("a", "pass", 100.0), result("b", "pass", 95.0), result("c", "pass", 90.0))
    r = rubric(cp("a"), cp("b"), cp("c"))
    focus = choose_focus(results, r)
    assert ids(focus) == ["c"] and focus[0].status == "pass"
    assert focus[0].message == "30 against 40. Already in range; to refine it: Cue c."


def test_a_pass_close_to_its_targets_edge_is_offered_as_a_refinement():
    # target 20-40, warning margin from BAND: every pass scores 100 as score_checkpoints gives
    margin = BAND.warn
    results = (result("a", "pass", 100.0, value=30.0),
               result("b", "pass", 100.0, value=40.0 - 0.5 * margin),
               result("c", "pass", 100.0, value=20.0 + 0.8 * margin))  # fmt: skip
    focus = choose_focus(results, rubric(cp("a"), cp("b"), cp("c")))
    assert ids(focus) == ["b"] and "to refine it" in focus[0].message
    well_inside = (result("a", "pass", 100.0, value=30.0),)
    assert choose_focus(well_inside, rubric(cp("a"))) == ()


def test_nothing_to_work_on_when_everything_is_perfect():
    results = (result("a", "pass", 100.0), result("b", "pass", 100.0),
               result("nm", "not_measured", None))  # fmt: skip
    assert choose_focus(results, rubric(cp("a"), cp("b"), cp("nm"))) == ()
    assert choose_focus((), rubric(cp("a"))) == ()


def test_a_focus_item_carries_the_message_cue_and_drills():
    results = (result("a", "fail", 0.0, value=60.0),)
    (item,) = choose_focus(results, rubric(cp("a", drills=("pony", "not_in_rubric"))))
    assert item.message == "60 against 40. Next step: Cue a."
    assert item.cue == "Cue a." and item.element == "pose" and item.name == "A"
    assert [dict(d) for d in item.drills] == [
        {"id": "pony", "name": "Pony", "how": "Switch feet in place."}
    ]  # a drill the rubric does not hold is left out


def test_a_softened_warn_says_it_is_within_the_resolution():
    softened = result("a", "warn", 45.0, value=47.0, reason="beyond the warning band by 2")
    text = format_message(softened, cp("a"))
    assert text == (
        "47 against 40. The gap is within what the video can resolve, so treat it as a "
        "watch point. Next step: Cue a."
    )
    plain = format_message(result("a", "warn", 50.0, value=45.0), cp("a"))
    assert plain == "45 against 40. Next step: Cue a."


# ---------------------------------------------------------------------------
# summarise_elements
# ---------------------------------------------------------------------------


def test_element_scores_are_weighted_means_of_the_scored_checkpoints():
    results = (result("a", "pass", 100.0, "pose"), result("b", "fail", 40.0, "pose"),
               result("c", "warn", 60.0, "fall"), result("d", "not_measured", None, "fall"),
               result("e", "observed", None, "pull", value=5.0),
               result("f", "not_measured", None, "landing"))  # fmt: skip
    r = rubric(cp("a", "pose", 1.0), cp("b", "pose", 0.5), cp("c", "fall"), cp("d", "fall"),
               cp("e", "pull"), cp("f", "landing"))  # fmt: skip
    profile = summarise_elements(results, r)
    assert set(profile) == set(ELEMENTS)
    assert profile["pose"] == {"score": 80.0, "measured": 2, "not_measured": 0, "weakest": "b"}
    assert profile["fall"] == {"score": 60.0, "measured": 1, "not_measured": 1, "weakest": "c"}
    # an observation has no score: it neither counts nor is the weakest
    assert profile["pull"] == {"score": None, "measured": 0, "not_measured": 0, "weakest": None}
    assert profile["landing"] == {"score": None, "measured": 0, "not_measured": 1, "weakest": None}
    assert profile["cadence"] == {"score": None, "measured": 0, "not_measured": 0, "weakest": None}


def test_element_score_rounds_and_breaks_weakest_ties_in_order():
    results = (result("a", "warn", 70.0), result("b", "warn", 70.0), result("c", "pass", 100.0))
    profile = summarise_elements(results, rubric(cp("a"), cp("b"), cp("c")))
    assert profile["pose"]["score"] == pytest.approx(80.0)
    assert profile["pose"]["weakest"] == "a"
    thirds = (result("a", "pass", 100.0), result("b", "fail", 0.0), result("c", "fail", 0.0))
    assert summarise_elements(thirds, rubric(cp("a"), cp("b"), cp("c")))["pose"]["score"] == 33.3


def test_zero_weights_give_no_element_score():
    results = (result("a", "fail", 10.0),)
    profile = summarise_elements(results, rubric(cp("a", weight=0.0)))
    assert profile["pose"] == {"score": None, "measured": 1, "not_measured": 0, "weakest": "a"}


def test_an_empty_focus_says_whether_anything_was_scored() -> None:
    scored = (result("a", "pass", 95.0), result("b", "not_measured", None, reason="x"))
    assert describe_empty_focus(scored).startswith("Nothing to single out: all 1 scored")
    nothing = (
        result("a", "not_measured", None, reason="fewer than 2 strides"),
        result("b", "not_measured", None, reason="fewer than 2 strides"),
        result("c", "observed", None),
    )
    text = describe_empty_focus(nothing)
    assert "in range" not in text and "could be scored" in text and "fewer than 2 strides" in text


def test_an_empty_focus_reads_the_json_form_too() -> None:
    """The pages' digests hold checkpoints as dicts: the same sentence comes out."""
    results = (
        result("a", "not_measured", None, reason="an oblique view"),
        result("b", "observed", None),
    )
    assert describe_empty_focus([r.to_dict() for r in results]) == describe_empty_focus(results)
    assert "an oblique view" in describe_empty_focus([r.to_dict() for r in results])
