"""Score a drill: every repetition, and each drill checkpoint over the repetitions.

Pure: a gait analysis of the clip, the drill's name and the rubric in; a
:class:`DrillResult` out. The drill's checkpoints are the rubric checkpoints
whose ``applies`` names the drill. Each checkpoint's value is the mean over
the repetitions with a bootstrap uncertainty (as strides are for running),
and each repetition gets a 0-100 score: the mean of its checkpoint scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from runform.checkpoints.drill_measures import DRILL_MEASURE_UNITS, DrillRep, find_drill_reps
from runform.checkpoints.evaluate import score_range
from runform.checkpoints.results import CheckpointResult
from runform.checkpoints.rubric import Checkpoint, Rubric
from runform.checkpoints.scoring import (
    NOT_MEASURED,
    bootstrap_mean,
    classify_status,
    combine_uncertainty,
    compute_floor,
    compute_score,
)
from runform.gait.result import GaitAnalysis
from runform.serialize import to_json_safe

#: Fewest repetitions behind a drill checkpoint.
MIN_REPS = 2
N_BOOTSTRAP = 2000


@dataclass(frozen=True)
class DrillResult:
    """A scored drill.

    Attributes
    ----------
    name
        The drill.
    reps
        Repetitions found, with their measures.
    rep_scores
        0-100 per repetition (``None`` when none of its measures was scored).
    checkpoints
        The drill's checkpoints, scored over the repetitions.
    reason
        Why nothing was scored (no repetitions found, not a side view), else "".
    """

    name: str
    reps: tuple[DrillRep, ...]
    rep_scores: tuple[float | None, ...]
    checkpoints: tuple[CheckpointResult, ...]
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (``drill`` in ``analysis.json``)."""
        return to_json_safe(
            {
                "name": self.name,
                "reps": len(self.reps),
                "rep_scores": [None if s is None else round(s, 1) for s in self.rep_scores],
                "per_rep": [
                    {
                        "index": rep.index,
                        "start_s": round(rep.start_s, 3),
                        "end_s": round(rep.end_s, 3),
                        "side": rep.side,
                        "score": None if score is None else round(score, 1),
                        "values": {k: round(v, 3) for k, v in rep.values.items()},
                    }
                    for rep, score in zip(self.reps, self.rep_scores, strict=True)
                ],
                "reason": self.reason,
            }
        )


def select_drill_checkpoints(rubric: Rubric, drill: str) -> tuple[Checkpoint, ...]:
    """Select the rubric checkpoints that apply to ``drill``, in rubric order."""
    return tuple(c for c in rubric.checkpoints if drill in c.applies)


def _values(reps: list[DrillRep], metric: str) -> np.ndarray:
    return np.array([rep.values.get(metric, np.nan) for rep in reps], dtype=float)


def _missing(checkpoint: Checkpoint, reason: str) -> CheckpointResult:
    band = checkpoint.band
    return CheckpointResult(
        id=checkpoint.id, name=checkpoint.name, element=checkpoint.element, value=None,
        unit=DRILL_MEASURE_UNITS.get(band.metric, ""), uncertainty=None, target=band.target,
        score=None, status=NOT_MEASURED, reason=reason, cue=checkpoint.cue,
        drills=checkpoint.drills, metric=band.metric,
    )  # fmt: skip


def score_drill_checkpoint(
    checkpoint: Checkpoint, reps: list[DrillRep], fps: float, rng: np.random.Generator
) -> CheckpointResult:
    """One drill checkpoint over the repetitions."""
    band = checkpoint.band
    values = _values(reps, band.metric)
    mean, spread, n = bootstrap_mean(values, np.ones(values.size), N_BOOTSTRAP, rng)
    if n < MIN_REPS:
        return _missing(checkpoint, f"needs at least {MIN_REPS} measured repetitions, got {n}")
    uncertainty = combine_uncertainty(spread, compute_floor(band, fps))
    status, reason = classify_status(mean, band, uncertainty)
    details: dict[str, Any] = {
        "per_rep": [None if not np.isfinite(v) else float(v) for v in values]
    }
    if band.metric.endswith("_ms"):
        details |= {"frames": mean * fps / 1000.0, "fps": fps}
    details["score_range"] = score_range(mean, uncertainty, band)
    return CheckpointResult(
        id=checkpoint.id, name=checkpoint.name, element=checkpoint.element, value=mean,
        unit=DRILL_MEASURE_UNITS.get(band.metric, ""), uncertainty=uncertainty,
        target=band.target, score=compute_score(mean, band), status=status, reason=reason,
        cue=checkpoint.cue, drills=checkpoint.drills, n=n, metric=band.metric, details=details,
    )  # fmt: skip


def score_rep(rep: DrillRep, checkpoints: tuple[Checkpoint, ...]) -> float | None:
    """Mean score of one repetition over the drill's checkpoints it has values for."""
    scores = [
        compute_score(float(rep.values[c.band.metric]), c.band)
        for c in checkpoints
        if np.isfinite(rep.values.get(c.band.metric, np.nan))
    ]
    return float(np.mean(scores)) if scores else None


def score_drill(gait: GaitAnalysis, rubric: Rubric, drill: str, seed: int = 0) -> DrillResult:
    """Find the repetitions of ``drill`` and score them.

    Parameters
    ----------
    gait
        Gait analysis of the clip.
    rubric
        The rubric; its checkpoints whose ``applies`` names the drill are used.
    drill
        The drill's name.
    seed
        Bootstrap seed.

    Raises
    ------
    ValueError
        For a drill the rubric has no checkpoints for, or that cannot be detected.
    """
    checkpoints = select_drill_checkpoints(rubric, drill)
    if not checkpoints:
        names = sorted(
            {a for c in rubric.checkpoints for a in c.applies}
            - {"overground", "treadmill", "tracking"}
        )
        raise ValueError(f"the rubric has no checkpoints for the drill {drill!r}; drills: {names}")
    view = gait.capture.view.label
    if view != "side":
        reason = f"drills are scored from a side view; this clip is a {view} view"
        return DrillResult(drill, (), (), tuple(_missing(c, reason) for c in checkpoints), reason)
    reps = find_drill_reps(gait, drill)
    if not reps:
        reason = f"no {drill.replace('_', ' ')} repetition found in the clip"
        return DrillResult(drill, (), (), tuple(_missing(c, reason) for c in checkpoints), reason)
    rng = np.random.default_rng(seed)
    fps = gait.capture.fps
    results = tuple(score_drill_checkpoint(c, reps, fps, rng) for c in checkpoints)
    scores = tuple(score_rep(rep, checkpoints) for rep in reps)
    return DrillResult(drill, tuple(reps), scores, results)
