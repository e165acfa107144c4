"""``report.html``: one self-contained page from a Jinja2 template.

Images are embedded as data URIs, so the page needs nothing else but the
annotated video beside it (linked by a relative path). Every string that
comes from the user or the file system (file names, rubric texts) is
escaped by Jinja2's autoescaping.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from runform import __version__
from runform.checkpoints.assess import Analysis
from runform.checkpoints.feedback import describe_empty_focus
from runform.report.checkpoint_table import STATUS_TEXT, format_target, format_value

PLOT_CAPTIONS = {
    "drill_reps": "Score of each repetition",
    "checkpoint_profile": "Checkpoint scores with the range the uncertainty allows",
    "cycle_knee_flexion": "Knee flexion over the gait cycle, mean ± SD per side",
    "cycle_hip_flexion": "Hip flexion over the gait cycle, mean ± SD per side",
    "cycle_ankle_dorsiflexion": "Ankle dorsiflexion over the gait cycle, mean ± SD per side",
    "cycle_trunk_lean": "Trunk lean over the gait cycle, mean ± SD per side",
    "com_path": "Centre of mass height and vertical oscillation (lines: landings)",
    "events_timeline": "Ground contacts of each foot and the flights between them",
}


def build_environment() -> Environment:
    """Build the Jinja2 environment with the package's templates, autoescaping HTML."""
    return Environment(
        loader=PackageLoader("runform.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def embed_png(path: Path) -> str:
    """Encode a PNG file as a ``data:`` URI."""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _capture_line(analysis: Analysis) -> str:
    cap = analysis.gait.capture
    parts = [f"{cap.view.label} view", cap.direction.label, cap.setting.label, cap.activity.label]
    parts.append(f"{cap.fps:.0f} fps, {cap.duration_s:.1f} s")
    parts.append(f"{len(analysis.gait.strides)} strides")
    return ", ".join(parts)


def build_context(
    analysis: Analysis,
    source: str,
    video: str | None,
    keyframes: Path | None,
    plots: dict[str, Path],
    title: str | None = None,
) -> dict[str, Any]:
    """Everything the template shows, as plain values (no markup)."""
    data = analysis.to_dict()
    checkpoints = []
    for result in analysis.checkpoints:
        checkpoints.append(
            {
                "element": result.element,
                "name": result.name,
                "reason": result.reason,
                "value_text": format_value(result),
                "target_text": format_target(result),
                "score": None if result.score is None else round(result.score),
                "status": result.status,
                "status_text": {"fail": "work on"}.get(result.status, STATUS_TEXT[result.status]),
            }
        )
    return {
        "title": title or Path(source).name,
        "source": source,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
        "rubric_name": analysis.rubric_name,
        "capture_line": _capture_line(analysis),
        "mode_reason": analysis.mode.reason,
        "person_line": _person_line(analysis),
        "warnings": [w.message for w in analysis.gait.capture.warnings],
        "focus": data["focus"],
        "focus_empty": describe_empty_focus(analysis.checkpoints),
        "profile": data["profile"],
        "drill": data["drill"],
        "checkpoints": checkpoints,
        "keyframes": embed_png(keyframes) if keyframes is not None else None,
        "video": video,
        "plots": [
            {"src": embed_png(p), "caption": PLOT_CAPTIONS.get(k, k)} for k, p in plots.items()
        ],
    }


def render_report(context: dict[str, Any]) -> str:
    """Render ``report.html`` from a context made by :func:`build_context`."""
    return build_environment().get_template("report.html.j2").render(**context)


def _person_line(analysis: Analysis) -> str | None:
    """Who was analysed, when more than one person was in view (None otherwise)."""
    person = analysis.gait.person
    if person is None or len(person.tracks) < 2:
        return None
    sure = "" if person.method != "automatic" else f", confidence {person.confidence:.2f}"
    return (f"{len(person.tracks)} people in view; analysed person {person.id}: "
            f"{person.reason}{sure}.")  # fmt: skip
