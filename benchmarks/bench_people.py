"""Cost of looking for and tracking more than one person, measured side by side.

    .venv/bin/python benchmarks/bench_people.py --seconds 10 --work /tmp/runform-bench-people

Renders (once, kept in ``--work``) a synthetic treadmill clip with one runner
and the same clip with a coach standing beside the treadmill (1280x720,
60 fps), then times ``extract_poses`` in one process, one worker, rounds
interleaved so that machine noise hits every mode alike (best round kept):

* ``single``: one person, no probes (``--people 1``; what every clip cost before);
* ``auto``: the default: one person plus a probe for others every second;
* ``tracked``: up to 4 people tracked from the start (``--people 4``).

On the clip with the coach, ``auto`` finds the second person at the first
probe and extracts again, tracked; the table shows what that costs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from runform.pose.extract import MAX_PEOPLE, ExtractionSettings, extract_poses
from runform.pose.models import resolve_model
from runform.synth import PRESETS, write_synthetic_clip
from runform.synth.bystander import BystanderParams, write_crowd_clip

MODES = {
    "single": ExtractionSettings(probe_people=False),
    "auto": ExtractionSettings(),
    "tracked": ExtractionSettings().with_people(MAX_PEOPLE),
}


def render(work: Path, seconds: float) -> dict[str, Path]:
    """The two clips (rendered once)."""
    work.mkdir(parents=True, exist_ok=True)
    params = PRESETS["treadmill"].with_overrides(duration_s=seconds)
    alone, crowd = work / "alone.mp4", work / "coach.mp4"
    if not alone.exists():
        write_synthetic_clip(params, work, name="alone")
    if not crowd.exists():
        coach = BystanderParams("standing", start_x_m=-1.4, facing=1, depth_scale=1.08)
        write_crowd_clip(params, [coach], work, "coach")
    return {"one runner": alone, "runner + coach": crowd}


def main() -> None:
    """Time every mode on both clips and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/runform-bench-people"))
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    clips = render(args.work, args.seconds)
    model = resolve_model(None, variant="full")
    best: dict[tuple[str, str], float] = {}
    tracks: dict[tuple[str, str], int] = {}
    for _ in range(args.repeat):
        for clip_name, clip in clips.items():
            for mode, settings in MODES.items():
                start = time.perf_counter()
                poses = extract_poses(clip, model, settings, workers=1)
                wall = time.perf_counter() - start
                key = (clip_name, mode)
                best[key] = min(best.get(key, wall), wall)
                tracks[key] = poses.sizes["individual"]
    frames = round(args.seconds * 60)
    print(f"{frames} frames per clip (1280x720, 60 fps), one process, best of {args.repeat}\n")
    print("| clip | mode | wall s | frames/s | vs single | individuals |")
    print("|---|---|---|---|---|---|")
    for (clip_name, mode), wall in best.items():
        ratio = wall / best[(clip_name, "single")]
        print(f"| {clip_name} | {mode} | {wall:.1f} | {frames / wall:.1f} | {ratio:.2f}x "
              f"| {tracks[(clip_name, mode)]} |")  # fmt: skip


if __name__ == "__main__":
    main()
