"""One immutable :class:`Analysis` per clip: gait, checkpoints, focus, profile.

:func:`build_analysis` joins the gait stage and the checkpoint stage; it is
pure. :meth:`Analysis.to_dict` is the ``analysis.json`` contract, documented
in ``docs/analysis-schema.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from runform.checkpoints.drill_measures import guess_drill
from runform.checkpoints.drill_scoring import DrillResult, score_drill
from runform.checkpoints.evaluate import score_checkpoints
from runform.checkpoints.feedback import choose_focus, summarise_elements
from runform.checkpoints.results import CheckpointResult, FocusItem
from runform.checkpoints.rubric import Rubric
from runform.gait.result import GaitAnalysis
from runform.serialize import to_json_safe

#: Version of the ``analysis.json`` layout (bumped on any breaking change).
ANALYSIS_SCHEMA_VERSION = 1
#: Below this activity confidence the clip's kind is reported as uncertain.
CERTAIN_ACTIVITY = 0.5
#: Ground speed (hips' travel or a grounded foot's slide) below which a clip
#: is in place, leg lengths/s.
IN_PLACE_SPEED = 0.3


@dataclass(frozen=True)
class Mode:
    """What the clip was analysed as.

    Attributes
    ----------
    kind
        ``running``, ``walking``, ``in_place_drill``, ``none`` or ``unknown``.
    confidence
        0-1, from the activity classification.
    reason
        Plain-language explanation, always filled.
    """

    kind: str
    confidence: float
    reason: str
    likely_drill: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "kind": self.kind,
            "confidence": round(self.confidence, 3),
            "reason": self.reason,
            "likely_drill": self.likely_drill,
        }


def decide_mode(gait: GaitAnalysis) -> Mode:
    """Decide between running, an in-place drill and the rest, from the motion.

    The gait stage's activity label is used when its confidence is at least
    :data:`CERTAIN_ACTIVITY`; below that the kind is ``unknown`` and the
    reason says which label was most likely. A clip without travel is an
    in-place drill when at least two repetitions of a drill movement are
    found (:func:`~runform.checkpoints.drill_measures.guess_drill`), and
    ``likely_drill`` names the drill it looks like.
    """
    activity = gait.capture.activity
    label, confidence = activity.label, float(activity.confidence)
    ground_speed = float(activity.evidence.get("ground_speed", float("nan")))
    in_place = ground_speed < IN_PLACE_SPEED  # NaN (not measured) is not in place
    if in_place and (label in ("none", "in_place_drill") or confidence < CERTAIN_ACTIVITY):
        guess = guess_drill(gait)
        if guess.found:
            looks = f"; it looks like {guess.drill.replace('_', ' ')}" if guess.drill else ""
            return Mode(
                "in_place_drill",
                max(confidence, 0.5),
                f"an in-place drill ({guess.evidence}{looks}): running checkpoints are not "
                "scored; name the drill with --drill to count and score its repetitions",
                guess.drill,
            )
    if confidence < CERTAIN_ACTIVITY:
        return Mode(
            "unknown",
            confidence,
            f"cannot tell what the clip shows: {label.replace('_', ' ')} is the most likely "
            f"(confidence {confidence:.2f}); checkpoints are scored as {label.replace('_', ' ')}",
        )
    reasons = {
        "running": "running: strides with a flight phase",
        "walking": "walking: one foot is always on the ground and the hips rise over the "
        "standing leg (no flight, no bounce); running checkpoints are not scored",
        "in_place_drill": "an in-place drill: the feet cycle without travelling; running "
        "checkpoints are not scored (name the drill with --drill to score its repetitions)",
        "none": "no leg motion: nothing to score (name a drill with --drill to score one)",
    }
    return Mode(label, confidence, reasons.get(label, label))


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything runform says about one clip.

    Attributes
    ----------
    gait
        The gait analysis (events, strides, metrics, capture).
    mode
        What the clip was analysed as.
    checkpoints
        Scored checkpoints, in rubric order.
    focus
        The one or two things to work on next.
    profile
        ``{element: {"score", "measured", "not_measured", "weakest"}}``.
    rubric_name, rubric_source
        Which rubric scored it (``default`` or the coach's file).
    drill
        The scored drill when one was named, else ``None`` (then
        ``checkpoints`` are the running ones).
    """

    gait: GaitAnalysis
    mode: Mode
    checkpoints: tuple[CheckpointResult, ...]
    focus: tuple[FocusItem, ...]
    profile: Mapping[str, Mapping[str, Any]]
    rubric_name: str
    rubric_source: str
    drill: DrillResult | None = None

    def __post_init__(self) -> None:
        frozen = {k: MappingProxyType(dict(v)) for k, v in self.profile.items()}
        object.__setattr__(self, "profile", MappingProxyType(frozen))

    def checkpoint(self, checkpoint_id: str) -> CheckpointResult:
        """Return the result of one checkpoint by id (``KeyError`` if absent)."""
        for result in self.checkpoints:
            if result.id == checkpoint_id:
                return result
        raise KeyError(checkpoint_id)

    def to_dict(self) -> dict[str, Any]:
        """Return ``analysis.json``: the gait fields plus the checkpoint layer."""
        out = self.gait.to_dict()
        out["gait_schema_version"] = out.pop("schema_version")
        out.update(
            {
                "schema_version": ANALYSIS_SCHEMA_VERSION,
                "mode": self.mode.to_dict(),
                "rubric": {"name": self.rubric_name, "source": self.rubric_source},
                "profile": {k: dict(v) for k, v in self.profile.items()},
                "focus": [f.to_dict() for f in self.focus],
                "checkpoints": [c.to_dict() for c in self.checkpoints],
                "drill": None if self.drill is None else self.drill.to_dict(),
            }
        )
        return to_json_safe(out)


def decide_drill_mode(gait: GaitAnalysis, drill: str) -> Mode:
    """Describe the mode of a clip analysed as a named drill, noting a disagreeing motion."""
    activity = gait.capture.activity
    reason = f"scored as the {drill.replace('_', ' ')} drill (named with --drill)"
    if activity.label == "running" and activity.confidence >= CERTAIN_ACTIVITY:
        reason += "; note that the motion looks like running"
    return Mode("drill", 1.0, reason)


def build_analysis(
    gait: GaitAnalysis,
    rubric: Rubric,
    baseline: Mapping[str, float] | None = None,
    seed: int = 0,
    drill: str | None = None,
) -> Analysis:
    """Score a gait analysis against the rubric and choose the focus.

    Parameters
    ----------
    gait
        From :func:`runform.gait.analyze.analyze_gait`.
    rubric
        From :func:`runform.checkpoints.rubric.load_rubric`.
    baseline
        The runner's earlier values by metric name, for checkpoints scored
        against the runner's own baseline (cadence).
    seed
        Bootstrap seed.
    drill
        Score the clip as this drill (its repetitions and the rubric's
        checkpoints for it) instead of as running.
    """
    if drill is not None:
        scored = score_drill(gait, rubric, drill, seed=seed)
        results = scored.checkpoints
        mode = decide_drill_mode(gait, drill)
    else:
        scored = None
        mode = decide_mode(gait)
        activity = "in_place_drill" if mode.kind == "in_place_drill" else None
        results = score_checkpoints(gait, rubric, baseline=baseline, seed=seed, activity=activity)
    return Analysis(
        gait=gait,
        mode=mode,
        checkpoints=results,
        focus=choose_focus(results, rubric),
        profile=summarise_elements(results, rubric),
        rubric_name=rubric.name,
        rubric_source=rubric.source,
        drill=scored,
    )
