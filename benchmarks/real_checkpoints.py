"""Pose Method checkpoints on the real clips: does the advice differ from runner to runner?

For every clip in ``--videos`` that has hand labels (``tests/data/event_labels``,
so the clip set is the labelled one): poses (``runform pose``, cached under
``--work``), the background motion, ``analyze_gait`` and the default rubric,
as ``runform analyze`` does. Prints each clip's activity, its focus items and
every checkpoint's status and value, and counts per checkpoint how many
clips fail it. Time checkpoints are refused on clips that look slowed, as in
the tool.

    python benchmarks/real_checkpoints.py --work /tmp/real --markdown /tmp/real-checkpoints.md
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from real_event_accuracy import add_clip_arguments, analyse_clip

from runform.checkpoints.assess import build_analysis
from runform.checkpoints.rubric import load_rubric
from runform.evaluation.event_labels import load_labels

SHORT = {"pass": "P", "warn": "W", "fail": "F", "not_measured": "-", "observed": "o"}


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_clip_arguments(parser)
    args = parser.parse_args()
    rubric = load_rubric()
    ids = [c.id for c in rubric.checkpoints if "overground" in c.applies]
    lines = [
        "| clip | activity | setting | focus | " + " | ".join(ids) + " |",
        "|---|---|---|---|" + "---|" * len(ids),
    ]
    fails: Counter[str] = Counter()
    scored: Counter[str] = Counter()
    for path in sorted(args.labels.glob("*.json")):
        clip = load_labels(path).clip
        video = args.videos / clip
        if not video.exists():
            print(f"skip {clip}: not in {args.videos}", file=sys.stderr)
            continue
        gait = analyse_clip(video, args.work)
        analysis = build_analysis(gait, rubric)
        cells = []
        for cid in ids:
            r = analysis.checkpoint(cid)
            value = "" if r.value is None else f" {r.value:.3g}"
            cells.append(f"{SHORT[r.status]}{value}")
            fails[cid] += r.status == "fail"
            scored[cid] += r.status in ("pass", "warn", "fail")
        focus = ", ".join(f.checkpoint for f in analysis.focus) or "-"
        cap = gait.capture
        lines.append(
            f"| {Path(clip).stem} | {cap.activity.label} | {cap.setting.label} | {focus} | "
            + " | ".join(cells)
            + " |"
        )
    lines.append(
        "| clips failing / scored | | | | "
        + " | ".join(f"{fails[c]}/{scored[c]}" for c in ids)
        + " |"
    )
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
