"""Helpers shared by the sub-commands: argument types, options, progress bars, warnings.

The commands only turn their arguments into the library's typed options
(:class:`runform.pipeline.AnalysisOptions`) and print what it returns.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console

from runform.pipeline.options import (
    DEFAULT_MAX_SIDE,
    MAX_PEOPLE,
    MIN_MAX_SIDE,
    SETTINGS,
    SLOWMO_RANGE,
    VARIANTS,
    AnalysisOptions,
)


def positive_float(text: str) -> float:
    """Parse a positive number (argparse type)."""
    try:
        value = float(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from err
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def positive_int(text: str) -> int:
    """Parse a whole number of at least 1 (argparse type)."""
    try:
        value = int(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from err
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def slowmo_factor(text: str) -> float:
    """Parse ``--slowmo`` within :data:`~runform.pipeline.options.SLOWMO_RANGE` (argparse type)."""
    value = positive_float(text)
    low, high = SLOWMO_RANGE
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(
            f"expected a slow-motion factor from {low:g} to {high:g} "
            f"(capture fps / playback fps, e.g. 4 for 240 fps played at 60), got {text}"
        )
    return value


def point_xy(text: str) -> tuple[float, float]:
    """Parse ``X,Y`` pixel coordinates (argparse type)."""
    parts = text.replace(" ", "").split(",")
    try:
        x, y = (float(v) for v in parts)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected X,Y in pixels, got {text!r}") from err
    if not (0 <= x < float("inf") and 0 <= y < float("inf")):
        raise argparse.ArgumentTypeError(f"expected pixels from the top-left corner, got {text}")
    return x, y


def people_count(text: str) -> int | None:
    """Parse ``--people``: ``auto`` (None) or 1 to the most tracked (argparse type)."""
    if text == "auto":
        return None
    try:
        value = int(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(
            f"expected 'auto' or 1-{MAX_PEOPLE}, got {text!r}"
        ) from err
    if not 1 <= value <= MAX_PEOPLE:
        raise argparse.ArgumentTypeError(f"expected 'auto' or 1-{MAX_PEOPLE}, got {value}")
    return value


def max_side(text: str) -> int | None:
    """Parse ``--max-side``: 0 means full size, else at least 64 px (argparse type)."""
    try:
        value = int(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected whole pixels, got {text!r}") from err
    if value == 0:
        return None
    if value < MIN_MAX_SIDE:
        raise argparse.ArgumentTypeError(
            f"expected 0 (full size) or >= {MIN_MAX_SIDE} px, got {value}"
        )
    return value


def add_extraction_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that change how poses are extracted from a video."""
    parser.add_argument("--model", type=Path, help="a pose_landmarker_*.task file")
    parser.add_argument("--variant", choices=VARIANTS, default="full")
    parser.add_argument("--max-side", type=max_side, default=DEFAULT_MAX_SIDE,
                        help="downscale frames so the longer side is at most this "
                        f"(px; 0 = full size; default {DEFAULT_MAX_SIDE})")  # fmt: skip
    parser.add_argument("--slowmo", type=slowmo_factor, default=1.0,
                        help="slow-motion factor: capture fps / playback fps "
                        "(4 for 240 fps played at 60)")  # fmt: skip
    parser.add_argument("--workers", type=positive_int, default=None,
                        help="pose extraction processes (default: CPUs, at most 4)")  # fmt: skip
    parser.add_argument("--no-cache", action="store_true", help="ignore the poses cache")


def add_video_options(parser: argparse.ArgumentParser) -> None:
    """Add the options shared by commands that read a video or a poses file."""
    parser.add_argument("video", type=Path, help="video file, or a poses.nc from `runform pose`")
    parser.add_argument("--height-cm", type=positive_float,
                        help="runner's height in cm: enables cm and m units")  # fmt: skip
    parser.add_argument("--setting", choices=SETTINGS, default="auto",
                        help="where it was filmed (default: detect)")  # fmt: skip
    add_extraction_options(parser)
    parser.add_argument("--people", type=people_count, default=None, metavar="auto|N",
                        help="people to track: auto (default: one, tracking all if others "
                        f"appear), 1 (one, fastest) or up to {MAX_PEOPLE}")  # fmt: skip
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--person", type=int, metavar="ID",
                        help="analyse this person (ids from `runform people`)")  # fmt: skip
    chosen.add_argument("--person-at", type=point_xy, metavar="X,Y",
                        help="analyse the person at this pixel when first seen")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")


def build_options(args: argparse.Namespace) -> AnalysisOptions:
    """Turn parsed arguments into :class:`~runform.pipeline.AnalysisOptions` (absent: default)."""
    given: dict[str, Any] = {
        "height_cm": getattr(args, "height_cm", None),
        "setting": getattr(args, "setting", "auto"),
        "model": getattr(args, "model", None),
        "variant": getattr(args, "variant", "full"),
        "max_side": getattr(args, "max_side", DEFAULT_MAX_SIDE),
        "slowmo": getattr(args, "slowmo", 1.0),
        "workers": getattr(args, "workers", None),
        "people": getattr(args, "people", None),
        "person": getattr(args, "person", None),
        "person_at": getattr(args, "person_at", None),
        "use_cache": not getattr(args, "no_cache", False),
        "rubric": getattr(args, "rubric", None),
        "baseline": getattr(args, "baseline", None),
        "drill": getattr(args, "drill", None),
    }
    return AnalysisOptions(**given)


@contextlib.contextmanager
def show_progress(console: Console, quiet: bool) -> Iterator[Any]:
    """Yield a :data:`runform.pipeline.clip.Progress` callback drawing one bar per stage."""
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed}/{task.total}"), TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=console, disable=quiet, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=None)
            bar.update(tasks[stage], completed=done, total=total)

        yield progress


def print_warnings(messages: Any) -> None:
    """Print warnings about the input on stderr, as ``runform: warning: ...``."""
    for message in messages:
        print(f"runform: warning: {message}", file=sys.stderr)


def default_output(video: Path, suffix: str) -> Path:
    """``<video stem>-<suffix>`` in the working folder."""
    return Path(f"{Path(video).stem}-{suffix}")
