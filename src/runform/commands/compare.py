"""``runform compare BASELINE FOLLOWUP``: what changed between two sessions, honestly."""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from runform.commands.analyze import publish_stage, run_analyze, staged_output
from runform.commands.common import check_output_folder, max_side, positive_float
from runform.compare.comparison import Change, Comparison, compare_analyses
from runform.compare.inputs import find_analysis_json, load_analysis_json
from runform.errors import RunformError

VERDICT_STYLE = {"improved": "green", "regressed": "red", "changed": "blue"}


def _number(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    magnitude = abs(value)
    return (
        f"{value:.2f}" if magnitude < 1 else f"{value:.1f}" if magnitude < 100 else f"{value:.0f}"
    )


def describe_change(change: Change) -> str:
    """``from 0.39 to 0.21 leg (change -0.18, detectable 0.06)``."""
    return (f"from {_number(change.baseline)} to {_number(change.followup)} {change.unit} "
            f"(change {_number(change.delta)}, detectable {_number(change.mdc)})")  # fmt: skip


def analyse_input(
    path: Path, out: Path, args: argparse.Namespace, console: Console
) -> tuple[dict[str, Any], Path]:
    """Load or make the analysis of one input (analysed into ``out`` when it is a video)."""
    found = find_analysis_json(path)
    if found is not None:
        return load_analysis_json(found), found.parent
    if not path.is_file():
        raise RunformError(f"no such video or analysis folder: {path}")
    analyze_args = argparse.Namespace(
        video=path, output=out, rubric=args.rubric, baseline=None, drill=args.drill,
        no_video=args.no_video, height_cm=args.height_cm, setting="auto", model=None,
        variant="full", max_side=args.max_side, slowmo=args.slowmo, workers=None,
        no_cache=False, json=False, quiet=True, keyframes_face_right=True,
    )  # fmt: skip
    run_analyze(analyze_args, console)
    return load_analysis_json(out / "analysis.json"), out


def build_change_table(comparison: Comparison) -> Table:
    """Terminal table of the verdicts, changes first."""
    table = Table(
        title=f"{comparison.baseline_label} → {comparison.followup_label}", title_justify="left"
    )
    for name in ("what", "baseline", "follow-up", "change", "detectable", "verdict"):
        table.add_column(name, justify="right" if name not in ("what", "verdict") else "left")
    order = {"improved": 0, "regressed": 1, "changed": 2, "no_clear_change": 3, "not_comparable": 4}
    for change in sorted(comparison.changes, key=lambda c: order[c.verdict]):
        style = VERDICT_STYLE.get(change.verdict, "dim")
        table.add_row(change.name, _number(change.baseline), _number(change.followup),
                      _number(change.delta), _number(change.mdc),
                      f"[{style}]{change.verdict.replace('_', ' ')}[/{style}]")  # fmt: skip
    return table


def _row(change: Change) -> dict[str, str]:
    return {
        "name": change.name,
        "reason": change.reason,
        "verdict": change.verdict,
        "baseline_text": _number(change.baseline),
        "followup_text": _number(change.followup),
        "delta_text": _number(change.delta),
        "mdc_text": _number(change.mdc),
    }


def _described(comparison: Comparison, verdict: str) -> list[dict[str, str]]:
    return [{"name": c.name, "text": describe_change(c)} for c in comparison.by_verdict(verdict)]


def write_comparison_files(
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
        path = save_figure(
            plot_cycle_overlay(sessions, angle)[0], stage / "plots" / f"cycle_{angle}.png"
        )
        plots.append(
            {
                "src": embed_png(path),
                "caption": f"{angle.replace('_', ' ')}: baseline grey, follow-up blue",
            }
        )
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
        pair = (annotated[0], annotated[1])
        analyses = (next(iter(sessions.values())), followup)
        if write_side_by_side(pair, analyses, labels, stage / "side_by_side.mp4") is not None:
            video = "side_by_side.mp4"
    rows = [_row(c) for c in comparison.changes]
    context = {
        "baseline": comparison.baseline_label,
        "followup": comparison.followup_label,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
        "notes": list(comparison.notes),
        "improved": _described(comparison, "improved"),
        "regressed": _described(comparison, "regressed"),
        "focus": followup.get("focus", []),
        "changes": rows,
        "keyframes": keyframes,
        "plots": plots,
        "video": video,
    }
    html = build_environment().get_template("comparison.html.j2").render(**context)
    save_text(html, stage / "comparison.html")


def run_compare(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform compare``."""
    out = Path(args.output) if args.output else Path("comparison")
    check_output_folder(out)
    with staged_output(out) as stage:
        a, folder_a = analyse_input(Path(args.baseline), stage / "baseline", args, console)
        b, folder_b = analyse_input(Path(args.followup), stage / "followup", args, console)
        labels = (Path(args.baseline).stem or "baseline", Path(args.followup).stem or "follow-up")
        if labels[0] == labels[1]:
            labels = (f"{labels[0]} (baseline)", f"{labels[1]} (follow-up)")
        comparison = compare_analyses(a, b, *labels)
        write_comparison_files(
            comparison, {labels[0]: a, labels[1]: b}, (folder_a, folder_b), stage
        )
    publish_stage(stage, out)
    if not args.quiet:
        for note in comparison.notes:
            console.print(f"[yellow]note[/yellow] {note}")
        console.print(build_change_table(comparison))
        console.print(f"[bold]report:[/bold] {(out / 'comparison.html').resolve()}")
    return 0


def add_compare_parser(sub: Any) -> None:
    """Register ``runform compare``."""
    parser = sub.add_parser(
        "compare", help="what changed between a baseline and a follow-up session"
    )
    parser.add_argument("baseline", type=Path, help="video, or a folder written by runform analyze")
    parser.add_argument("followup", type=Path, help="video, or a folder written by runform analyze")
    parser.add_argument("-o", "--output", type=Path, help="output folder (default: comparison)")
    parser.add_argument("--height-cm", type=positive_float, help="runner's height in cm")
    parser.add_argument("--drill", help="score both videos as this drill")
    parser.add_argument("--rubric", type=Path, help="a TOML file overriding the default rubric")
    parser.add_argument("--slowmo", type=positive_float, default=1.0, help="slow-motion factor")
    parser.add_argument("--max-side", type=max_side, default=1280, help="downscale for inference")
    parser.add_argument("--no-video", action="store_true", help="skip the annotated videos")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    parser.set_defaults(handler=run_compare)
