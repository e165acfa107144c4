"""``runform batch INPUT -o OUT``: a folder of uploads to reports, an overview and progress."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from runform.commands.common import positive_float, positive_int
from runform.errors import RunformError

#: Exit status when the batch ran but some videos failed.
EXIT_SOME_FAILED = 3


def batch_settings(args: argparse.Namespace) -> dict[str, Any]:
    """Collect the settings of every job (all but ``pose_workers`` are part of its reuse key)."""
    from runform.batch.jobs import hash_file
    from runform.pose.extract import compute_default_workers

    rubric = Path(args.rubric).resolve() if args.rubric else None
    return {
        # each of the --jobs slots gets an equal share of the cores for pose extraction
        "pose_workers": max(1, compute_default_workers() // max(1, args.jobs)),
        "height_cm": args.height_cm,
        "no_video": bool(args.no_video),
        "rubric": str(rubric) if rubric else None,
        "rubric_sha256": hash_file(rubric) if rubric else None,  # an edited rubric reruns
    }


def run_batch(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform batch``."""
    from runform.batch.athletes import write_athlete_reports
    from runform.batch.jobs import BATCH_MARK, find_jobs
    from runform.batch.run import (
        build_rows,
        execute_dask,
        execute_local,
        plan_batch,
        write_index,
        write_summary,
    )
    from runform.pipeline.outputs import check_output_folder

    out = Path(args.output).resolve()  # workers (Dask) may run elsewhere
    check_output_folder(out, [Path(args.input)])
    jobs = find_jobs(str(args.input), exclude=out)
    out.mkdir(parents=True, exist_ok=True)
    (out / BATCH_MARK).touch()  # an earlier batch's output is never taken for uploads
    folders = [job.folder.lower() for job in jobs]  # case-insensitive file systems
    duplicated = sorted({f for f in folders if folders.count(f) > 1})
    if duplicated:
        hint = "give them different names, athletes or dates (manifest CSV)"
        raise RunformError(f"two uploads would share an output folder: {duplicated[0]}", hint=hint)
    settings = batch_settings(args)
    planned = plan_batch(jobs, out, settings)
    todo = [p for p in planned if not p.done]
    if not args.quiet:
        console.print(
            f"{len(jobs)} videos: {len(jobs) - len(todo)} already done, {len(todo)} to analyse"
        )
    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console, disable=args.quiet) as bar:
        overall = bar.add_task("batch", total=len(todo))
        running: dict[str, TaskID] = {}

        def started(job: Any, _result: Any) -> None:
            running[job.folder] = bar.add_task(f"  {job.folder}", total=None)

        def finished(job: Any, result: Any) -> None:
            task = running.pop(job.folder, None)
            if task is not None:
                bar.remove_task(task)
            bar.advance(overall)
            if result and result.get("status") != "ok" and not args.quiet:
                bar.console.print(f"[red]failed[/red] {job.folder}: {result.get('reason')}")

        if args.scheduler or args.dask == "local":
            execute_dask(todo, out, settings, args.scheduler, args.jobs, started, finished)
        else:
            execute_local(todo, out, settings, args.jobs, started, finished)
    keys = {p.job.folder: p.key for p in planned}
    rows = build_rows(jobs, out, keys)
    write_summary(rows, out)  # first: the overview must not hang on the athletes' reports
    links = write_athlete_reports(jobs, out, console, keys)
    index = write_index(rows, out, links)
    failed = [r for r in rows if r["status"] != "ok"]
    if not args.quiet:
        console.print(f"{len(rows) - len(failed)} analysed, {len(failed)} failed")
        console.print(f"[bold]overview:[/bold] {index.resolve()}")
    return EXIT_SOME_FAILED if failed else 0


def add_batch_parser(sub: Any) -> None:
    """Register ``runform batch``."""
    parser = sub.add_parser(
        "batch", help="analyse a folder of uploads: reports, overview, progress"
    )
    parser.add_argument("input", help="a folder (searched recursively), a glob, or a manifest CSV")
    parser.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    parser.add_argument("--jobs", type=positive_int, default=1,
                        help="videos analysed at once (default 1)")  # fmt: skip
    parser.add_argument("--dask", choices=("local",), help="run on a local Dask cluster")
    parser.add_argument(
        "--scheduler", help="run on a Dask cluster at this address (tcp://HOST:PORT)"
    )
    parser.add_argument(
        "--height-cm", type=positive_float, help="height for all (a manifest can set each)"
    )
    parser.add_argument("--rubric", type=Path, help="a TOML file overriding the default rubric")
    parser.add_argument("--no-video", action="store_true", help="skip the annotated videos")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    parser.set_defaults(handler=run_batch)
