"""Compare two sessions: per-checkpoint and per-metric deltas with honest verdicts.

Works on the ``analysis.json`` form (:meth:`runform.checkpoints.assess.Analysis.to_dict`),
so an analysis folder from an earlier run compares as well as a fresh
analysis. Pure: two dicts in, one immutable :class:`Comparison` out.

What is not comparable is said, not guessed: a checkpoint measured in only
one session, a checkpoint scored on different metrics or units (e.g.
vertical oscillation in cm against % of leg length), and whole-session
mismatches (a drill against running, different drills, different views).
Differences that do not stop a comparison (frame rate, resolution,
direction of travel, treadmill against overground) are listed as notes;
checkpoints that depend on the setting (the fall angle) are then not
compared.

Each quantity is listed once, by its name for people (:func:`metric_name`,
from :data:`runform.report.gait_table.LABELS`): a gait metric that a
checkpoint already compares (cadence, vertical oscillation) is not listed
again, and of a metric kept in two units (vertical oscillation in cm and in
% of leg length) only one is listed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from runform.compare.verdict import (
    CHANGED,
    METRIC_DIRECTIONS,
    METRIC_FLOORS,
    NO_CLEAR_CHANGE,
    NOT_COMPARABLE,
    compute_mdc,
    judge_change,
    judge_checkpoint,
)
from runform.report.gait_table import LABELS
from runform.serialize import to_json_safe

#: Checkpoints whose meaning depends on the setting (not compared across settings).
SETTING_SENSITIVE = frozenset({"fall_angle"})
#: Verdicts in the order a report shows them.
VERDICT_ORDER = ("improved", "regressed", "changed", "no_clear_change", "not_comparable")


@dataclass(frozen=True)
class Change:
    """One compared quantity.

    Attributes
    ----------
    id, name, kind
        Checkpoint id or metric name; display name; ``checkpoint`` or ``metric``.
    element
        Pose Method element (checkpoints), else ``""``.
    unit
        Unit of the values.
    baseline, followup
        The two values (``None`` when missing).
    delta
        ``followup - baseline``.
    mdc
        Minimal detectable change.
    verdict
        ``improved``, ``regressed``, ``changed``, ``no_clear_change`` or
        ``not_comparable``.
    reason
        Why not comparable, or extra context; may be empty.
    drills
        Drills of the checkpoint (to keep working on it).
    """

    id: str
    name: str
    kind: str
    element: str
    unit: str
    baseline: float | None
    followup: float | None
    delta: float | None
    mdc: float | None
    verdict: str
    reason: str = ""
    drills: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return to_json_safe(
            {
                "id": self.id,
                "name": self.name,
                "kind": self.kind,
                "element": self.element,
                "unit": self.unit,
                "baseline": _round(self.baseline),
                "followup": _round(self.followup),
                "delta": _round(self.delta),
                "mdc": _round(self.mdc),
                "verdict": self.verdict,
                "reason": self.reason,
                "drills": list(self.drills),
            }
        )


def _round(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, 4)


@dataclass(frozen=True)
class Comparison:
    """Baseline against follow-up.

    Attributes
    ----------
    baseline_label, followup_label
        Names of the two sessions (file or folder names).
    changes
        Checkpoints then metrics, in the baselines' order.
    notes
        Differences between the sessions that limit the comparison.
    comparable
        ``False`` when the sessions cannot be compared at all (then every
        change is ``not_comparable`` and ``notes`` says why).
    """

    baseline_label: str
    followup_label: str
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()
    comparable: bool = True
    summary: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        counts = {v: sum(c.verdict == v for c in self.changes) for v in VERDICT_ORDER}
        object.__setattr__(self, "summary", MappingProxyType(counts))

    def by_verdict(self, verdict: str) -> tuple[Change, ...]:
        """Return the changes with one verdict."""
        return tuple(c for c in self.changes if c.verdict == verdict)

    def to_dict(self) -> dict[str, Any]:
        """Return ``comparison.json``."""
        return to_json_safe(
            {
                "schema_version": 1,
                "baseline": self.baseline_label,
                "followup": self.followup_label,
                "comparable": self.comparable,
                "notes": list(self.notes),
                "summary": dict(self.summary),
                "changes": [c.to_dict() for c in self.changes],
            }
        )


def _session_notes(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[list[str], str]:
    """Describe how the sessions differ, and a blocking reason ("" when comparable)."""
    notes: list[str] = []
    ca, cb = a.get("capture", {}), b.get("capture", {})
    drill_a, drill_b = (a.get("drill") or {}).get("name"), (b.get("drill") or {}).get("name")
    if drill_a != drill_b:
        what = {None: "running"}
        return notes, (
            f"the baseline is {what.get(drill_a, f'the {drill_a} drill')} and the follow-up is "
            f"{what.get(drill_b, f'the {drill_b} drill')}: nothing to compare"
        )
    if ca.get("view") != cb.get("view"):
        return notes, f"the views differ ({ca.get('view')} against {cb.get('view')})"
    for key, label in (("setting", "setting"), ("direction", "direction of travel")):
        if ca.get(key) != cb.get(key):
            notes.append(f"{label}: {ca.get(key)} against {cb.get(key)}")
    fa, fb = ca.get("fps"), cb.get("fps")
    if fa and fb and abs(fa - fb) > 0.5:
        notes.append(f"frame rate: {fa:.0f} against {fb:.0f} fps (timings resolve to one frame)")
    if ca.get("frame_size_px") != cb.get("frame_size_px"):
        notes.append(f"frame size: {ca.get('frame_size_px')} against {cb.get('frame_size_px')}")
    return notes, ""


def _compare_checkpoint(
    ra: Mapping[str, Any], rb: Mapping[str, Any] | None, setting_differs: bool
) -> Change:
    base = {
        "id": ra["id"], "name": ra["name"], "kind": "checkpoint", "element": ra.get("element", ""),
        "unit": ra.get("unit", ""), "drills": tuple(ra.get("drills", ())),
    }  # fmt: skip
    va = ra.get("value")
    vb = None if rb is None else rb.get("value")

    def missing(reason: str) -> Change:
        return Change(**base, baseline=va, followup=vb, delta=None, mdc=None,
                      verdict=NOT_COMPARABLE, reason=reason)  # fmt: skip

    if rb is None:
        return missing("not in the follow-up's rubric")
    if va is None or vb is None:
        which = "baseline" if va is None else "follow-up"
        why = (ra if va is None else rb).get("reason", "")
        return missing(f"not measured in the {which}" + (f": {why}" if why else ""))
    if ra.get("metric") != rb.get("metric") or ra.get("unit") != rb.get("unit"):
        return missing(f"measured as {ra.get('metric')} ({ra.get('unit')}) against "
                       f"{rb.get('metric')} ({rb.get('unit')})")  # fmt: skip
    if setting_differs and ra["id"] in SETTING_SENSITIVE:
        return missing("depends on the setting, which differs between the sessions")
    delta = float(vb) - float(va)
    mdc = compute_mdc(float(ra.get("uncertainty") or 0.0), float(rb.get("uncertainty") or 0.0))
    if "observed" in (ra.get("status"), rb.get("status")):
        moved = abs(delta) > mdc
        reason = (
            "an observation, not scored: it moved by more than the measurement resolves, "
            "but no target says whether that is better"
            if moved
            else "an observation, not scored: no change beyond what the measurement resolves"
        )
        return Change(**base, baseline=float(va), followup=float(vb), delta=delta, mdc=mdc,
                      verdict=CHANGED if moved else NO_CLEAR_CHANGE, reason=reason)  # fmt: skip
    verdict = judge_checkpoint(
        delta, mdc, float(ra.get("score") or 0.0), float(rb.get("score") or 0.0)
    )
    reason = ""
    if verdict == "no_clear_change" and abs(delta) > mdc:
        reason = "the value moved, but both sessions score the same"
    return Change(**base, baseline=float(va), followup=float(vb), delta=delta, mdc=mdc,
                  verdict=verdict, reason=reason)  # fmt: skip


def _metric_uncertainty(metric: Mapping[str, Any], name: str) -> float:
    sd, n = metric.get("sd"), metric.get("n") or 0
    sem = float(sd) / math.sqrt(n) if sd is not None and n > 1 else 0.0
    return math.hypot(sem, METRIC_FLOORS.get(name, 0.0))


def metric_name(key: str) -> str:
    """Name a gait metric for people: ``cadence_spm`` → ``Cadence``.

    The names are :data:`runform.report.gait_table.LABELS`; one name is one
    quantity, whatever its unit (``vertical_oscillation_cm`` and
    ``vertical_oscillation_pct_leg`` are both ``Vertical oscillation``). A
    metric without a name there reads as its key in words.
    """
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def _compare_metric(name: str, ma: Mapping[str, Any], mb: Mapping[str, Any] | None) -> Change:
    unit = ma.get("unit", "") or ("" if mb is None else mb.get("unit", ""))
    label = metric_name(name)
    va = ma.get("value")
    vb = None if mb is None else mb.get("value")
    if mb is None or va is None or vb is None:
        reason = "not measured in " + ("the baseline" if va is None else "the follow-up")
        return Change(name, label, "metric", "", unit, va, vb, None, None, NOT_COMPARABLE, reason)
    delta = float(vb) - float(va)
    mdc = compute_mdc(_metric_uncertainty(ma, name), _metric_uncertainty(mb, name))
    verdict = judge_change(delta, mdc, METRIC_DIRECTIONS.get(name, 0))
    return Change(name, label, "metric", "", unit, float(va), float(vb), delta, mdc, verdict)


def _checkpoint_quantities(
    baseline: Mapping[str, Any], followup: Mapping[str, Any]
) -> dict[str, set[str]]:
    """``{checkpoint id: names of the metrics it scores}`` in either session."""
    out: dict[str, set[str]] = {}
    for session in (baseline, followup):
        for c in session.get("checkpoints", []):
            if c.get("metric"):
                out.setdefault(c["id"], set()).add(metric_name(c["metric"]))
    return out


def _select_metrics(
    metric_changes: Sequence[Change],
    checkpoint_changes: Sequence[Change],
    quantities: Mapping[str, set[str]],
) -> list[Change]:
    """Keep one row per quantity: none when a checkpoint compares it, else the best metric row.

    A metric row is left out when a checkpoint row already compares the same
    quantity; when that checkpoint could not be compared, a metric row that
    could is kept (the same quantity measured both times another way), else
    the checkpoint row alone says why. Among metric rows of one quantity (two
    units) the first compared one is kept, else the first.
    """
    scored = {q for c in checkpoint_changes for q in quantities.get(c.id, ())}
    compared = {q for c in checkpoint_changes if c.delta is not None
                for q in quantities.get(c.id, ())}  # fmt: skip
    groups: dict[str, list[Change]] = {}
    for change in metric_changes:
        groups.setdefault(change.name, []).append(change)
    kept = []
    for name, group in groups.items():
        if name in compared:
            continue
        measured = [c for c in group if c.delta is not None]
        if measured:
            kept.append(measured[0])
        elif name not in scored:
            kept.append(group[0])
    return kept


def _block(change: Change, reason: str) -> Change:
    return Change(change.id, change.name, change.kind, change.element, change.unit,
                  change.baseline, change.followup, None, None, NOT_COMPARABLE, reason,
                  change.drills)  # fmt: skip


def compare_analyses(
    baseline: Mapping[str, Any],
    followup: Mapping[str, Any],
    baseline_label: str = "baseline",
    followup_label: str = "follow-up",
) -> Comparison:
    """Compare two ``analysis.json`` documents.

    Parameters
    ----------
    baseline, followup
        The two analyses (``Analysis.to_dict()`` or a loaded ``analysis.json``).
    baseline_label, followup_label
        Names shown for the sessions.

    Returns
    -------
    Comparison
        Every checkpoint of the baseline, then the gait metrics with a
        preferred direction or a floor (:data:`METRIC_DIRECTIONS`) that no
        checkpoint compares, one per quantity, each with its verdict.
    """
    notes, blocking = _session_notes(baseline, followup)
    setting_differs = baseline.get("capture", {}).get("setting") != followup.get("capture", {}).get(
        "setting"
    )
    follow_cps = {c["id"]: c for c in followup.get("checkpoints", [])}
    changes = [_compare_checkpoint(c, follow_cps.get(c["id"]), setting_differs)
               for c in baseline.get("checkpoints", [])]  # fmt: skip
    metrics_a, metrics_b = baseline.get("metrics", {}), followup.get("metrics", {})
    metric_changes = [
        _compare_metric(name, metrics_a.get(name, {"unit": ""}), metrics_b.get(name))
        for name in METRIC_DIRECTIONS
        if name in metrics_a or name in metrics_b
    ]
    quantities = _checkpoint_quantities(baseline, followup)
    changes += _select_metrics(metric_changes, changes, quantities)
    if blocking:
        changes = [_block(c, blocking) for c in changes]
        notes = [blocking, *notes]
    return Comparison(baseline_label, followup_label, tuple(changes), tuple(notes), not blocking)


def compare(baseline: Any, followup: Any) -> Comparison:
    """Compare two analyses (:class:`~runform.checkpoints.assess.Analysis` or its dict)."""
    a = baseline.to_dict() if hasattr(baseline, "to_dict") else baseline
    b = followup.to_dict() if hasattr(followup, "to_dict") else followup
    return compare_analyses(a, b)
