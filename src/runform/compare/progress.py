"""Progress over many sessions of one athlete: trends with uncertainty, and a short summary.

Pure: dated ``analysis.json`` documents in, an immutable :class:`Progress`
out. The first and the last session are compared with the same honest
verdicts as ``runform compare`` (a change beyond the minimal detectable
change), so the summary never calls noise progress.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runform.compare.comparison import Comparison, compare_analyses, metric_name
from runform.serialize import to_json_safe

NO_PROGRESS_YET = (
    "No checkpoint changed by more than the video can resolve yet; "
    "steady practice shows over weeks."
)
#: Said when some checkpoints changed, but none for the better.
NOT_IMPROVED_YET = "No checkpoint has clearly improved yet; steady practice shows over weeks."
_DATE_IN_NAME = re.compile(r"(20\d\d)[-_.]?([01]\d)[-_.]?([0-3]\d)")


def find_date_in_name(name: str) -> dt.date | None:
    """Find a date written in a file name (``2026-03-14``, ``20260314``), else ``None``."""
    for match in _DATE_IN_NAME.finditer(name):
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    return None


def parse_creation_time(value: str | None) -> dt.date | None:
    """Read the date of a container's ``creation_time`` tag (ISO 8601), else ``None``."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


@dataclass(frozen=True)
class Session:
    """One dated session: its label, date (and where the date came from) and analysis."""

    label: str
    date: dt.date | None
    date_source: str
    analysis: Mapping[str, Any]


@dataclass(frozen=True)
class Trend:
    """One checkpoint (or cadence) across the sessions, in date order."""

    id: str
    name: str
    unit: str
    values: tuple[float | None, ...]
    uncertainties: tuple[float | None, ...]
    target: tuple[float | None, float | None]


@dataclass(frozen=True)
class Progress:
    """Trends over the sessions and the first-to-last comparison.

    Attributes
    ----------
    sessions
        In date order (undated ones last, in the order given).
    trends
        One per checkpoint measured in at least one session, plus the
        cadence when no checkpoint shows it.
    overall
        The first session compared with the last.
    summary
        A few plain sentences: what improved, what held, what to work on.
    """

    sessions: tuple[Session, ...]
    trends: tuple[Trend, ...]
    overall: Comparison
    summary: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return ``progress.json``."""
        return to_json_safe(
            {
                "schema_version": 1,
                "sessions": [
                    {
                        "label": s.label,
                        "date": None if s.date is None else s.date.isoformat(),
                        "date_source": s.date_source,
                    }
                    for s in self.sessions
                ],
                "summary": list(self.summary),
                "trends": [
                    {
                        "id": t.id,
                        "name": t.name,
                        "unit": t.unit,
                        "values": list(t.values),
                        "uncertainties": list(t.uncertainties),
                        "target": list(t.target),
                    }
                    for t in self.trends
                ],
                "first_to_last": self.overall.to_dict(),
            }
        )


def _order(sessions: Sequence[Session]) -> list[Session]:
    dated = sorted((s for s in sessions if s.date is not None), key=lambda s: s.date or dt.date.min)
    return dated + [s for s in sessions if s.date is None]


def _trends(sessions: Sequence[Session]) -> list[Trend]:
    ids: dict[str, Mapping[str, Any]] = {}
    for session in sessions:
        for c in session.analysis.get("checkpoints", []):
            if c.get("value") is not None:
                ids.setdefault(c["id"], c)
    trends = []
    for cid, first in ids.items():
        values, uncs = [], []
        for session in sessions:
            found = next(
                (c for c in session.analysis.get("checkpoints", []) if c["id"] == cid), None
            )
            values.append(None if found is None else found.get("value"))
            uncs.append(None if found is None else found.get("uncertainty"))
        target = tuple(first.get("target") or (None, None))
        trends.append(Trend(cid, first["name"], first.get("unit", ""), tuple(values), tuple(uncs),
                            (target[0], target[1])))  # fmt: skip
    return trends


def _names(changes: Sequence[Any]) -> str:
    names = [c.name for c in changes]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def summarise_progress(sessions: Sequence[Session], overall: Comparison) -> tuple[str, ...]:
    """Plain sentences: progress, not perfection."""
    first, last = sessions[0], sessions[-1]
    span = f"from {first.label} to {last.label}"
    if first.date and last.date:
        span += f" ({(last.date - first.date).days} days)"
    lines = [f"{len(sessions)} sessions, {span}."]
    improved = [c for c in overall.by_verdict("improved") if c.kind == "checkpoint"]
    regressed = [c for c in overall.by_verdict("regressed") if c.kind == "checkpoint"]
    steady = [c for c in overall.by_verdict("no_clear_change") if c.kind == "checkpoint"]
    if improved:
        lines.append(f"Clear progress on {_names(improved)}.")
    else:  # never "nothing changed" next to a list of what went the other way
        lines.append(NOT_IMPROVED_YET if regressed else NO_PROGRESS_YET)
    if regressed:
        lines.append(f"Went the other way: {_names(regressed)}; worth a look with the coach.")
    if steady:
        lines.append(f"Held steady: {len(steady)} checkpoints within what the video can resolve.")
    focus = last.analysis.get("focus", [])
    if focus:
        drills = {d["name"] for item in focus for d in item.get("drills", [])}
        lines.append(f"Next: {_names([_Named(f['name']) for f in focus])}"
                     + (f", with {', '.join(sorted(drills))}." if drills else "."))  # fmt: skip
    return tuple(lines)


@dataclass(frozen=True)
class _Named:
    name: str


def build_progress(sessions: Sequence[Session]) -> Progress:
    """Trends and the first-to-last verdicts of three or more sessions.

    Raises
    ------
    ValueError
        With fewer than two sessions.
    """
    if len(sessions) < 2:
        raise ValueError(f"progress needs at least 2 sessions, got {len(sessions)}")
    ordered = _order(sessions)
    overall = compare_analyses(
        ordered[0].analysis, ordered[-1].analysis, ordered[0].label, ordered[-1].label
    )
    trends = _trends(ordered)
    cadence = [s.analysis.get("metrics", {}).get("cadence_spm", {}) for s in ordered]
    # the cadence metric's trend, unless a checkpoint's trend already shows cadence
    shown = {metric_name(c["metric"]) for s in ordered
             for c in s.analysis.get("checkpoints", [])
             if c.get("metric") and c["id"] in {t.id for t in trends}}  # fmt: skip
    if metric_name("cadence_spm") not in shown and any(m.get("value") is not None for m in cadence):
        uncs = [
            None if m.get("sd") is None or not m.get("n") else m["sd"] / math.sqrt(m["n"])
            for m in cadence
        ]
        values = tuple(m.get("value") for m in cadence)
        name = metric_name("cadence_spm")
        trends.insert(0, Trend("cadence_spm", name, "spm", values, tuple(uncs), (None, None)))
    return Progress(tuple(ordered), tuple(trends), overall, summarise_progress(ordered, overall))
