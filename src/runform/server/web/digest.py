"""What the pages show of an analysis, read once per session and kept small.

A full ``analysis.json`` is about 100 kB (strides, curves, per-stride
values). The pages' lists need a few hundred bytes of it per session: the
focus, the checkpoints' values with their uncertainties, the gait metrics
and the capture. :func:`summarise_analysis` keeps those (pure);
:func:`read_digest` keeps the result in ``sessions.digest`` the first time
a page needs it, so a roster of a hundred athletes is rendered from the
database alone. The digest holds what
:func:`runform.compare.comparison.compare_analyses` reads, so trends are
judged with the same minimal detectable change as ``runform compare``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select, update

from runform.checkpoints.feedback import describe_empty_focus
from runform.compare.comparison import compare_analyses
from runform.server.context import AppContext
from runform.server.database import open_session
from runform.server.models import Session

__all__ = [
    "DIGEST_VERSION",
    "SessionRef",
    "Trend",
    "is_running",
    "judge_trend",
    "list_moments",
    "read_digest",
    "read_digests",
    "summarise_analysis",
]

#: Bumped when the digest's content changes: older digests are rebuilt.
DIGEST_VERSION = 4
#: Checkpoint fields kept (``details`` with its per-stride values is not).
_CHECKPOINT_KEYS = (
    "id",
    "name",
    "element",
    "value",
    "unit",
    "uncertainty",
    "target",
    "score",
    "status",
    "reason",
    "cue",
    "drills",
    "n",
    "metric",
)
#: The moments of the representative stride, as the key frames name them.
MOMENT_TITLES = {
    "initial_contact": "Landing",
    "mid_stance": "Pose",
    "toe_off": "Toe-off",
    "max_knee_flexion_swing": "Pull",
}


def _representative_stride(doc: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Return the stride the key frames show (the same choice as ``keyframes.png``)."""
    from runform.gait.stride_kinematics import choose_representative_stride

    rows = [r for r in doc.get("stride_angles") or [] if isinstance(r, Mapping)]
    index = choose_representative_stride(
        [(float(r.get("weight") or 0), _finite(r.get("times_s")), r.get("values_deg") or {})
         for r in rows]
    )  # fmt: skip
    return None if index is None else rows[index]


def _finite(times: Any) -> dict[str, float]:
    """Instant times as floats (``null`` in the JSON for an instant not found: NaN)."""
    return {k: float(v) if isinstance(v, int | float) else math.nan
            for k, v in (times or {}).items()}  # fmt: skip


