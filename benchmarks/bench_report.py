"""Time each stage of ``runform analyze`` after pose extraction, on one clip.

    .venv/bin/python benchmarks/bench_report.py [VIDEO] [--height-cm 175]

Pose extraction is measured in bench_pose_extraction.py; here the poses come
from the cache (extracted once if missing). Stages run one after the other
in one process, so their times compare side by side.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from runform.checkpoints.assess import build_analysis
from runform.checkpoints.rubric import load_rubric
from runform.gait.analyze import analyze_gait
from runform.io.video import probe_video
from runform.pipeline.poses import compute_poses
from runform.pose.extract import ExtractionSettings
from runform.pose.models import resolve_model
from runform.report.figures import write_key_frames, write_plots
from runform.report.html import build_context, render_report
from runform.report.video import write_annotated_video


def main() -> None:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "video", type=Path, nargs="?", default=Path("sample_videos/pose_runner.mp4")
    )
    parser.add_argument("--height-cm", type=float, default=175.0)
    args = parser.parse_args()
    poses, _ = compute_poses(args.video, resolve_model(), ExtractionSettings(), workers=1)
    props = probe_video(args.video)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        clock = time.perf_counter()
        gait = analyze_gait(poses, height_cm=args.height_cm)
        rows.append(("analyze_gait", time.perf_counter() - clock))
        clock = time.perf_counter()
        analysis = build_analysis(gait, load_rubric())
        rows.append(("checkpoints + focus", time.perf_counter() - clock))
        clock = time.perf_counter()
        write_annotated_video(args.video, analysis, out / "annotated.mp4")
        rows.append(("annotated.mp4", time.perf_counter() - clock))
        clock = time.perf_counter()
        keyframes = write_key_frames(args.video, analysis, out / "keyframes.png")
        rows.append(("keyframes.png", time.perf_counter() - clock))
        clock = time.perf_counter()
        plots = write_plots(analysis, out / "plots")
        rows.append(("plots/", time.perf_counter() - clock))
        clock = time.perf_counter()
        html = render_report(
            build_context(analysis, args.video.name, "annotated.mp4", keyframes, plots)
        )
        (out / "report.html").write_text(html)
        rows.append(("report.html", time.perf_counter() - clock))
    n = props.n_frames
    size = f"{props.width}x{props.height}, {float(props.fps):.2f} fps, {n} frames"
    print(f"clip: {args.video} ({size})\n")
    print("| stage | seconds | ms per frame |\n|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {1000 * seconds / n:.1f} |")


if __name__ == "__main__":
    main()
