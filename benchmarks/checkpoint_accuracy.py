"""Pose Method checkpoints through real MediaPipe inference against exact keypoints.

Renders the synthetic presets (good Pose running and one fault each), runs
MediaPipe on them, scores the checkpoints, and compares each value with the
same checkpoint scored on the exact keypoints of the same clip (no pose
model): the difference is what the pose model adds. Also lists the status of
every checkpoint, so a fault that does not show through MediaPipe is visible.

    .venv/bin/python benchmarks/checkpoint_accuracy.py --work /tmp/cp-acc --markdown t.md
"""

from __future__ import annotations

import argparse
from pathlib import Path

from runform.checkpoints.assess import build_analysis
from runform.checkpoints.rubric import load_rubric
from runform.gait.analyze import analyze_gait
from runform.io.poses import load_poses, save_poses
from runform.pose.extract import ExtractionSettings, extract_poses
from runform.pose.models import resolve_model
from runform.scene.camera_motion import measure_camera_motion
from runform.synth import PRESETS, RunnerParams, read_truth_json, write_synthetic_clip
from runform.synth.truth_poses import create_truth_poses

STATUS = {"pass": "P", "warn": "W", "fail": "F", "not_measured": "-"}


def build_cases() -> dict[str, RunnerParams]:
    """Treadmill clips (10 strides) of each preset, plus the overground Pose runner."""
    cases = {
        f"{name}_treadmill": PRESETS[name].with_overrides(
            setting="treadmill", duration_s=4.0, seed=20 + i
        )
        for i, name in enumerate(
            ("pose_runner", "overstrider", "waist_bender", "low_pull", "low_cadence")
        )
    }
    cases["pose_runner_overground"] = PRESETS["pose_runner"].with_overrides(
        width_px=1920, height_px=1080, figure_height_frac=0.42, seed=30
    )
    return cases


def prepare(name: str, params: RunnerParams, work: Path, model: object) -> Path:
    """Render and extract once (cached in ``work``); return the case folder."""
    folder = work / name
    if (folder / "poses.nc").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    clip = write_synthetic_clip(params, folder, name=name)
    ds = extract_poses(clip.video_path, model, ExtractionSettings(), workers=1)  # type: ignore[arg-type]
    save_poses(ds, folder / "poses.nc")
    return folder


def evaluate(name: str, folder: Path) -> list[str]:
    """One markdown row: status and MediaPipe - exact difference per checkpoint."""
    rubric = load_rubric()
    truth = read_truth_json(folder / f"{name}.truth.json")
    ds = load_poses(folder / "poses.nc")
    motion = measure_camera_motion(folder / f"{name}.mp4", ds)
    height = truth.params.body_height_cm
    seen = build_analysis(analyze_gait(ds, height_cm=height, camera_motion=motion), rubric)
    setting = truth.params.setting
    exact = build_analysis(
        analyze_gait(create_truth_poses(truth), height_cm=height, setting=setting), rubric
    )
    cells = [name]
    for mine, ref in zip(seen.checkpoints, exact.checkpoints, strict=True):
        text = f"{STATUS[mine.status]}/{STATUS[ref.status]}"
        if mine.value is not None and ref.value is not None:
            text += f" {mine.value - ref.value:+.2g}"
        cells.append(text)
    return cells


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/runform-checkpoint-accuracy"))
    parser.add_argument("--only", nargs="*", help="case names to run")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    model = resolve_model()
    ids = [c.id for c in load_rubric().checkpoints]
    lines = ["| case | " + " | ".join(ids) + " |", "|---" * (len(ids) + 1) + "|"]
    for name, params in build_cases().items():
        if args.only and name not in args.only:
            continue
        row = evaluate(name, prepare(name, params, args.work, model))
        lines.append("| " + " | ".join(row) + " |")
        print(lines[-1], flush=True)
    table = "\n".join(lines) + "\n"
    print(table)
    if args.markdown:
        args.markdown.write_text(table)


if __name__ == "__main__":
    main()
