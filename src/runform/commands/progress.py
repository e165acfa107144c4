"""``runform progress SESSION...``: trends over three or more sessions of one athlete."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from rich.console import Console

from runform.commands.common import build_options
from runform.commands.compare import add_session_options
from runform.errors import InputFileError

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm")


def _is_session(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES or (path / "analysis.json").is_file()


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Videos and analysis folders given, or held by a folder given (sorted by name)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir() and not (path / "analysis.json").is_file():
            held = sorted(p for p in path.iterdir() if _is_session(p))
            if not held:
                raise InputFileError(f"{path} holds no videos and no analysis folders")
            out += held
        else:
            out.append(path)
    return out


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def run_progress(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform progress``."""
    from runform.compare.write import write_progress

    out = Path(args.output) if args.output else Path("progress")
    inputs = expand_inputs(list(args.sessions))
    dates = list(args.date or [])
    if dates and len(dates) != len(inputs):
        raise InputFileError(f"--date was given {len(dates)} times for {len(inputs)} sessions",
                             hint="give one --date per session, in order")  # fmt: skip
    progress = write_progress(inputs, out, build_options(args), dates, not args.no_video)
    if not args.quiet:
        for line in progress.summary:
            console.print(line)
        undated = [s.label for s in progress.sessions if s.date is None]
        if undated:
            console.print(
                f"[yellow]note[/yellow] no date for {', '.join(undated)}: kept in order, last"
            )
        console.print(f"[bold]report:[/bold] {(out / 'progress.html').resolve()}")
    return 0


def add_progress_parser(sub: Any) -> None:
    """Register ``runform progress``."""
    parser = sub.add_parser("progress", help="trends over three or more sessions of one athlete")
    parser.add_argument("sessions", type=Path, nargs="+",
                        help="videos, analysis folders, or a folder holding them")  # fmt: skip
    parser.add_argument("-o", "--output", type=Path, help="output folder (default: progress)")
    parser.add_argument("--date", type=_parse_date, action="append",
                        help="date of each session (YYYY-MM-DD), once per session")  # fmt: skip
    add_session_options(parser)
    parser.set_defaults(handler=run_progress)
