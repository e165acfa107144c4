"""Checkpoint evaluation on hand-built strides and a hand-built rubric.

The gait analysis is a stand-in holding only what the evaluation reads (the
capture labels, the frame rate, the stride count and the gait metrics), and
the per-stride measures are given directly, so every value, status and score
below can be worked out by hand.

The band used throughout: target 20-40, ``warn`` 5, ``fail`` 15 outside it.
Score 100 inside, 50 at 5 outside, 0 from 15 outside, linear in between.
"""

from __future__ import annotations

import math
from dataclasses import replace
from types import MappingProxyType, SimpleNamespace

import numpy as np
import pytest

from runform.checkpoints import evaluate
from runform.checkpoints.evaluate import score_checkpoints, score_range
from runform.checkpoints.measures import StrideMeasures
from runform.checkpoints.rubric import Band, Checkpoint, Rubric
from runform.checkpoints.scoring import classify_status, compute_distance_outside, compute_score
from runform.gait.metrics import Metric, missing
from runform.scene.quality import CaptureWarning
from runform.scene.view import Classified

KNEE = "support_knee_flexion_deg"  # a per-stride measure in degrees
TIMING = "contact_to_pose_ms"  # a per-stride measure in ms
BAND = Band(KNEE, (20.0, 40.0), warn=5.0, fail=15.0)


def checkpoint(band: Band = BAND, **changes) -> Checkpoint:
    base = Checkpoint(
        id="knee",
        name="Knee",
        element="pose",
        band=band,
        weight=1.0,
        applies=("overground", "treadmill", "tracking"),
        cue="Soft knee.",
        drills=(),
    )
    return replace(base, **changes)


def gait(
    n_strides: int = 4,
    fps: float = 100.0,
    setting: str = "overground",
    view: str = "side",
    activity: str = "running",
    warnings: tuple[CaptureWarning, ...] = (),
    metrics: dict[str, Metric] | None = None,
) -> SimpleNamespace:
    """What the evaluation reads of a :class:`~runform.gait.result.GaitAnalysis`."""
    capture = SimpleNamespace(
        setting=Classified(setting, 1.0, {}),
        view=Classified(view, 1.0, {}),
        activity=Classified(activity, 1.0, {}),
        fps=fps,
        warnings=warnings,
    )
    return SimpleNamespace(
        capture=capture,
        strides=tuple(range(n_strides)),  # only the count is read
        metrics=MappingProxyType(metrics or {}),
    )


def measures(values, weights=None, metric: str = KNEE) -> StrideMeasures:
    values = np.asarray(values, dtype=float)
    n = values.size
    return StrideMeasures(
        values={metric: values},
        weights=np.ones(n) if weights is None else np.asarray(weights, dtype=float),
        sides=tuple("left" if k % 2 == 0 else "right" for k in range(n)),
        starts_s=tuple(0.35 * k for k in range(n)),
    )


@pytest.fixture
def score(monkeypatch):
    """``score(values, checkpoint, ..., **gait_fields)`` -> the one CheckpointResult.

    ``override`` is the caller's activity (``score_checkpoints(activity=...)``).
    """

    def run(values, cp=None, weights=None, seed=0, baseline=None, override=None, **fields):
        cp = checkpoint() if cp is None else cp
        per_stride = measures(values, weights, metric=cp.band.metric)
        monkeypatch.setattr(evaluate, "compute_stride_measures", lambda _gait: per_stride)
        results = score_checkpoints(
            gait(**fields),  # type: ignore[arg-type]
            Rubric("unit", (cp,)),
            baseline=baseline,
            seed=seed,
            activity=override,
        )
        assert len(results) == 1
        return results[0]

    return run


# ---------------------------------------------------------------------------
# Status and score at the edges (constant strides, no floor: uncertainty 0)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status", "points"),
    [(30.0, "pass", 100.0), (40.0, "pass", 100.0), (20.0, "pass", 100.0),
     (42.5, "warn", 75.0), (45.0, "warn", 50.0), (15.0, "warn", 50.0),
     (45.5, "fail", 47.5), (14.5, "fail", 47.5), (50.0, "fail", 25.0),
     (55.0, "fail", 0.0), (5.0, "fail", 0.0), (90.0, "fail", 0.0)],
)  # fmt: skip
def test_status_and_score_at_the_target_and_tolerance_edges(score, value, status, points):
    result = score([value] * 4)
    assert result.value == pytest.approx(value)
    assert result.uncertainty == 0.0
    assert (result.status, result.reason) == (status, "")
    assert result.score == pytest.approx(points)
    assert result.n == 4 and result.unit == "deg" and result.target == (20.0, 40.0)


