"""Terminal summary of the Pose Method checkpoints, the profile and the focus (rich)."""

from __future__ import annotations

import math

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from runform.checkpoints.assess import Analysis
from runform.checkpoints.drill_scoring import DrillResult
from runform.checkpoints.feedback import describe_empty_focus
from runform.checkpoints.results import CheckpointResult

STATUS_STYLE = {
    "pass": "green",
    "warn": "yellow",
    "fail": "red",
    "not_measured": "dim",
    "observed": "cyan",
}
STATUS_TEXT = {
    "pass": "pass",
    "warn": "warn",
    "fail": "work on",
    "not_measured": "—",
    "observed": "observed",
}


def _number(value: float, unit: str) -> str:
    magnitude = abs(value)
    digits = 0 if magnitude == 0 or magnitude >= 100 else 2 if magnitude < 1 else 1
    return f"{value:.{digits}f}"


def format_value(result: CheckpointResult) -> str:
    """``value ± uncertainty unit``, or the dash when not measured."""
    if result.value is None:
        return "—"
    text = _number(result.value, result.unit)
    if result.uncertainty is not None and math.isfinite(result.uncertainty):
        text += f" ± {_number(result.uncertainty, result.unit)}"
    return f"{text} {result.unit}".rstrip()


def format_target(result: CheckpointResult) -> str:
    """Write the pass band as text (open sides drawn as ≤ / ≥)."""
    low, high = result.target
    if not math.isfinite(low):
        return f"≤ {_number(high, result.unit)}"
    if not math.isfinite(high):
        return f"≥ {_number(low, result.unit)}"
    return f"{_number(low, result.unit)} to {_number(high, result.unit)}"


def build_checkpoint_table(analysis: Analysis) -> Table:
    """One row per checkpoint: element, value ± uncertainty, target, score, status.

    A status with a reason (not measured, or a fail softened by the
    uncertainty) carries a footnote number; :func:`list_checkpoint_notes`
    gives the notes.
    """
    table = Table(title="Pose Method checkpoints", title_justify="left")
    table.add_column("element")
    table.add_column("checkpoint")
    table.add_column("measured", justify="right", no_wrap=True)
    table.add_column("target", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("status", no_wrap=True)
    note = 0
    for result in analysis.checkpoints:
        status = STATUS_TEXT[result.status]
        if result.reason:
            note += 1
            status += f" [{note}]"
        score = "—" if result.score is None else f"{result.score:.0f}"
        table.add_row(
            result.element,
            result.name,
            format_value(result),
            format_target(result),
            score,
            Text(status, style=STATUS_STYLE[result.status]),
        )
    return table


def list_checkpoint_notes(analysis: Analysis) -> list[str]:
    """Footnotes of the checkpoint table: ``[k] name: reason``, in table order."""
    with_reason = [r for r in analysis.checkpoints if r.reason]
    return [f"[{k}] {r.name}: {r.reason}" for k, r in enumerate(with_reason, start=1)]


def build_profile_table(analysis: Analysis) -> Table:
    """Mean score per element: the profile, with no overall grade."""
    table = Table(title="Profile by element (0-100)", title_justify="left", box=None)
    for element in analysis.profile:
        table.add_column(element, justify="center")
    cells = []
    for entry in analysis.profile.values():
        score = entry["score"]
        cells.append("—" if score is None else f"{score:.0f}")
    table.add_row(*cells)
    return table


def build_focus_panel(analysis: Analysis) -> Panel:
    """Build the next steps: each focus message with the drills that train it."""
    parts: list[Text] = []
    if not analysis.focus:
        parts.append(Text(describe_empty_focus(analysis.checkpoints)))
    for i, item in enumerate(analysis.focus, start=1):
        parts.append(Text(f"{i}. {item.name}", style="bold"))
        parts.append(Text(item.message))
        for drill in item.drills:
            parts.append(Text(f"   drill: {drill['name']}: {drill['how']}", style="cyan"))
    return Panel(Group(*parts), title="What to work on next", title_align="left")


def build_drill_table(drill: DrillResult) -> Table:
    """One row per repetition: time, side, score."""
    title = f"Drill: {drill.name.replace('_', ' ')}, {len(drill.reps)} repetitions"
    table = Table(title=title, title_justify="left")
    for name in ("rep", "from (s)", "to (s)", "side", "score"):
        table.add_column(name, justify="right")
    for rep, score in zip(drill.reps, drill.rep_scores, strict=True):
        shown = "—" if score is None else f"{score:.0f}"
        table.add_row(str(rep.index + 1), f"{rep.start_s:.2f}", f"{rep.end_s:.2f}",
                      rep.side or "both", shown)  # fmt: skip
    if drill.reason:
        table.caption = drill.reason
    return table
