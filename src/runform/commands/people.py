"""``runform people``: who is in the clip, each with the id ``--person`` takes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from runform.commands.common import (
    add_video_options,
    build_options,
    default_output,
    print_warnings,
    show_progress,
)
from runform.errors import NoPersonDetectedError


def run_people(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform people`` (see :func:`add_people_parser`)."""
    from runform.io.results import save_json
    from runform.pipeline.clip import load_clip_poses
    from runform.pipeline.outputs import check_output_folder, open_output
    from runform.report.people import write_people_sheet
    from runform.scene.runner import choose_runner, summarise_tracks

    video = Path(args.video)
    out = Path(args.output) if args.output else default_output(video, "people")
    options = build_options(args)
    check_output_folder(out, [video])
    with show_progress(console, args.quiet) as progress:
        poses, _cached = load_clip_poses(video, options, progress)
    tracks = summarise_tracks(poses)
    if not tracks:
        raise NoPersonDetectedError(f"nobody was detected in {video}")
    choice = choose_runner(tracks)
    data = {"video": video.name, "runner": choice.to_dict()}
    with open_output(out, [video], ["people.png"]) as output:
        save_json(data, output.stage / "people.json")
        if video.suffix != ".nc":
            write_people_sheet(video, poses, choice, output.stage / "people.png", args.slowmo)
    print_warnings(output.describe_stale())
    written = output.published
    if args.json:
        print(json.dumps(data, indent=2, allow_nan=False))
    elif not args.quiet:
        console.print(build_people_table(choice))
        console.print(f"[bold]Runner:[/bold] person {choice.id} ({choice.reason}; "
                      f"confidence {choice.confidence:.2f})")  # fmt: skip
        for path in written:
            console.print(f"[dim]wrote {path}[/dim]")
        console.print(f"to analyse someone else: runform analyze {args.video} --person ID")
    return 0


def build_people_table(choice: Any) -> Table:
    """One row per tracked person."""
    table = Table("id", "seen (s)", "in view", "size", "stepping", "steps/min", "")
    for track in choice.tracks:
        steps = f"{120 * track.stride_hz:.0f}" if track.stride_hz == track.stride_hz else ""
        stepping = f"{track.stepping:.2f}" if track.stepping == track.stepping else "too short"
        table.add_row(str(track.id), f"{track.start_s:.1f}-{track.end_s:.1f}",
                      f"{100 * track.coverage:.0f}%", f"{100 * track.size:.0f}%", stepping,
                      steps, "runner" if track.id == choice.id else "")  # fmt: skip
    return table


def add_people_parser(sub: Any) -> None:
    """Register ``runform people``."""
    parser = sub.add_parser(
        "people", help="list the people in a clip with their ids (people.png) for --person"
    )
    parser.add_argument("-o", "--output", type=Path, help="output folder (default: <video>-people)")
    add_video_options(parser)
    parser.set_defaults(handler=run_people)