def test_a_fail_within_the_uncertainty_is_a_warn_with_the_reason(score):
    # 47 is 2 beyond the warning band; a floor of exactly 2 softens it, 1.99 does not
    soft = score([47.0] * 4, checkpoint(replace(BAND, floor=2.0)))
    assert soft.status == "warn"
    assert soft.reason == (
        "beyond the warning band by 2, less than the uncertainty 2: not a confident fail"
    )
    assert soft.score == pytest.approx(40.0)  # the score is not softened
    hard = score([47.0] * 4, checkpoint(replace(BAND, floor=1.99)))
    assert (hard.status, hard.reason) == ("fail", "")
    assert hard.score == pytest.approx(40.0)


def test_below_and_above_the_target_are_scored_alike():
    for d in (0.0, 2.5, 5.0, 7.5, 15.0, 30.0):
        below, above = 20.0 - d, 40.0 + d
        assert compute_distance_outside(below, BAND.target) == pytest.approx(d)
        assert compute_distance_outside(above, BAND.target) == pytest.approx(d)
        assert compute_score(below, BAND) == pytest.approx(compute_score(above, BAND))
        assert classify_status(below, BAND, 0.0) == classify_status(above, BAND, 0.0)


def test_negative_targets_and_open_bounds():
    landing = Band("foot_angle_at_contact_deg", (-30.0, 3.0), warn=4.0, fail=12.0)
    assert classify_status(5.0, landing, 0.0)[0] == "warn"  # 2 deg toes-up past 3
    assert classify_status(-32.0, landing, 0.0)[0] == "warn"
    assert classify_status(-35.0, landing, 0.0)[0] == "fail"
    assert compute_score(-14.0, landing) == 100.0
    open_high = Band("x", (170.0, math.inf), warn=5.0, fail=15.0)
    assert classify_status(1e6, open_high, 0.0) == ("pass", "")
    assert compute_score(165.0, open_high) == pytest.approx(50.0)


# ---------------------------------------------------------------------------
# Uncertainty and details of per-stride checkpoints
# ---------------------------------------------------------------------------


def test_uncertainty_is_the_bootstrap_spread_and_floor_in_quadrature(score):
    values = [28.0, 32.0, 28.0, 32.0]  # mean 30, population SD 2 -> spread of the mean 2/sqrt(4)
    plain = score(values)
    assert plain.value == pytest.approx(30.0) and plain.status == "pass"
    assert plain.details["spread"] == pytest.approx(1.0, rel=0.05)
    assert plain.uncertainty == pytest.approx(plain.details["spread"])
    floored = score(values, checkpoint(replace(BAND, floor=3.0)))
    assert floored.details["spread"] == plain.details["spread"]  # same seed, same draws
    assert floored.uncertainty == pytest.approx(math.hypot(plain.details["spread"], 3.0))
    assert floored.details["per_side"] == {"left": 28.0, "right": 32.0}
    assert [p["value"] for p in floored.details["per_stride"]] == values
    assert [p["side"] for p in floored.details["per_stride"]] == ["left", "right"] * 2


def test_strides_are_weighted(score):
    result = score([20.0, 40.0, 40.0, 40.0], weights=[3.0, 1.0, 0.0, 0.0])
    assert result.value == pytest.approx(25.0)  # (3 * 20 + 40) / 4
    assert result.n == 2  # zero-weight strides do not count
    assert result.details["per_side"] == {"left": 20.0, "right": 40.0}


def test_the_bootstrap_is_seeded(score):
    values = [22.0, 31.0, 27.0, 38.0, 25.0, 33.0]
    a, b = score(values, seed=5), score(values, seed=5)
    c = score(values, seed=6)
    assert a.uncertainty == b.uncertainty and a.details["spread"] == b.details["spread"]
    assert c.value == a.value and c.uncertainty != a.uncertainty
    assert c.uncertainty == pytest.approx(a.uncertainty, rel=0.1)


def test_timing_checkpoints_give_the_frame_count(score):
    band = Band(TIMING, (40.0, 80.0), warn=10.0, fail=30.0, floor_frames=1.0)
    result = score([60.0] * 3, checkpoint(band), fps=50.0)
    assert result.unit == "ms" and result.value == pytest.approx(60.0)
    assert result.details["frames"] == pytest.approx(3.0) and result.details["fps"] == 50.0
    assert result.uncertainty == pytest.approx(20.0)  # one frame at 50 fps, no spread
    assert "frames" not in score([30.0] * 3).details  # degrees have no frame count


