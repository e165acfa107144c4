"""Helpers shared by the sub-commands: argument types, poses input, output folders."""

from __future__ import annotations

import argparse
import os
import warnings
from pathlib import Path
from typing import Any

from rich.console import Console

from runform.errors import RunformError


def positive_float(text: str) -> float:
    """Parse a positive number (argparse type)."""
    try:
        value = float(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from err
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def point_xy(text: str) -> tuple[float, float]:
    """Parse ``X,Y`` pixel coordinates (argparse type)."""
    parts = text.replace(" ", "").split(",")
    try:
        x, y = (float(v) for v in parts)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected X,Y in pixels, got {text!r}") from err
    if x < 0 or y < 0:
        raise argparse.ArgumentTypeError(f"expected pixels from the top-left corner, got {text}")
    return x, y


def people_count(text: str) -> int | None:
    """Parse ``--people``: ``auto`` (None) or 1-6 (argparse type)."""
    if text == "auto":
        return None
    try:
        value = int(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected 'auto' or 1-6, got {text!r}") from err
    if not 1 <= value <= 6:
        raise argparse.ArgumentTypeError(f"expected 'auto' or 1-6, got {value}")
    return value


def extraction_settings(args: argparse.Namespace) -> Any:
    """Build the :class:`~runform.pose.extract.ExtractionSettings` the options ask for.

    ``--people auto`` (the default) follows one person and looks for others
    every second, tracking everybody if there are; a number tracks up to that
    many people from the start (1: one person, no looking).
    """
    from runform.pose.extract import ExtractionSettings

    settings = ExtractionSettings(max_side=args.max_side, slowmo=args.slowmo)
    people = getattr(args, "people", None)
    if people is None:
        return settings
    if people == 1:
        return ExtractionSettings(max_side=args.max_side, slowmo=args.slowmo, probe_people=False)
    return settings.with_people(people)


def max_side(text: str) -> int | None:
    """Parse ``--max-side``: 0 means full size, else at least 64 px (argparse type)."""
    try:
        value = int(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected whole pixels, got {text!r}") from err
    if value == 0:
        return None
    if value < 64:
        raise argparse.ArgumentTypeError(f"expected 0 (full size) or >= 64 px, got {value}")
    return value


def load_or_extract(args: argparse.Namespace, console: Console) -> tuple[Any, bool]:
    """Poses of ``args.video``: read a ``.nc`` poses file, or extract (cached)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from runform.io.poses import load_poses
    from runform.pipeline import compute_poses
    from runform.pose.models import resolve_model

    if Path(args.video).suffix == ".nc":
        if args.slowmo != 1.0 or args.max_side != 1280:
            raise RunformError(
                "--slowmo and --max-side apply when poses are extracted, not to a poses file",
                hint="re-run on the video, or extract again with `runform pose --slowmo`",
            )
        return load_poses(args.video), True
    say = (lambda _m: None) if args.quiet else (lambda m: console.print(f"[dim]{m}[/dim]"))
    model = resolve_model(args.model, variant=args.variant, report=say)
    settings = extraction_settings(args)
    columns = (TextColumn("pose"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=console, disable=args.quiet, transient=True) as bar:
        task = bar.add_task("pose", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        poses, cached = compute_poses(
            args.video,
            model,
            settings,
            use_cache=not args.no_cache,
            workers=args.workers,
            progress=progress,
        )
    if cached and poses.attrs.get("truncated"):  # said when extracted; say it again
        warnings.warn(str(poses.attrs["truncated"]), RuntimeWarning, stacklevel=2)
    return poses, cached


#: Frame pairs whose background motion is measured per clip (spread over 4 s).
CAMERA_MOTION_PAIRS = 60


def sample_camera_motion(video: Path, poses: Any, slowmo: float) -> Any:
    """Background motion over 4 s in the middle of the clip (low resolution, 60 frame pairs)."""
    from runform.scene.camera_motion import measure_camera_motion

    time = poses["time"].values
    if time.size < 3:
        return None
    middle = 0.5 * (time[0] + time[-1])
    window = poses.isel(time=(time >= middle - 2.0) & (time <= middle + 2.0))
    step = max(1, round(window.sizes["time"] / CAMERA_MOTION_PAIRS))
    return measure_camera_motion(video, window, slowmo=slowmo, pair_step=step)


def check_output_folder(out: Path) -> None:
    """Fail before any work if ``out`` cannot be an output folder."""
    if out.exists() and not out.is_dir():
        raise RunformError(
            f"expected an output folder, got an existing file: {out}",
            hint="pass a folder path with -o; it is created if missing",
        )
    parent = next((p for p in (out, *out.parents) if p.exists()), Path())
    if not parent.is_dir():
        raise RunformError(
            f"cannot create the output folder {out}: {parent} is a file",
            hint="pass a folder path with -o",
        )
    if not os.access(parent, os.W_OK):
        raise RunformError(
            f"cannot write to {parent}", hint="choose an output folder you can write to"
        )


def add_video_options(parser: argparse.ArgumentParser) -> None:
    """Add the options shared by commands that read a video or a poses file."""
    parser.add_argument("video", type=Path, help="video file, or a poses.nc from `runform pose`")
    parser.add_argument("--height-cm", type=positive_float,
                        help="runner's height in cm: enables cm and m units")  # fmt: skip
    parser.add_argument("--setting", choices=("auto", "treadmill", "overground", "tracking"),
                        default="auto", help="where it was filmed (default: detect)")  # fmt: skip
    parser.add_argument("--model", type=Path, help="a pose_landmarker_*.task file")
    parser.add_argument("--variant", choices=("lite", "full", "heavy"), default="full")
    parser.add_argument("--max-side", type=max_side, default=1280,
                        help="downscale frames so the longer side is at most this")  # fmt: skip
    parser.add_argument("--slowmo", type=positive_float, default=1.0,
                        help="slow-motion factor (4 for 240 fps played at 60)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=None, help="pose extraction processes")
    parser.add_argument("--people", type=people_count, default=None, metavar="auto|N",
                        help="people to track: auto (default: one, tracking all if others "
                        "appear), 1 (one, fastest) or up to N")  # fmt: skip
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--person", type=int, metavar="ID",
                        help="analyse this person (ids from `runform people`)")  # fmt: skip
    chosen.add_argument("--person-at", type=point_xy, metavar="X,Y",
                        help="analyse the person at this pixel when first seen")  # fmt: skip
    parser.add_argument("--no-cache", action="store_true", help="ignore the poses cache")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")


def analyze_gait_of(args: argparse.Namespace, console: Console) -> tuple[Any, Any]:
    """Poses of ``args.video`` and their gait analysis, as ``runform gait`` makes them."""
    from runform.gait.analyze import analyze_gait

    poses, _cached = load_or_extract(args, console)
    person = choose_person(poses, args)
    motion = None
    if Path(args.video).suffix != ".nc" and args.setting == "auto":
        motion = sample_camera_motion(args.video, poses, args.slowmo)  # everybody masked
    gait = analyze_gait(poses, height_cm=args.height_cm, setting=args.setting,
                        camera_motion=motion, person=person)  # fmt: skip
    return poses, gait


def choose_person(poses: Any, args: argparse.Namespace) -> Any:
    """Choose the person to analyse from the options (see ``decide_runner``).

    Raises
    ------
    RunformError
        If ``--person`` names no track (with the ids and how to see them).
    """
    from runform.scene.runner import decide_runner

    try:
        return decide_runner(poses, getattr(args, "person", None), getattr(args, "person_at", None))
    except ValueError as error:
        hint = f"run `runform people {args.video}` to see each person's id"
        raise RunformError(str(error), hint=hint) from None
