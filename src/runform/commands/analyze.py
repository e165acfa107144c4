"""``runform analyze``: a clip to Pose Method checkpoints, focus and ``analysis.json``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from runform.checkpoints.rubric import DRILL_NAMES
from runform.commands.common import (
    add_video_options,
    build_options,
    default_output,
    print_warnings,
    show_progress,
)


def print_analysis(console: Console, result: Any) -> None:
    """Print the tables of an analysis on the terminal."""
    from runform.report.checkpoint_table import (
        build_checkpoint_table,
        build_drill_table,
        build_focus_panel,
        build_profile_table,
        list_checkpoint_notes,
    )
    from runform.report.gait_table import build_capture_table, build_metrics_table

    analysis = result.analysis
    gait = analysis.gait
    console.print(build_capture_table(gait))
    console.print(build_metrics_table(gait))
    console.print(f"[bold]Analysed as:[/bold] {analysis.mode.reason}")
    person = gait.person
    if person is not None and len(person.tracks) > 1:
        console.print(f"[bold]Person:[/bold] {person.id} of {len(person.tracks)} in view "
                      f"({person.reason}); `runform people` shows them all")  # fmt: skip
    if analysis.drill is not None:
        console.print(build_drill_table(analysis.drill))
    console.print(build_checkpoint_table(analysis))
    for note in list_checkpoint_notes(analysis):
        console.print(f"[dim]{note}[/dim]")
    console.print(build_profile_table(analysis))
    console.print(build_focus_panel(analysis))
    for warning in gait.capture.warnings:
        console.print(f"[yellow]warning[/yellow] {warning.message}")


def run_analyze(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform analyze`` (see :func:`add_analyze_parser`)."""
    from runform.pipeline import OutputOptions, analyze_clip, write_artifacts
    from runform.pipeline.artifacts import list_inputs
    from runform.pipeline.outputs import check_output_folder

    out = Path(args.output) if args.output else default_output(args.video, "analysis")
    options = build_options(args)
    check_output_folder(out, [p for p in (args.video, args.baseline) if p is not None])
    with show_progress(console, args.quiet) as progress:
        result = analyze_clip(args.video, options, progress=progress)
        check_output_folder(out, list_inputs(result))
        written = write_artifacts(result, out, OutputOptions(video=not args.no_video), progress)
    print_warnings(result.warnings)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, allow_nan=False))
        return 0
    if args.quiet:
        return 0
    print_analysis(console, result)
    for path in written:
        console.print(f"[dim]wrote {path}[/dim]")
    console.print(f"[bold]report:[/bold] {(out / 'report.html').resolve()}")
    return 0


def add_analyze_parser(sub: Any) -> None:
    """Register ``runform analyze`` on the sub-command parsers."""
    analyze = sub.add_parser(
        "analyze",
        help="score a running clip against the Pose Method: checkpoints, focus, drills "
        "(writes analysis.json)",
    )
    analyze.add_argument(
        "-o", "--output", type=Path, help="output folder (default: <video>-analysis)"
    )
    analyze.add_argument(
        "--rubric", type=Path, help="a TOML file overriding checkpoints of the default rubric"
    )
    analyze.add_argument(
        "--baseline",
        type=Path,
        help="an earlier analysis.json of the same runner: cadence is judged against it",
    )
    analyze.add_argument(
        "--drill",
        choices=DRILL_NAMES,
        help="score the clip as this in-place drill: count and score its repetitions",
    )
    analyze.add_argument(
        "--no-video", action="store_true", help="skip the annotated video (a faster run)"
    )
    add_video_options(analyze)
    analyze.set_defaults(handler=run_analyze)