def test_score_range_spans_the_uncertainty():
    assert score_range(41.0, 1.0, BAND) == pytest.approx([80.0, 100.0])
    assert score_range(50.0, 1.0, BAND) == pytest.approx([20.0, 30.0])
    # the target lies inside value +- uncertainty: the best case is 100
    assert score_range(45.0, 10.0, BAND) == pytest.approx([0.0, 100.0])
    assert score_range(30.0, 0.0, BAND) == [100.0, 100.0]


def test_a_scored_result_keeps_its_score_range(score):
    result = score([41.0] * 4, checkpoint(replace(BAND, floor=1.0)))
    assert result.details["score_range"] == pytest.approx([80.0, 100.0])


# ---------------------------------------------------------------------------
# not_measured, with the reason
# ---------------------------------------------------------------------------


def assert_not_measured(result, reason: str) -> None:
    assert result.status == "not_measured" and not result.measured
    assert result.reason == reason
    assert result.value is None and result.score is None and result.uncertainty is None
    assert result.target == (20.0, 40.0)


def test_one_measured_stride_is_not_enough(score):
    result = score([30.0, np.nan, np.nan, np.nan])
    assert_not_measured(result, "needs at least 2 measured strides, got 1")
    assert result.unit == "deg"
    zero_weight = score([30.0, 30.0, 30.0], weights=[1.0, 0.0, 0.0])
    assert_not_measured(zero_weight, "needs at least 2 measured strides, got 1")
    two = score([30.0, 34.0, np.nan, np.nan])
    assert two.status == "pass" and two.n == 2 and two.value == pytest.approx(32.0)


def test_a_clip_with_too_few_strides(score):
    result = score([30.0], n_strides=1)
    assert_not_measured(result, "needs at least 2 strides, the clip has 1")


def test_a_clip_that_is_not_running(score):
    assert_not_measured(
        score([30.0] * 4, activity="walking"), "the clip shows walking, not running"
    )
    assert_not_measured(
        score([30.0] * 4, activity="pose_stance"), "the clip shows pose stance, not running"
    )
    # the caller's activity overrides the gait's label, both ways
    assert score([30.0] * 4, activity="walking", override="running").status == "pass"
    assert_not_measured(score([30.0] * 4, override="pony"), "the clip shows pony, not running")


def test_a_setting_the_checkpoint_does_not_apply_to(score):
    from dataclasses import replace

    overground_only = checkpoint(applies=("overground",))
    assert_not_measured(  # a coach's checkpoint: the setting, not the fall angle's reason
        score([30.0] * 4, overground_only, setting="treadmill"), "not scored for treadmill footage"
    )
    fall = replace(overground_only, id="fall_angle")
    assert_not_measured(
        score([30.0] * 4, fall, setting="treadmill"),
        "on a treadmill the belt carries the runner, so the fall does not show as lean",
    )
    assert_not_measured(
        score([30.0] * 4, fall, setting="tracking"),
        "a camera that follows the runner gives no fixed ground point to fall from",
    )
    assert_not_measured(
        score([30.0] * 4, overground_only, setting="unknown"),
        "not scored for unknown footage",
    )


def test_a_view_the_checkpoint_cannot_be_measured_from(score):
    assert_not_measured(
        score([30.0] * 4, view="front"), "needs a side view; this clip is a front view"
    )
    both = checkpoint(views=("side", "oblique"))
    assert_not_measured(
        score([30.0] * 4, both, view="rear"),
        "needs a side or oblique view; this clip is a rear view",
    )
    assert score([30.0] * 4, both, view="oblique").status == "pass"


def test_unreliable_poses_come_first(score):
    lost = CaptureWarning("pose_unreliable", "the pose model lost the legs")
    result = score([30.0] * 4, warnings=(lost,), activity="walking", view="front")
    assert_not_measured(result, "the pose model lost the legs")


def test_slow_motion_refuses_timings_only(score):
    slow = (CaptureWarning("possible_slow_motion", "slow?"),)
    timing = checkpoint(Band(TIMING, (20.0, 40.0), warn=5.0, fail=15.0))
    result = score([30.0] * 4, timing, warnings=slow)
    assert_not_measured(
        result,
        "the clip looks like slow motion, so its times are not real time; "
        "run again with --slowmo FACTOR",
    )
    assert score([30.0] * 4, warnings=slow).status == "pass"  # an angle is still an angle


# ---------------------------------------------------------------------------
# observed: measured and shown, never scored
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [30.0, 45.0, 90.0])
def test_an_observation_has_a_value_but_no_score(score, value):
    result = score([value] * 4, checkpoint(scored=False))
    assert result.status == "observed" and result.measured
    assert result.score is None
    assert result.value == pytest.approx(value) and result.uncertainty == 0.0 and result.n == 4
    assert result.reason.startswith("an observation, not scored")
    assert "score_range" not in result.details
    assert result.details["per_side"] == {"left": value, "right": value}


