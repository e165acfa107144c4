"""``runform demo``: analyse the bundled sample clip and say where the report is."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from runform.commands.analyze import run_analyze

#: The bundled sample (a synthetic Pose runner on a treadmill, 175 cm tall).
SAMPLE_NAME = "pose_runner.mp4"
SAMPLE_HEIGHT_CM = 175.0


def find_sample() -> Path | None:
    """Find the bundled sample clip of a source checkout (``None`` in an installed package)."""
    candidate = Path(__file__).resolve().parents[3] / "sample_videos" / SAMPLE_NAME
    return candidate if candidate.is_file() else None


def make_sample(folder: Path) -> Path:
    """Render the sample from the synthetic runner (when no checkout is at hand)."""
    from runform.synth import PRESETS, write_synthetic_clip

    clip = write_synthetic_clip(PRESETS["treadmill"], folder, name="pose_runner")
    return clip.video_path


def run_demo(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform demo``."""
    out = Path(args.output)
    sample = find_sample()
    if sample is None:
        console.print("[dim]no bundled sample here; rendering the synthetic runner[/dim]")
        sample = make_sample(out / "sample")
    analyze_args = argparse.Namespace(
        video=sample, output=out, rubric=None, baseline=None, drill=None, no_video=False,
        height_cm=SAMPLE_HEIGHT_CM, setting="auto", model=args.model, variant="full",
        max_side=1280, slowmo=1.0, workers=None, no_cache=False, json=False, quiet=args.quiet,
    )  # fmt: skip
    code = run_analyze(analyze_args, console)
    if code == 0:
        print(f"runform demo: report at {(out / 'report.html').resolve()}")
    return code


def add_demo_parser(sub: Any) -> None:
    """Register ``runform demo``."""
    demo = sub.add_parser("demo", help="analyse the bundled sample clip and write its report")
    demo.add_argument("-o", "--output", type=Path, default=Path("demo_output"),
                      help="output folder (default: demo_output)")  # fmt: skip
    demo.add_argument("--model", type=Path, help="a pose_landmarker_*.task file")
    demo.add_argument("--quiet", action="store_true", help="print only the report's path")
    demo.set_defaults(handler=run_demo)
