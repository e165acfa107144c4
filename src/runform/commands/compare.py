"""``runform compare BASELINE FOLLOWUP``: what changed between two sessions, honestly."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from runform.commands.common import build_options, max_side, positive_float, slowmo_factor

if TYPE_CHECKING:  # the comparison code loads SciPy: only when comparing, not at every start
    from runform.compare.comparison import Comparison

VERDICT_STYLE = {"improved": "green", "regressed": "red", "changed": "blue"}


def build_change_table(comparison: Comparison) -> Table:
    """Terminal table of the verdicts, changes first."""
    from runform.compare.write import describe_number

    table = Table(
        title=f"{comparison.baseline_label} → {comparison.followup_label}", title_justify="left"
    )
    for name in ("what", "baseline", "follow-up", "change", "detectable", "verdict"):
        table.add_column(name, justify="right" if name not in ("what", "verdict") else "left")
    order = {"improved": 0, "regressed": 1, "changed": 2, "no_clear_change": 3, "not_comparable": 4}
    for change in sorted(comparison.changes, key=lambda c: order[c.verdict]):
        style = VERDICT_STYLE.get(change.verdict, "dim")
        table.add_row(change.name, describe_number(change.baseline),
                      describe_number(change.followup), describe_number(change.delta),
                      describe_number(change.mdc),
                      f"[{style}]{change.verdict.replace('_', ' ')}[/{style}]")  # fmt: skip
    return table


def run_compare(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform compare``."""
    from runform.compare.write import write_comparison

    out = Path(args.output) if args.output else Path("comparison")
    comparison = write_comparison(
        Path(args.first), Path(args.second), out, build_options(args), not args.no_video
    )
    if not args.quiet:
        for note in comparison.notes:
            console.print(f"[yellow]note[/yellow] {note}")
        console.print(build_change_table(comparison))
        console.print(f"[bold]report:[/bold] {(out / 'comparison.html').resolve()}")
    return 0


def add_session_options(parser: argparse.ArgumentParser) -> None:
    """Options of commands that analyse several sessions (compare, progress)."""
    from runform.checkpoints.rubric import DRILL_NAMES
    from runform.pipeline.options import DEFAULT_MAX_SIDE

    parser.add_argument("--height-cm", type=positive_float, help="runner's height in cm")
    parser.add_argument("--drill", choices=DRILL_NAMES, help="score the videos as this drill")
    parser.add_argument("--rubric", type=Path, help="a TOML file overriding the default rubric")
    parser.add_argument("--slowmo", type=slowmo_factor, default=1.0, help="slow-motion factor")
    parser.add_argument("--max-side", type=max_side, default=DEFAULT_MAX_SIDE,
                        help="downscale for inference (px; 0 = full size)")  # fmt: skip
    parser.add_argument("--no-video", action="store_true", help="skip the annotated videos")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")


def add_compare_parser(sub: Any) -> None:
    """Register ``runform compare``."""
    parser = sub.add_parser(
        "compare", help="what changed between a baseline and a follow-up session"
    )
    # not `baseline`: that option names an earlier analysis.json (see build_options)
    parser.add_argument("first", type=Path, metavar="BASELINE",
                        help="video, or a folder written by runform analyze")  # fmt: skip
    parser.add_argument("second", type=Path, metavar="FOLLOWUP",
                        help="video, or a folder written by runform analyze")  # fmt: skip
    parser.add_argument("-o", "--output", type=Path, help="output folder (default: comparison)")
    add_session_options(parser)
    parser.set_defaults(handler=run_compare)
