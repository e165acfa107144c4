"""``runform analyze``: a clip to Pose Method checkpoints, focus and ``analysis.json``."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console

from runform.checkpoints.rubric import DRILL_NAMES
from runform.commands.common import add_video_options, analyze_gait_of, check_output_folder
from runform.errors import RunformError


def read_baseline(path: Path) -> dict[str, float]:
    """Metric values of an earlier ``analysis.json`` or ``gait.json`` (its ``summary``).

    Raises
    ------
    RunformError
        If the file is missing, not JSON, or has no ``summary``.
    """
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise RunformError(f"baseline file not found: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RunformError(f"cannot read the baseline {path}: {error}") from None
    summary = data.get("summary") if isinstance(data, dict) else None
    if not isinstance(summary, dict):
        raise RunformError(
            f"the baseline {path} has no 'summary'",
            hint="pass an analysis.json or gait.json written by runform",
        )
    return {
        k: float(v)
        for k, v in summary.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    }


def run_analyze(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform analyze`` (see :func:`add_analyze_parser`)."""
    from runform.checkpoints.assess import build_analysis
    from runform.checkpoints.rubric import RubricError, load_rubric
    from runform.io.poses import save_poses
    from runform.io.results import save_json
    from runform.report.checkpoint_table import (
        build_checkpoint_table,
        build_drill_table,
        build_focus_panel,
        build_profile_table,
        list_checkpoint_notes,
    )
    from runform.report.gait_table import build_capture_table, build_metrics_table

    out = Path(args.output) if args.output else Path(f"{Path(args.video).stem}-analysis")
    check_output_folder(out)
    try:
        rubric = load_rubric(args.rubric)
    except RubricError as error:
        hint = "see docs/checkpoints.md for the rubric format"
        raise RunformError(str(error), hint=hint) from None
    baseline = read_baseline(args.baseline) if args.baseline else None
    poses, gait = analyze_gait_of(args, console)
    try:
        analysis = build_analysis(gait, rubric, baseline=baseline, drill=args.drill)
    except ValueError as error:
        raise RunformError(str(error), hint="see docs/checkpoints.md for the drills") from None
    data: dict[str, Any] = analysis.to_dict()
    data["session"] = describe_session(Path(args.video), poses)
    with staged_output(out) as stage:
        save_json(data, stage / "analysis.json")
        if Path(args.video).suffix != ".nc":
            save_poses(poses, stage / "poses.nc")
        write_report_files(args, analysis, stage, console, people=poses)
    written = publish_stage(stage, out)
    if args.json:
        print(json.dumps(data, indent=2, allow_nan=False))
        return 0
    if args.quiet:
        return 0
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
    for path in written:
        console.print(f"[dim]wrote {path}[/dim]")
    console.print(f"[bold]report:[/bold] {(out / 'report.html').resolve()}")
    return 0


def describe_session(video: Path, poses: Any) -> dict[str, Any]:
    """Where the analysis came from: the video's name and its recording time, if stored."""
    source = Path(str(poses.attrs.get("source_video", video))).name
    recorded = None
    if video.suffix != ".nc":
        from runform.io.video import probe_video

        recorded = probe_video(video).metadata.get("creation_time")
    return {"video": source, "recorded": recorded}


#: Files whose arrival marks a complete output folder: removed first, published last.
FINAL_FILES = ("report.html", "comparison.html", "progress.html")
#: Everything the commands write at the top of an output folder; an old one the new
#: run did not make (e.g. annotated.mp4 before a --no-video run) is removed.
ARTIFACTS = ("analysis.json", "poses.nc", "annotated.mp4", "keyframes.png", "plots",
             "comparison.json", "side_by_side.mp4", "progress.json", *FINAL_FILES)  # fmt: skip


@contextlib.contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Yield a hidden folder inside ``out`` to write every artifact into first.

    Inside ``out`` (not beside it) so the final moves are renames on one file
    system even when ``out`` is a mount point. Removed, with whatever is in
    it, if the block fails or is interrupted, so a failure halfway leaves
    ``out``'s results as they were.
    """
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".partial-", dir=out))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def publish_stage(stage: Path, out: Path) -> list[Path]:
    """Move the staged artifacts into ``out``, the report last.

    First the old report is removed (so an interrupted publish never looks
    complete), then every artifact of an earlier run is replaced or, when this
    run did not make it, removed; then the new files move in by rename, the
    report (:data:`FINAL_FILES`) last. Returns the published paths; the stage
    folder is removed.
    """
    try:
        for name in FINAL_FILES:
            _remove(out / name)
        made = {p.name for p in stage.iterdir()}
        for name in ARTIFACTS:
            if name not in FINAL_FILES and (name in made or (out / name).exists()):
                _remove(out / name)
        for name in made - set(ARTIFACTS):
            _remove(out / name)
        files = sorted(p for p in stage.rglob("*") if p.is_file())
        files.sort(key=lambda p: p.name in FINAL_FILES and p.parent == stage)
        published = []
        for source in files:
            target = out / source.relative_to(stage)
            target.parent.mkdir(parents=True, exist_ok=True)
            source.replace(target)
            published.append(target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return published


def write_report_files(
    args: argparse.Namespace, analysis: Any, out: Path, console: Console, people: Any = None
) -> list[Path]:
    """Annotated video, key frames, plots and ``report.html`` (written last)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from runform.io.results import save_text
    from runform.report.figures import write_key_frames, write_plots
    from runform.report.html import build_context, render_report
    from runform.report.video import write_annotated_video

    written: list[Path] = []
    video = Path(args.video)
    is_video = video.suffix != ".nc"
    video_name = None
    if is_video and not args.no_video:
        columns = (TextColumn("video"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                   TimeRemainingColumn())  # fmt: skip
        with Progress(*columns, console=console, disable=args.quiet, transient=True) as bar:
            task = bar.add_task("video", total=None)

            def progress(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            written.append(
                write_annotated_video(
                    video, analysis, out / "annotated.mp4", args.slowmo, progress, people
                )
            )
        video_name = "annotated.mp4"
    baseline_sheet = Path(args.baseline).parent / "keyframes.png" if args.baseline else None
    keyframes = (
        write_key_frames(
            video,
            analysis,
            out / "keyframes.png",
            args.slowmo,
            baseline_sheet,
            face_right=getattr(args, "keyframes_face_right", False),
        )
        if is_video
        else None
    )
    if keyframes is not None:
        written.append(keyframes)
    plots = write_plots(analysis, out / "plots")
    written += list(plots.values())
    context = build_context(analysis, video.name, video_name, keyframes, plots)
    written.append(save_text(render_report(context), out / "report.html"))
    return written


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
