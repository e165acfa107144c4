"""``runform progress SESSION...``: trends over three or more sessions of one athlete."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from rich.console import Console

from runform.commands.analyze import publish_stage, staged_output
from runform.commands.common import check_output_folder, positive_float
from runform.commands.compare import analyse_input
from runform.compare.progress import Session, build_progress, find_date_in_name, parse_creation_time
from runform.errors import RunformError

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
                raise RunformError(f"{path} holds no videos and no analysis folders")
            out += held
        else:
            out.append(path)
    return out


def date_session(
    path: Path, analysis: dict[str, Any], given: dt.date | None
) -> tuple[dt.date | None, str]:
    """Date a session and say how: ``--date``, then the recording time, then the name."""
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


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def run_progress(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform progress``."""
    from runform import __version__
    from runform.io.results import save_json, save_text
    from runform.report.figures import save_figure
    from runform.report.html import build_environment, embed_png
    from runform.viz.compare_plots import plot_trend

    out = Path(args.output) if args.output else Path("progress")
    check_output_folder(out)
    inputs = expand_inputs(list(args.sessions))
    if len(inputs) < 2:
        raise RunformError("progress needs at least 2 sessions", hint="give 3 or more for a trend")
    dates = list(args.date or [])
    if dates and len(dates) != len(inputs):
        raise RunformError(f"--date was given {len(dates)} times for {len(inputs)} sessions",
                           hint="give one --date per session, in order")  # fmt: skip
    with staged_output(out) as stage:
        sessions = []
        for i, path in enumerate(inputs):
            analysis, _folder = analyse_input(
                path, stage / f"session-{i + 1}-{path.stem}", args, console
            )
            date, source = date_session(path, analysis, dates[i] if dates else None)
            sessions.append(Session(path.stem, date, source, analysis))
        progress = build_progress(sessions)
        save_json(progress.to_dict(), stage / "progress.json")
        labels = [s.date.isoformat() if s.date else s.label for s in progress.sessions]
        plots = []
        for trend in progress.trends:
            path = save_figure(
                plot_trend(trend, labels)[0], stage / "plots" / f"trend_{trend.id}.png"
            )
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
    publish_stage(stage, out)
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
    parser.add_argument("--height-cm", type=positive_float, help="runner's height in cm")
    parser.add_argument("--drill", help="score the videos as this drill")
    parser.add_argument("--rubric", type=Path, help="a TOML file overriding the default rubric")
    parser.add_argument("--slowmo", type=positive_float, default=1.0, help="slow-motion factor")
    parser.add_argument("--no-video", action="store_true", help="skip the annotated videos")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    parser.set_defaults(handler=run_progress, max_side=1280)
