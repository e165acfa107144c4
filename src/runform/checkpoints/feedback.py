"""Feedback for deliberate practice: the weakest checkpoints and their drills.

Pure functions from scored checkpoints to a short ``focus`` list and a
profile across the Pose Method's elements. There is deliberately no single
overall grade.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from runform.checkpoints.results import CheckpointResult, FocusItem
from runform.checkpoints.rubric import ELEMENTS, Band, Checkpoint, Rubric
from runform.checkpoints.scoring import FAIL, PASS, WARN

_SEVERITY = {FAIL: 2, WARN: 1, PASS: 0}
#: A passing checkpoint within this many warning margins of its target's edge
#: is offered as a refinement when nothing fails or warns.
REFINE_HEADROOM = 1.0


def rank_weakest(results: tuple[CheckpointResult, ...], rubric: Rubric) -> list[CheckpointResult]:
    """Measured checkpoints from weakest to strongest.

    Failing before warning before passing; within a status by the
    rubric-weighted shortfall ``weight * (100 - score)``.
    """
    measured = [r for r in results if r.measured and r.score is not None]

    def key(result: CheckpointResult) -> tuple[int, float]:
        weight = rubric.get(result.id).weight
        return (-_SEVERITY[result.status], -weight * (100.0 - float(result.score or 0.0)))

    return sorted(measured, key=key)


def _band_for(checkpoint: Checkpoint, metric: str) -> Band:
    if checkpoint.fallback is not None and checkpoint.fallback.metric == metric:
        return checkpoint.fallback
    return checkpoint.band


def format_message(result: CheckpointResult, checkpoint: Checkpoint) -> str:
    """Write the focus message: the rubric's template filled with the measured values.

    Framed as the next step: it quotes the value and what good looks like,
    then the cue. A softened status (margin within the uncertainty) says so.
    """
    band = _band_for(checkpoint, result.metric)
    value = float(result.value) if result.value is not None else math.nan
    fields = {
        "value": value,
        "target_low": result.target[0],
        "target_high": result.target[1],
        "uncertainty": result.uncertainty if result.uncertainty is not None else math.nan,
        "frames": float(result.details.get("frames", math.nan)),
    }
    template = band.message or "{value:.3g} against a target of {target_low:.3g}-{target_high:.3g}."
    text = template.format(**fields)
    if "baseline" in result.details:
        text += f" (Target set from your baseline of {result.details['baseline']:.0f}.)"
    if result.status == WARN and result.reason:
        text += " The gap is within what the video can resolve, so treat it as a watch point."
    if result.status == PASS:
        return f"{text} Already in range; to refine it: {checkpoint.cue}"
    return f"{text} Next step: {checkpoint.cue}"


def _drills(checkpoint: Checkpoint, rubric: Rubric) -> tuple[dict[str, str], ...]:
    out = []
    for name in checkpoint.drills:
        drill = rubric.drills.get(name)
        if drill is not None:
            out.append({"id": drill.id, "name": drill.name, "how": drill.how})
    return tuple(out)


def measure_headroom(result: CheckpointResult, checkpoint: Checkpoint) -> float:
    """Measure how far inside its target a value lies, in warning margins (0 at the edge).

    ``inf`` for a one-sided target's open side or an unmeasured value.
    """
    band = _band_for(checkpoint, result.metric)
    if result.value is None or not math.isfinite(float(result.value)) or band.warn <= 0:
        return math.inf
    value = float(result.value)
    low, high = result.target
    return min(value - low, high - value) / band.warn


def choose_refinement(ranked: list[CheckpointResult], rubric: Rubric) -> list[CheckpointResult]:
    """Choose the passing checkpoint to refine when nothing fails or warns (at most one).

    The lowest score first, then the value closest to its target's edge; it
    is offered when its score is below 100 or it lies within
    :data:`REFINE_HEADROOM` warning margins of the edge. A profile well
    inside every target gives none.
    """
    passing = [r for r in ranked if r.status == PASS]
    if not passing:
        return []
    headroom = {r.id: measure_headroom(r, rubric.get(r.id)) for r in passing}
    best = min(passing, key=lambda r: (float(r.score or 0.0), headroom[r.id]))
    if float(best.score or 0.0) < 100.0 or headroom[best.id] < REFINE_HEADROOM:
        return [best]
    return []


def choose_focus(
    results: tuple[CheckpointResult, ...], rubric: Rubric, max_items: int = 2
) -> tuple[FocusItem, ...]:
    """Choose the one or two checkpoints to work on next, with their drills.

    Failing and warning checkpoints come first (see :func:`rank_weakest`).
    When everything passes, the passing checkpoint closest to its target's
    edge is offered as a refinement (:func:`choose_refinement`); a profile
    well inside every target gives no focus.
    """
    ranked = rank_weakest(results, rubric)
    chosen = [r for r in ranked if r.status in (FAIL, WARN)][:max_items]
    if not chosen:
        chosen = choose_refinement(ranked, rubric)
    items = []
    for result in chosen:
        checkpoint = rubric.get(result.id)
        items.append(
            FocusItem(
                checkpoint=result.id,
                name=result.name,
                element=result.element,
                status=result.status,
                score=result.score,
                message=format_message(result, checkpoint),
                cue=checkpoint.cue,
                drills=_drills(checkpoint, rubric),
            )
        )
    return tuple(items)


def summarise_elements(
    results: tuple[CheckpointResult, ...], rubric: Rubric
) -> dict[str, dict[str, Any]]:
    """Profile across the elements: weighted mean score and counts per element.

    Returns
    -------
    dict
        ``{element: {"score", "measured", "not_measured", "weakest"}}`` for
        every element in :data:`~runform.checkpoints.rubric.ELEMENTS`;
        ``score`` is ``None`` when nothing in it was measured.
    """
    profile: dict[str, dict[str, Any]] = {}
    for element in ELEMENTS:
        mine = [r for r in results if r.element == element]
        measured = [r for r in mine if r.measured and r.score is not None]
        weights = [rubric.get(r.id).weight for r in measured]
        score = None
        if measured and sum(weights) > 0:
            score = sum(w * float(r.score or 0.0) for w, r in zip(weights, measured, strict=True))
            score /= sum(weights)
        weakest = min(measured, key=lambda r: float(r.score or 0.0)).id if measured else None
        profile[element] = {
            "score": None if score is None else round(score, 1),
            "measured": len(measured),
            "not_measured": sum(r.status == "not_measured" for r in mine),
            "weakest": weakest,
        }
    return profile


def describe_empty_focus(results: Sequence[CheckpointResult | Mapping[str, Any]]) -> str:
    """Say why there is nothing to work on: all in range, or nothing could be scored.

    A report must not say "every checkpoint is in range" when none was
    scored (too few strides, an oblique view, nobody detected): the coach
    would read that as a clean bill of health.

    Parameters
    ----------
    results
        The clip's checkpoint results, as :class:`CheckpointResult` or as
        their JSON form (``status``, ``score``, ``reason``; the pages'
        digests).

    Returns
    -------
    str
        One sentence for the report, the terminal and the pages.
    """
    rows = [r.to_dict() if isinstance(r, CheckpointResult) else r for r in results]
    scored = [r for r in rows if r.get("status") != "not_measured" and r.get("score") is not None]
    if scored:
        return f"Nothing to single out: all {len(scored)} scored checkpoints are in range."
    reasons = sorted(
        {str(r["reason"]) for r in rows if r.get("status") == "not_measured" and r.get("reason")}
    )
    why = f" ({reasons[0]})" if len(reasons) == 1 else ""
    return f"Nothing could be scored on this clip{why}, so there is nothing to single out yet."
