"""CPU time of each step after pose extraction, in a warm long-lived process.

What a batch worker or a server worker spends per video once the poses are
known: ``analyze_clip`` (poses from the cache) and ``write_artifacts``
without the annotated video, split into the background-motion check, the
gait analysis, the plots and the key frames. Each step is timed with
``time.process_time`` (all threads of this process), so the figures hold up
better than wall time on a shared machine; the last of ``--rounds`` rounds is
printed (the first pays the imports and fills the poses cache).

    python benchmarks/bench_after_pose.py CLIP.mp4 --work /tmp/after-pose
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def timed(spent: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, adding the CPU seconds of each call to ``spent[name]``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - start

    return wrapper


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("video", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/runform-after-pose"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("RUNFORM_CACHE_DIR", str(args.work / "cache"))

    import runform.gait.analyze as gait_module
    import runform.pipeline.clip as clip_module
    import runform.report.figures as figures_module
    from runform.pipeline.artifacts import OutputOptions, write_artifacts

    spent: dict[str, float] = {}
    # the pipeline imports these by name when it runs, so patching the modules reaches it
    clip_module.sample_camera_motion = timed(  # type: ignore[assignment]
        spent, "background-motion check", clip_module.sample_camera_motion
    )
    gait_module.analyze_gait = timed(spent, "gait analysis", gait_module.analyze_gait)  # type: ignore[assignment]
    figures_module.write_plots = timed(spent, "plots", figures_module.write_plots)  # type: ignore[assignment]
    figures_module.write_key_frames = timed(  # type: ignore[assignment]
        spent, "key frames", figures_module.write_key_frames
    )
    analyze = timed(spent, "analyze_clip", clip_module.analyze_clip)
    write = timed(spent, "write_artifacts", write_artifacts)
    total = 0.0
    for round_index in range(args.rounds):
        spent.clear()
        start = time.process_time()
        write(analyze(args.video), args.work / f"out{round_index}", OutputOptions(video=False))
        total = time.process_time() - start
    print(f"CPU seconds, round {args.rounds} of {args.rounds}: total {total:.2f}")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {name}: {seconds:.2f}")


if __name__ == "__main__":
    main()
