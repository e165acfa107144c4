"""Spreadsheet tables of an analysis: one row per stride, one row per gait event.

Pure functions of the ``analysis.json`` data (a mapping, as
:meth:`runform.pipeline.clip.ClipResult.to_dict` makes it and the file holds
it); they return CSV text (comma-separated, one header row, ``.`` decimals,
empty cells where a value is missing).

``strides.csv``: per stride, its side, start (the initial contact), toe-off
and end times (s), contact, stride, step and flight times (ms), duty
factor and detection confidence (from ``strides``); the joint and segment
angles at each instant of ``stride_angles`` (``initial_contact.knee_flexion
[deg]``, ...); then the per-stride value of every checkpoint scored stride
by stride (``checkpoint.fall_angle [deg]``, ...), matched on the stride's
side and start time.

``events.csv``: each initial contact and toe-off: side, type, frame (may be
fractional: sub-frame timing), time (s), confidence.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["STRIDE_FIELDS", "format_events_csv", "format_strides_csv"]

#: Columns taken from each entry of ``strides``, and their units.
STRIDE_FIELDS: tuple[tuple[str, str], ...] = (
    ("side", ""),
    ("start_s", "s"),
    ("toe_off_s", "s"),
    ("end_s", "s"),
    ("contact_ms", "ms"),
    ("flight_ms", "ms"),
    ("step_ms", "ms"),
    ("stride_ms", "ms"),
    ("duty_factor", "1"),
    ("confidence", "1"),
)
#: Stride starts this close (s) are the same stride (checkpoints round to 1 ms).
MATCH_TOLERANCE_S = 0.002
_EVENT_FIELDS = ("side", "type", "frame", "time_s", "confidence")


def _cell(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value).lower()
    if isinstance(value, float):
        return "" if not math.isfinite(value) else repr(value)
    return str(value)


def _write(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _label(name: str, unit: str) -> str:
    return f"{name} [{unit}]" if unit and unit != "1" else name


def _angle_columns(stride_angles: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """``(instant, angle)`` pairs in the order they first appear."""
    seen: dict[tuple[str, str], None] = {}
    for entry in stride_angles:
        for instant, values in (entry.get("values_deg") or {}).items():
            for angle in values:
                seen[(instant, angle)] = None
    return list(seen)


def _match(
    entries: Sequence[Mapping[str, Any]], side: str, start_s: float
) -> Mapping[str, Any] | None:
    """Find this stride's entry (same side, start within :data:`MATCH_TOLERANCE_S`)."""
    for entry in entries:
        start = entry.get("start_s", (entry.get("times_s") or {}).get("initial_contact"))
        same_side = entry.get("side") == side and isinstance(start, int | float)
        if same_side and abs(float(start) - start_s) <= MATCH_TOLERANCE_S:
            return entry
    return None


def format_strides_csv(analysis: Mapping[str, Any]) -> str:
    """Return ``strides.csv``: one row per stride of an analysis (see the module docstring).

    Parameters
    ----------
    analysis
        The contents of ``analysis.json``.

    Returns
    -------
    str
        CSV text; only the header row when the analysis has no strides (a
        drill, a clip without running).
    """
    strides = list(analysis.get("strides") or [])
    stride_angles = list(analysis.get("stride_angles") or [])
    angle_cols = _angle_columns(stride_angles)
    scored = [c for c in analysis.get("checkpoints") or []
              if (c.get("details") or {}).get("per_stride")]  # fmt: skip
    header = [_label(name, unit) for name, unit in STRIDE_FIELDS]
    header += [f"{instant}.{angle} [deg]" for instant, angle in angle_cols]
    header += [_label(f"checkpoint.{c['id']}", c.get("unit") or "") for c in scored]
    rows = []
    for stride in strides:
        side, start = stride.get("side"), float(stride.get("start_s", math.nan))
        row: list[Any] = [stride.get(name) for name, _ in STRIDE_FIELDS]
        angles = _match(stride_angles, str(side), start) or {}
        values = angles.get("values_deg") or {}
        row += [(values.get(instant) or {}).get(angle) for instant, angle in angle_cols]
        for checkpoint in scored:
            found = _match(checkpoint["details"]["per_stride"], str(side), start)
            row.append(None if found is None else found.get("value"))
        rows.append(row)
    return _write(header, rows)


def format_events_csv(analysis: Mapping[str, Any]) -> str:
    """Return ``events.csv``: the initial contacts and toe-offs of an analysis, in time order."""
    events = sorted(analysis.get("events") or [], key=lambda e: float(e.get("time_s", 0.0)))
    return _write(list(_EVENT_FIELDS), ([e.get(k) for k in _EVENT_FIELDS] for e in events))
