"""Write comparisons and progress reports: the library behind ``compare``, ``progress`` and batch.

Each input is an analysis folder (or its ``analysis.json``), read as it is,
or a video, analysed with :func:`runform.pipeline.analyze_clip` into a
sub-folder of the output. The output folder may not be one of the inputs:
it is refused before anything is touched (see
:func:`runform.pipeline.outputs.open_output`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runform.compare.comparison import Comparison, compare_analyses
from runform.compare.inputs import find_analysis_json, load_analysis_json
from runform.compare.progress import (
    Progress,
    Session,
    build_progress,
    find_date_in_name,
    parse_creation_time,
)
from runform.errors import InputFileError
from runform.pipeline.options import AnalysisOptions
from runform.pipeline.outputs import open_output

__all__ = [
    "analyse_session",
    "date_session",
    "describe_number",
    "display_unit",
    "write_comparison",
    "write_progress",
]


def describe_number(value: float | None) -> str:
    """Format a value for people: 2 decimals below 1, 1 below 100, else none; ``—`` if absent."""
    import math

    if value is None or not math.isfinite(value):
        return "—"
    magnitude = abs(value)
    return (
        f"{value:.2f}" if magnitude < 1 else f"{value:.1f}" if magnitude < 100 else f"{value:.0f}"
    )


def analyse_session(
    path: Path, folder: Path, options: AnalysisOptions, video: bool = True
) -> tuple[dict[str, Any], Path]:
    """Load the analysis of one input, or analyse a video into ``folder``.

    Returns
    -------
    tuple
        ``(analysis.json data, the folder holding it)``.

    Raises
    ------
    InputFileError
        If ``path`` is neither a video nor an analysis folder.
    """
    from runform.pipeline.artifacts import OutputOptions, write_artifacts_into
    from runform.pipeline.clip import analyze_clip

    found = find_analysis_json(path)
    if found is not None:
        return load_analysis_json(found), found.parent
    if not path.is_file():
        raise InputFileError(f"no such video or analysis folder: {path}")
    result = analyze_clip(path, options)
    folder.mkdir(parents=True, exist_ok=True)
    write_artifacts_into(result, folder, OutputOptions(video=video, face_right=True))
    return load_analysis_json(folder / "analysis.json"), folder


def display_unit(unit: str) -> str:
    """Write a unit as people read it (``deg`` → ``°``, the ``1`` of a ratio → nothing)."""
    from runform.report.gait_table import UNITS

    return UNITS.get(unit, unit)


def _row(change: Any) -> dict[str, str]:
    return {
        "name": change.name,
        "unit": display_unit(change.unit),
        "reason": change.reason,
        "verdict": change.verdict,
        "baseline_text": describe_number(change.baseline),
        "followup_text": describe_number(change.followup),
        "delta_text": describe_number(change.delta),
        "mdc_text": describe_number(change.mdc),
    }


def describe_change(change: Any) -> str:
    """``from 0.39 to 0.21 leg (change -0.18, detectable 0.06)``."""
    unit = display_unit(change.unit)
    return (f"from {describe_number(change.baseline)} to {describe_number(change.followup)}"
            f"{' ' + unit if unit else ''} (change {describe_number(change.delta)}, "
            f"detectable {describe_number(change.mdc)})")  # fmt: skip


def _write_comparison_files(
    comparison: Comparison,
    sessions: dict[str, dict[str, Any]],
    folders: tuple[Path, Path],
    stage: Path,
) -> None:
    """``comparison.json``, overlay plots, the stacked key frames and ``comparison.html``."""
    import numpy as np
    from PIL import Image as PILImage

    from runform import __version__
    from runform.io.results import save_json, save_text
    from runform.report.figures import save_figure, save_image, stack_with_baseline
    from runform.report.html import build_environment, embed_png
    from runform.viz.compare_plots import plot_cycle_overlay

    save_json(comparison.to_dict(), stage / "comparison.json")
    plots = []
    for angle in ("knee_flexion", "hip_flexion", "trunk_lean"):
        figure = plot_cycle_overlay(sessions, angle)[0]
        path = save_figure(figure, stage / "plots" / f"cycle_{angle}.png")
        caption = f"{angle.replace('_', ' ')}: baseline grey, follow-up blue"
        plots.append({"src": embed_png(path), "caption": caption})
    keyframes = None
    sheets = [folder / "keyframes.png" for folder in folders]
    if all(p.is_file() for p in sheets):
        with PILImage.open(sheets[1]) as top, PILImage.open(sheets[0]) as bottom:
            stacked = stack_with_baseline(
                np.asarray(top.convert("RGB")), np.asarray(bottom.convert("RGB"))
            )
        keyframes = embed_png(save_image(stacked, stage / "keyframes.png"))
    followup = list(sessions.values())[1]
    video = None
    annotated = tuple(folder / "annotated.mp4" for folder in folders)
    if all(p.is_file() for p in annotated):
        from runform.report.side_by_side import write_side_by_side

        labels = (comparison.baseline_label, comparison.followup_label)
        analyses = (next(iter(sessions.values())), followup)
        pair = (annotated[0], annotated[1])
        if write_side_by_side(pair, analyses, labels, stage / "side_by_side.mp4") is not None:
            video = "side_by_side.mp4"
    described = {
        verdict: [
            {"name": c.name, "text": describe_change(c)} for c in comparison.by_verdict(verdict)
        ]
        for verdict in ("improved", "regressed")
    }
    context = {
        "baseline": comparison.baseline_label,
        "followup": comparison.followup_label,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
        "notes": list(comparison.notes),
        **described,
        "focus": followup.get("focus", []),
        "changes": [_row(c) for c in comparison.changes],
        "keyframes": keyframes,
        "plots": plots,
        "video": video,
    }
    html = build_environment().get_template("comparison.html.j2").render(**context)
    save_text(html, stage / "comparison.html")


def write_comparison(
    baseline: Path,
    followup: Path,
    out: Path,
    options: AnalysisOptions | None = None,
    video: bool = True,
) -> Comparison:
    """Compare two sessions and write ``comparison.json``, plots and ``comparison.html``.

    Parameters
    ----------
    baseline, followup
        Videos or analysis folders.
    out
        The output folder; a video input is analysed into ``out/baseline``
        or ``out/followup``.
    options
        How videos are analysed.
    video
        Annotate the videos and write ``side_by_side.mp4``.
    """
    options = options or AnalysisOptions()
    with open_output(out, [baseline, followup]) as output:
        stage = output.stage
        a, folder_a = analyse_session(baseline, stage / "baseline", options, video)
        b, folder_b = analyse_session(followup, stage / "followup", options, video)
        labels = (baseline.stem or "baseline", followup.stem or "follow-up")
        if labels[0] == labels[1]:
            labels = (f"{labels[0]} (baseline)", f"{labels[1]} (follow-up)")
        comparison = compare_analyses(a, b, *labels)
        _write_comparison_files(
            comparison, {labels[0]: a, labels[1]: b}, (folder_a, folder_b), stage
        )
    return comparison


def date_session(
    path: Path, analysis: dict[str, Any], given: dt.date | None
) -> tuple[dt.date | None, str]:
    """Date a session and say how: the date given, then the recording time, then the name."""
    if given is not None:
        return given, "--date"
    recorded = parse_creation_time((analysis.get("session") or {}).get("recorded"))
    if recorded is not None:
        return recorded, "recording time"
    for name in (path.name, (analysis.get("session") or {}).get("video") or ""):
        found = find_date_in_name(name)
        if found is not None:
            return found, "file name"
    return None, "unknown"


def write_progress(
    inputs: Sequence[Path],
    out: Path,
    options: AnalysisOptions | None = None,
    dates: Sequence[dt.date] | None = None,
    video: bool = True,
) -> Progress:
    """Trends over several sessions: ``progress.json``, trend plots and ``progress.html``.

    Parameters
    ----------
    inputs
        Videos or analysis folders, two or more.
    dates
        One date per input, else each is dated by :func:`date_session`.

    Raises
    ------
    InputFileError
        With fewer than two inputs, or dates that do not match them.
    """
    from runform import __version__
    from runform.io.results import save_json, save_text
    from runform.report.figures import save_figure
    from runform.report.html import build_environment, embed_png
    from runform.viz.compare_plots import plot_trend

    options = options or AnalysisOptions()
    if len(inputs) < 2:
        raise InputFileError(
            "progress needs at least 2 sessions", hint="give 3 or more for a trend"
        )
    if dates and len(dates) != len(inputs):
        raise InputFileError(f"{len(dates)} dates were given for {len(inputs)} sessions",
                             hint="give one date per session, in order")  # fmt: skip
    with open_output(out, inputs) as output:
        stage = output.stage
        sessions = []
        for i, path in enumerate(inputs):
            folder = stage / f"session-{i + 1}-{path.stem}"
            analysis, _folder = analyse_session(path, folder, options, video)
            date, source = date_session(path, analysis, dates[i] if dates else None)
            sessions.append(Session(path.stem, date, source, analysis))
        progress = build_progress(sessions)
        save_json(progress.to_dict(), stage / "progress.json")
        labels = [s.date.isoformat() if s.date else s.label for s in progress.sessions]
        plots = []
        for trend in progress.trends:
            figure = plot_trend(trend, labels)[0]
            path = save_figure(figure, stage / "plots" / f"trend_{trend.id}.png")
            plots.append({"src": embed_png(path), "caption": trend.name})
        context = {
            "n": len(progress.sessions),
            "sessions": [
                f"{lab} ({s.label})" if s.date else s.label
                for lab, s in zip(labels, progress.sessions, strict=True)
            ],
            "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "version": __version__,
            "summary": list(progress.summary),
            "focus": progress.sessions[-1].analysis.get("focus", []),
            "plots": plots,
        }
        html = build_environment().get_template("progress.html.j2").render(**context)
        save_text(html, stage / "progress.html")
    return progress