def test_an_observation_with_too_few_strides_is_not_measured(score):
    result = score([30.0, np.nan], checkpoint(scored=False))
    assert_not_measured(result, "needs at least 2 measured strides, got 1")


# ---------------------------------------------------------------------------
# Gait metrics, fallbacks, baselines
# ---------------------------------------------------------------------------

CADENCE = Band("cadence_spm", (170.0, 200.0), warn=5.0, fail=15.0, floor=0.75)


def test_a_gait_metric_uses_its_standard_error(score):
    metrics = {"cadence_spm": Metric(165.0, 4.0, 16, "spm")}
    result = score([], checkpoint(CADENCE), metrics=metrics)
    assert result.value == 165.0 and result.unit == "spm" and result.n == 16
    assert result.uncertainty == pytest.approx(1.25)  # hypot(4 / sqrt(16), 0.75)
    assert (result.status, result.score) == ("warn", pytest.approx(50.0))
    assert result.details["sd"] == 4.0


def test_a_gait_metric_from_one_value_has_only_the_floor(score):
    metrics = {"cadence_spm": Metric(150.0, None, 1, "spm")}
    result = score([], checkpoint(CADENCE), metrics=metrics)
    assert result.uncertainty == pytest.approx(0.75)
    assert (result.status, result.score) == ("fail", 0.0)


def test_a_missing_gait_metric_passes_on_its_reason(score):
    metrics = {"cadence_spm": missing("spm", "needs at least 1 complete stride, got 0")}
    result = score([], checkpoint(CADENCE), metrics=metrics)
    assert result.status == "not_measured" and result.value is None and result.score is None
    assert result.reason == "needs at least 1 complete stride, got 0"
    bare = score([], checkpoint(CADENCE), metrics={"cadence_spm": Metric(None, None, 0, "spm")})
    assert bare.reason == "not measured"


def test_an_unknown_metric_is_not_measured(score):
    result = score([], checkpoint(replace(BAND, metric="no_such_metric")))
    assert result.status == "not_measured"
    assert result.reason == "unknown metric 'no_such_metric'"


def test_the_fallback_band_is_used_when_the_main_metric_is_missing(score):
    main = Band("vertical_oscillation_cm", (5.0, 9.0), warn=2.0, fail=5.0)
    fallback = Band("vertical_oscillation_pct_leg", (5.0, 10.0), warn=2.0, fail=6.0)
    cp = checkpoint(main, fallback=fallback)
    pct = Metric(13.0, None, 10, "% leg")
    result = score([], cp, metrics={"vertical_oscillation_pct_leg": pct})
    assert result.metric == "vertical_oscillation_pct_leg" and result.target == (5.0, 10.0)
    assert (result.value, result.status, result.score) == (13.0, "fail", pytest.approx(37.5))
    both = {
        "vertical_oscillation_pct_leg": pct,
        "vertical_oscillation_cm": Metric(8.0, None, 10, "cm"),
    }
    main_result = score([], cp, metrics=both)
    assert main_result.metric == "vertical_oscillation_cm" and main_result.status == "pass"


def test_a_baseline_sets_the_target(score):
    cp = checkpoint(CADENCE, baseline_relative_pct=(-5.0, 5.0))
    metrics = {"cadence_spm": Metric(180.0, None, 10, "spm")}
    plain = score([], cp, metrics=metrics)
    assert plain.target == (170.0, 200.0) and plain.status == "pass"
    assert "baseline" not in plain.details
    relative = score([], cp, metrics=metrics, baseline={"cadence_spm": 160.0})
    assert relative.target == pytest.approx((152.0, 168.0))
    assert relative.details["baseline"] == 160.0 and relative.details["target_from"] == "baseline"
    assert relative.status == "fail"  # 12 above 168, beyond warn 5 by 7 > 0.75
    unusable = score([], cp, metrics=metrics, baseline={"cadence_spm": float("nan")})
    assert unusable.target == (170.0, 200.0)


def test_only_running_checkpoints_are_scored_in_rubric_order(monkeypatch):
    monkeypatch.setattr(evaluate, "compute_stride_measures", lambda _g: measures([30.0] * 4))
    drill_only = checkpoint(id="drill", applies=("pony",))
    second = checkpoint(id="second", band=replace(BAND, target=(0.0, 10.0)))
    rubric = Rubric("unit", (second, drill_only, checkpoint()))
    results = score_checkpoints(gait(), rubric)  # type: ignore[arg-type]
    assert [r.id for r in results] == ["second", "knee"]
    assert [r.status for r in results] == ["fail", "pass"]
