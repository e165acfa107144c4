"""``runform demo``: analyse the bundled sample clip and say where the report is."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

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
    from runform.commands.analyze import print_analysis
    from runform.commands.common import print_warnings, show_progress
    from runform.pipeline import AnalysisOptions, analyze_clip, write_artifacts

    out = Path(args.output)
    sample = find_sample()
    if sample is None:
        console.print("[dim]no bundled sample here; rendering the synthetic runner[/dim]")
        sample = make_sample(out / "sample")
    options = AnalysisOptions(height_cm=SAMPLE_HEIGHT_CM, model=args.model)
    with show_progress(console, args.quiet) as progress:
        result = analyze_clip(sample, options, progress=progress)
        write_artifacts(result, out, progress=progress)
    print_warnings(result.warnings)
    if not args.quiet:
        print_analysis(console, result)
    print(f"runform demo: report at {(out / 'report.html').resolve()}")
    return 0


def add_demo_parser(sub: Any) -> None:
    """Register ``runform demo``."""
    demo = sub.add_parser("demo", help="analyse the bundled sample clip and write its report")
    demo.add_argument("-o", "--output", type=Path, default=Path("demo_output"),
                      help="output folder (default: demo_output)")  # fmt: skip
    demo.add_argument("--model", type=Path, help="a pose_landmarker_*.task file")
    demo.add_argument("--quiet", action="store_true", help="print only the report's path")
    demo.set_defaults(handler=run_demo)