def summarise_analysis(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Return the digest of one ``analysis.json`` document.

    Parameters
    ----------
    doc
        A loaded ``analysis.json``.

    Returns
    -------
    dict
        ``capture`` (without its evidence), ``mode``, ``summary``,
        ``metrics``, ``profile``, ``focus``, ``checkpoints`` (without
        per-stride details), ``drill``, ``input_warnings``, ``slowmo``,
        ``events`` (side, type, time in s of real time) and ``moments`` (the
        representative stride's landing, Pose, toe-off and pull, s).
    """
    capture = {k: v for k, v in (doc.get("capture") or {}).items() if k != "evidence"}
    row = _representative_stride(doc)
    moments = {}
    if row is not None:
        moments = {
            k: float(t)
            for k, t in (row.get("times_s") or {}).items()
            if isinstance(t, int | float) and math.isfinite(t)
        }
    return {
        "version": DIGEST_VERSION,
        "capture": capture,
        "mode": doc.get("mode") or {},
        "summary": doc.get("summary") or {},
        "metrics": doc.get("metrics") or {},
        "profile": doc.get("profile") or {},
        "focus": doc.get("focus") or [],
        "focus_empty": describe_empty_focus(doc.get("checkpoints") or []),
        "checkpoints": [
            {k: c.get(k) for k in _CHECKPOINT_KEYS} for c in doc.get("checkpoints") or []
        ],
        "drill": doc.get("drill"),
        "input_warnings": doc.get("input_warnings") or [],
        "slowmo": float((doc.get("settings") or {}).get("slowmo") or 1.0),
        "events": [
            {"side": e.get("side"), "type": e.get("type"), "time_s": e.get("time_s")}
            for e in doc.get("events") or []
        ],
        "moments": moments,
    }


class SessionRef(Protocol):
    """What a digest is read from: a session row, or a brief of one (its id and folder)."""

    @property
    def id(self) -> int:
        """The session's id."""

    @property
    def result_path(self) -> str:
        """Its analysis folder, relative to the data folder."""


def _parse_digest(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        kept = json.loads(text)
    except ValueError:
        return None
    return kept if isinstance(kept, dict) and kept.get("version") == DIGEST_VERSION else None


def read_digests(context: AppContext, sessions: Iterable[SessionRef]) -> dict[int, Any]:
    """Return the digests of several sessions by id, making and keeping those missing.

    One query reads the kept digests; a session without one (or with an
    outdated one) has it made from its ``analysis.json`` and stored. The
    sessions may be detached with ``digest`` deferred. A session with no
    readable analysis maps to ``None``.
    """
    wanted = {s.id: s for s in sessions}
    if not wanted:
        return {}
    with open_session(context.sessions) as db:
        rows = db.execute(select(Session.id, Session.digest).where(Session.id.in_(list(wanted))))
        kept = {row.id: row.digest for row in rows}
    digests: dict[int, Any] = {i: _parse_digest(kept.get(i)) for i in wanted}
    made: dict[int, str] = {}
    for session_id, digest in list(digests.items()):
        if digest is not None:
            continue
        path = Path(context.settings.data_dir) / wanted[session_id].result_path / "analysis.json"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            digests[session_id] = summarise_analysis(doc) if isinstance(doc, dict) else None
        except (OSError, ValueError, TypeError, AttributeError, KeyError):
            continue  # an unreadable or malformed analysis is shown as none
        if digests[session_id] is None:
            continue
        made[session_id] = json.dumps(digests[session_id], allow_nan=False, default=str)
    if made:
        with open_session(context.sessions) as db:
            for session_id, text in made.items():
                db.execute(update(Session).where(Session.id == session_id).values(digest=text))
    return digests


def read_digest(context: AppContext, session: SessionRef) -> dict[str, Any] | None:
    """Return one session's digest (see :func:`read_digests`); ``None`` without an analysis."""
    digest: dict[str, Any] | None = read_digests(context, [session]).get(session.id)
    return digest


def is_running(digest: Mapping[str, Any] | None) -> bool:
    """Whether a digest is of running (trends and the focus follow running, not drills)."""
    if digest is None or digest.get("drill"):
        return False
    return (digest.get("mode") or {}).get("kind") != "in_place_drill"


@dataclass(frozen=True)
class Trend:
    """How an athlete's latest session compares with their baseline.

    Attributes
    ----------
    verdict
        ``improved`` (some checkpoints improved beyond the minimal
        detectable change, none regressed), ``regressed``, ``mixed``,
        ``no_clear_change``, ``not_comparable``, ``baseline_only`` (one
        analysed running session) or ``no_analysis``.
    improved, regressed
        Names of the checkpoints that changed beyond the MDC.
    note
        Why not comparable, when so.
    """

    verdict: str
    improved: tuple[str, ...] = ()
    regressed: tuple[str, ...] = ()
    note: str = ""


def judge_trend(baseline: Mapping[str, Any] | None, latest: Mapping[str, Any] | None) -> Trend:
    """Judge the latest session against the baseline (checkpoints only), as ``compare`` does."""
    if baseline is None or latest is None or baseline is latest:
        return Trend("baseline_only")
    comparison = compare_analyses(baseline, latest)
    if not comparison.comparable:
        return Trend("not_comparable", note=comparison.notes[0] if comparison.notes else "")
    checkpoints = [c for c in comparison.changes if c.kind == "checkpoint"]
    improved = tuple(c.name for c in checkpoints if c.verdict == "improved")
    regressed = tuple(c.name for c in checkpoints if c.verdict == "regressed")
    verdict = (
        "mixed"
        if improved and regressed
        else "improved"
        if improved
        else "regressed"
        if regressed
        else "no_clear_change"
    )
    return Trend(verdict, improved, regressed)


def list_moments(digest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the markers of the video's timeline, in video time (s, as played).

    Every landing and toe-off (``kind`` ``landing``/``toe_off``, with its
    side), then the representative stride's four moments (``kind``
    ``moment``, titled as on the key frames). Analysis times are real time;
    slow-motion footage plays ``slowmo`` times longer.
    """
    slowmo = float(digest.get("slowmo") or 1.0)
    markers: list[dict[str, Any]] = []
    for event in digest.get("events") or []:
        time_s = event.get("time_s")
        if event.get("type") not in ("initial_contact", "toe_off") or time_s is None:
            continue
        kind = "landing" if event["type"] == "initial_contact" else "toe_off"
        markers.append(
            {"kind": kind, "side": event.get("side") or "", "time_s": round(time_s * slowmo, 3)}
        )
    moments: Sequence[tuple[str, float]] = sorted(
        (digest.get("moments") or {}).items(), key=lambda item: item[1]
    )
    for key, time_s in moments:
        markers.append(
            {
                "kind": "moment",
                "side": "",
                "title": MOMENT_TITLES.get(key, key),
                "time_s": round(time_s * slowmo, 3),
            }
        )
    return markers
