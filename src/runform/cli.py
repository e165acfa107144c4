"""The ``runform`` command line: a thin layer over the library.

Each sub-command parses its options, calls library functions and prints the
result. Errors caused by the input (:class:`runform.errors.RunformError`)
become one clear message and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from runform import __version__
from runform.commands.analyze import add_analyze_parser
from runform.commands.batch import add_batch_parser
from runform.commands.common import (
    add_extraction_options,
    add_video_options,
    build_options,
    default_output,
    positive_float,
    print_warnings,
    show_progress,
)
from runform.commands.compare import add_compare_parser
from runform.commands.demo import add_demo_parser
from runform.commands.export import add_export_parser
from runform.commands.people import add_people_parser
from runform.commands.progress import add_progress_parser
from runform.commands.serve import add_serve_parser
from runform.errors import RunformError

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
EXIT_INTERNAL = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace, Console], int]


@contextlib.contextmanager
def _capture_native_stderr(enabled: bool) -> Iterator[None]:
    """Send C++ log lines (MediaPipe, TFLite) written to fd 2 to a scratch file.

    MediaPipe logs info and warning lines straight to the process's stderr
    that mean nothing to a user. Python's own ``sys.stderr`` keeps writing to
    the real terminal. With ``--debug`` nothing is captured.
    """
    if not enabled:
        yield
        return
    sys.stderr.flush()
    saved_fd = os.dup(2)
    python_stderr = sys.stderr
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        sys.stderr = open(os.dup(saved_fd), "w", encoding="utf-8", buffering=1)  # noqa: SIM115, PTH123
        try:
            yield
        finally:
            sys.stderr.close()
            sys.stderr = python_stderr
            os.dup2(saved_fd, 2)
            os.close(saved_fd)


# ------------------------------------------------------------------ models


def _cmd_models_fetch(args: argparse.Namespace, console: Console) -> int:
    from runform.pose.models import ENV_WHEEL, resolve_model, resolve_model_dir

    env = dict(os.environ)
    if args.model_dir:
        env["RUNFORM_MODEL_DIR"] = str(args.model_dir)
    if args.wheel:
        env[ENV_WHEEL] = str(args.wheel)
    env.pop("RUNFORM_MODEL", None)  # fetching is about the cache, not an override
    target = resolve_model_dir(env)
    # --force sets the cached model aside, and puts it back if nothing replaces it
    aside = []
    if args.force:
        for stale in target.glob(f"pose_landmarker_{args.variant}.task"):
            aside.append((stale, stale.with_name(stale.name + ".previous")))
            stale.replace(aside[-1][1])
    try:
        model = resolve_model(
            variant=args.variant,
            allow_network=not args.offline,
            env=env,
            report=lambda msg: console.print(f"[dim]{msg}[/dim]"),
        )
    except RunformError:
        for original, backup in aside:
            backup.replace(original)
        raise
    for _, backup in aside:
        backup.unlink(missing_ok=True)
    console.print(f"model [bold]{model.name}[/bold] ({model.source}): {model.path}")
    console.print(f"sha256 {model.sha256}")
    return 0


def _cmd_models_info(args: argparse.Namespace, console: Console) -> int:
    from runform.pose.models import describe_models

    info = describe_models()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    console.print(f"model folder: {info['model_dir']}")
    if info["explicit"]:
        console.print(f"RUNFORM_MODEL overrides it: {info['explicit']}")
    table = Table("variant", "present", "size (MB)", "sha256", "note")
    for name, v in info["variants"].items():
        note = ""
        if "matches_offline_recipe" in v:
            note = "offline recipe ✓" if v["matches_offline_recipe"] else "differs from recipe"
        size = f"{v['size_bytes'] / 1e6:.1f}" if v["present"] else ""
        table.add_row(name, "yes" if v["present"] else "no", size,
                      v.get("sha256", "")[:16], note)  # fmt: skip
    console.print(table)
    return 0


# ------------------------------------------------------------------ pose


def _cmd_pose(args: argparse.Namespace, console: Console) -> int:
    from runform.io.poses import export_poses_csv, save_poses
    from runform.pipeline.clip import load_clip_poses
    from runform.pipeline.outputs import check_output_folder, open_output
    from runform.pose.read_problems import describe_read_problems

    out, video = Path(args.output), Path(args.video)
    options = build_options(args)
    check_output_folder(out, [video])
    with show_progress(console, args.quiet) as progress:
        poses, cached = load_clip_poses(video, options, progress)
    if cached:  # said when extracted; say it again, naming this file
        print_warnings(describe_read_problems(poses.attrs, video.name))
    with open_output(out, [video], ["poses.csv"]) as output:
        save_poses(poses, output.stage / "poses.nc")
        if args.csv:
            export_poses_csv(poses, output.stage / "poses.csv")
    print_warnings(output.describe_stale())
    if not args.quiet:
        _print_pose_summary(console, poses, cached, output.published)
    return 0


# ------------------------------------------------------------------ gait


def _cmd_gait(args: argparse.Namespace, console: Console) -> int:
    from runform.io.poses import save_poses
    from runform.io.results import save_json
    from runform.pipeline import analyze_clip
    from runform.pipeline.outputs import check_output_folder, open_output
    from runform.report.gait_table import build_capture_table, build_metrics_table

    video = Path(args.video)
    out = Path(args.output) if args.output else default_output(video, "gait")
    check_output_folder(out, [video])
    with show_progress(console, args.quiet) as progress:
        result = analyze_clip(video, build_options(args), progress=progress)
    gait = result.analysis.gait
    data = gait.to_dict()
    with open_output(out, [video], ["poses.nc"]) as output:
        save_json(data, output.stage / "gait.json")
        if result.is_video:
            save_poses(result.poses, output.stage / "poses.nc")
    print_warnings([*result.warnings, *output.describe_stale()])
    if args.json:
        print(json.dumps(data, indent=2, allow_nan=False))
    elif not args.quiet:
        console.print(build_capture_table(gait))
        console.print(build_metrics_table(gait))
        for warning in gait.capture.warnings:
            console.print(f"[yellow]warning[/yellow] {warning.message}")
        for path in output.published:
            console.print(f"[dim]wrote {path}[/dim]")
    return 0


def _print_pose_summary(console: Console, poses: Any, cached: bool, written: list[Path]) -> None:
    attrs = poses.attrs
    table = Table(show_header=False, box=None)
    table.add_row("video", str(attrs.get("source_video")))
    table.add_row("frames", f"{poses.sizes['time']} at {attrs.get('fps', 0):.3f} fps")
    table.add_row("size", f"{attrs.get('frame_width')}x{attrs.get('frame_height')}"
                  f" (rotation {attrs.get('rotation_deg')}°)")  # fmt: skip
    table.add_row(
        "person detected",
        f"{100 * attrs.get('detection_rate', 0):.1f} % of frames "
        f"({100 * attrs.get('detection_rate_in_view', 0):.1f} % while in view)",
    )
    table.add_row("model", f"{attrs.get('model_name')} ({str(attrs.get('model_sha256'))[:12]})")
    table.add_row("poses", "from cache" if cached else "extracted")
    for path in written:
        table.add_row("wrote", str(path))
    console.print(table)


# ------------------------------------------------------------------ synth


def _describe_preset(params: Any) -> str:
    return (
        f"{params.cadence_spm:.0f} spm, {params.foot_strike} strike, "
        f"overstride {params.overstride_cm:.0f} cm, knee {params.knee_flexion_at_contact_deg:.0f}° "
        f"at contact, {params.setting}, {float(params.fps):g} fps, "
        f"{params.width_px}x{params.height_px}"
    )


def _cmd_synth(args: argparse.Namespace, console: Console) -> int:
    from runform.synth import PRESETS, write_synthetic_clip

    if args.list or args.preset is None:
        for name, params in PRESETS.items():
            console.print(f"[bold]{name}[/bold]: {_describe_preset(params)}")
        return 0 if args.list else EXIT_USAGE
    if args.preset not in PRESETS:
        raise RunformError(
            f"unknown preset '{args.preset}'",
            hint=f"choose one of: {', '.join(PRESETS)} (see `runform synth --list`)",
        )
    options = {
        "fps": args.fps,
        "duration_s": args.duration,
        "seed": args.seed,
        "direction": args.direction,
        "setting": args.setting,
        "width_px": args.width,
        "height_px": args.height,
    }
    params = PRESETS[args.preset].with_overrides(
        **{k: v for k, v in options.items() if v is not None}
    )
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    clip = write_synthetic_clip(params, out, name=args.name or args.preset)
    console.print(f"wrote {clip.video_path}")
    console.print(f"wrote {clip.truth_path}")
    return 0


# ------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``runform`` command."""
    parser = argparse.ArgumentParser(
        prog="runform",
        description="Running-technique feedback from video (Pose Method).",
    )
    parser.add_argument("--version", action="version", version=f"runform {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_models_parser(sub)
    _add_pose_parser(sub)
    _add_gait_parser(sub)
    add_analyze_parser(sub)
    add_people_parser(sub)
    add_demo_parser(sub)
    add_compare_parser(sub)
    add_progress_parser(sub)
    add_export_parser(sub)
    add_batch_parser(sub)
    add_serve_parser(sub)
    _add_synth_parser(sub)
    return parser


def _add_models_parser(sub: Any) -> None:
    models = sub.add_parser("models", help="provision and inspect the pose model")
    msub = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    fetch = msub.add_parser("fetch", help="download or build the pose model into the cache")
    fetch.add_argument("--variant", choices=("lite", "full", "heavy"), default="full")
    fetch.add_argument("--model-dir", type=Path, help="where to keep the model")
    fetch.add_argument("--wheel", type=Path, help="a local mediapipe-0.10.21 wheel to build from")
    fetch.add_argument("--offline", action="store_true", help="no network access")
    fetch.add_argument("--force", action="store_true", help="replace a cached model")
    fetch.set_defaults(handler=_cmd_models_fetch)
    info = msub.add_parser("info", help="show the model folder and cached models")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(handler=_cmd_models_info)


def _add_pose_parser(sub: Any) -> None:
    pose = sub.add_parser("pose", help="extract pose landmarks from a video")
    pose.add_argument("video", type=Path, help="video file")
    pose.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    add_extraction_options(pose)
    pose.add_argument("--csv", action="store_true", help="also write poses.csv")
    pose.add_argument("--quiet", action="store_true", help="print nothing on success")
    pose.set_defaults(handler=_cmd_pose)


def _add_gait_parser(sub: Any) -> None:
    gait = sub.add_parser(
        "gait", help="measure running: events, cadence, contact time, angles (writes gait.json)"
    )
    gait.add_argument("-o", "--output", type=Path, help="output folder (default: <video>-gait)")
    add_video_options(gait)
    gait.set_defaults(handler=_cmd_gait)


def _add_synth_parser(sub: Any) -> None:
    synth = sub.add_parser("synth", help="render a synthetic runner with ground truth")
    synth.add_argument("--preset", help="preset name (see --list)")
    synth.add_argument("--list", action="store_true", help="list the presets")
    synth.add_argument("-o", "--output", type=Path, default=Path(), help="output folder")
    synth.add_argument("--name", help="file name stem (default: the preset name)")
    synth.add_argument("--fps", type=positive_float, help="override the frame rate")
    synth.add_argument("--duration", type=positive_float, help="override the length (s)")
    synth.add_argument("--seed", type=int, help="rendering seed")
    synth.add_argument("--direction", choices=("right", "left"), help="direction of travel")
    synth.add_argument("--setting", choices=("overground", "treadmill", "tracking"), help="scene")
    synth.add_argument("--width", type=int, help="frame width (px)")
    synth.add_argument("--height", type=int, help="frame height (px)")
    synth.set_defaults(handler=_cmd_synth)


class Terminated(BaseException):
    """SIGTERM arrived: unwind (removing partial output) and exit with 143."""


def _raise_terminated(_signum: int, _frame: Any) -> None:
    raise Terminated


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while a command runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``runform`` command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console(stderr=False)
    handler: Handler = args.handler
    try:
        with _terminate_cleanly(), _capture_native_stderr(not args.debug), \
                warnings.catch_warnings():  # fmt: skip
            warnings.simplefilter("default")
            warnings.showwarning = _show_warning
            return handler(args, console)
    except RunformError as err:
        _print_error(str(err), args.debug)
        return err.exit_code
    except ValueError as err:
        _print_error(str(err), args.debug)
        return EXIT_USAGE
    except OSError as err:  # the file system refused: a path, a permission, a full disk
        where = f": {err.filename}" if err.filename else ""
        _print_error(f"{err.strerror or err}{where}", args.debug)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("runform: interrupted; no partial output was left behind", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print("runform: terminated; no partial output was left behind", file=sys.stderr)
        return EXIT_TERMINATED
    except Exception as err:
        _print_error(f"internal error: {type(err).__name__}: {err}\n"
                     "please report this with `--debug` output", args.debug)  # fmt: skip
        return EXIT_INTERNAL


def _show_warning(message: Any, category: Any, *_args: Any, **_kwargs: Any) -> None:
    print(f"runform: warning: {message}", file=sys.stderr)


def _print_error(message: str, debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc()
    print(f"runform: error: {message}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
