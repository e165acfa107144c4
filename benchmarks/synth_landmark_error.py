"""Measure MediaPipe's landmark error on synthetic runner clips.

For each preset (and seed) a clip is rendered to H.264 MP4 with its exact
ground truth, decoded again, and run through MediaPipe's PoseLandmarker in
VIDEO mode. The script prints, per clip, the detection rate and the landmark
error (pixel distance to the truth, as a percentage of the runner's standing
height in pixels) per keypoint group: median and 90th percentile.

Two errors are reported: ``raw`` compares each MediaPipe landmark with the
truth of the same name; ``swap`` forgives left/right swaps by taking, per
frame and per limb pair, the better of the two assignments (a leg swap is a
known MediaPipe failure that later stages repair).

Usage::

    python benchmarks/synth_landmark_error.py --model models/pose_landmarker_full.task
    python benchmarks/synth_landmark_error.py --model M --presets pose_runner,treadmill \
        --seeds 0,1,2 --direct
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from runform.skeleton import KEYPOINT_INDEX, KEYPOINT_NAMES
from runform.synth import (
    PRESETS,
    SyntheticTruth,
    compute_truth,
    render_frames,
    write_synthetic_clip,
)

GROUPS: dict[str, tuple[str, ...]] = {
    "face": ("nose", "left_eye", "right_eye", "left_ear", "right_ear"),
    "shoulders": ("left_shoulder", "right_shoulder"),
    "elbows": ("left_elbow", "right_elbow"),
    "wrists": ("left_wrist", "right_wrist"),
    "hips": ("left_hip", "right_hip"),
    "knees": ("left_knee", "right_knee"),
    "ankles": ("left_ankle", "right_ankle"),
    "heels": ("left_heel", "right_heel"),
    "toes": ("left_foot_index", "right_foot_index"),
}
BODY = tuple(name for group in list(GROUPS.values())[1:] for name in group)


@dataclass
class ClipResult:
    name: str
    frames: int
    detected: int
    raw: dict[str, np.ndarray]
    swap: dict[str, np.ndarray]
    near: np.ndarray
    far: np.ndarray
    seconds: float


def decode_rgb(
    path: Path, width: int, height: int, max_side: int | None = None
) -> Iterator[np.ndarray]:
    """Decode an MP4 to RGB frames cropped to the requested size.

    With ``max_side``, frames are decoded as runform's pose extraction
    decodes them (:func:`runform.io.video.iter_frames`, longest side at most
    ``max_side`` px); landmarks are normalised, so the error is still
    measured in full-size pixels.
    """
    if max_side is not None:
        from runform.io.video import iter_frames

        for decoded in iter_frames(path, max_side=max_side, warn=False):
            yield decoded.image
        return
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            yield frame.to_ndarray(format="rgb24")[:height, :width]


def run_mediapipe(model: Path, frames: Iterator[np.ndarray], truth: SyntheticTruth) -> np.ndarray:
    """Return (N, 33, 2) predicted pixels, NaN where no pose was found."""
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=1,
    )
    w, h = truth.params.width_px, truth.params.height_px
    out = np.full((truth.n_frames, len(KEYPOINT_NAMES), 2), np.nan)
    last_ms = -1
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        for i, rgb in enumerate(frames):
            if i >= truth.n_frames:
                break
            stamp = max(round(truth.frame_times_s[i] * 1000.0), last_ms + 1)
            last_ms = stamp
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
            result = landmarker.detect_for_video(image, stamp)
            if result.pose_landmarks:
                lm = result.pose_landmarks[0]
                out[i] = [(p.x * w, p.y * h) for p in lm]
    return out


def swap_name(name: str) -> str:
    if name.startswith("left_"):
        return "right_" + name[5:]
    if name.startswith("right_"):
        return "left_" + name[6:]
    return name


def measure(name: str, truth: SyntheticTruth, pred: np.ndarray, seconds: float) -> ClipResult:
    unit = truth.body.height_m * truth.camera.scale_px_per_m
    found = ~np.isnan(pred[:, 0, 0])
    err = np.linalg.norm(pred - truth.keypoints_px, axis=-1) / unit * 100.0
    k = KEYPOINT_INDEX
    swapped_idx = [k[swap_name(n)] for n in KEYPOINT_NAMES]
    err_swapped = np.linalg.norm(pred[:, swapped_idx] - truth.keypoints_px, axis=-1) / unit * 100
    # per frame: choose for arms and legs separately whether swapping helps
    leg = [
        k[n]
        for n in KEYPOINT_NAMES
        if any(p in n for p in ("hip", "knee", "ankle", "heel", "foot"))
    ]
    arm = [
        k[n]
        for n in KEYPOINT_NAMES
        if any(p in n for p in ("shoulder", "elbow", "wrist", "pinky", "index", "thumb"))
        and "foot" not in n
    ]
    best = err.copy()
    for idx in (leg, arm):
        use = np.nansum(err_swapped[:, idx], axis=1) < np.nansum(err[:, idx], axis=1)
        best[np.ix_(use, idx)] = err_swapped[np.ix_(use, idx)]
    raw = {g: err[found][:, [k[n] for n in names]].ravel() for g, names in GROUPS.items()}
    swap = {g: best[found][:, [k[n] for n in names]].ravel() for g, names in GROUPS.items()}
    raw["body"] = err[found][:, [k[n] for n in BODY]].ravel()
    swap["body"] = best[found][:, [k[n] for n in BODY]].ravel()
    near_side = truth.near_side
    near = err[found][:, [k[n] for n in BODY if n.startswith(near_side)]].ravel()
    far = err[found][:, [k[n] for n in BODY if not n.startswith(near_side)]].ravel()
    return ClipResult(name, truth.n_frames, int(found.sum()), raw, swap, near, far, seconds)


def evaluate(
    model: Path,
    preset: str,
    seed: int,
    direct: bool,
    workdir: Path,
    height: int | None = None,
    max_sides: tuple[int | None, ...] = (None,),
) -> list[ClipResult]:
    """Render one clip and measure MediaPipe on it, once per inference size."""
    params = PRESETS[preset].with_overrides(seed=seed)
    if height is not None:  # same framing, another resolution (16:9)
        params = params.with_overrides(width_px=round(height * 16 / 9), height_px=height)
    truth, clip_path = compute_truth(params), None
    if not direct:
        clip = write_synthetic_clip(params, workdir, name=f"{preset}_s{seed}")
        truth, clip_path = clip.truth, clip.video_path
    results = []
    for side in max_sides:
        start = time.perf_counter()
        if clip_path is None:
            frames = render_frames(truth)
        else:
            frames = decode_rgb(clip_path, params.width_px, params.height_px, side)
        pred = run_mediapipe(model, frames, truth)
        name = f"{preset}/s{seed}" + ("" if side is None else f" @{side}")
        results.append(measure(name, truth, pred, time.perf_counter() - start))
    return results


def format_row(r: ClipResult, which: str) -> str:
    errs = r.raw if which == "raw" else r.swap
    cells = [
        f"{np.median(errs[g]):5.2f}/{np.percentile(errs[g], 90):5.1f}"
        if errs[g].size
        else "   -/ -  "
        for g in ["body", *GROUPS]
    ]
    rate = 100.0 * r.detected / r.frames
    return f"{r.name:<28} {which:<4} {rate:6.1f}% " + " ".join(cells)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="pose_landmarker_*.task")
    parser.add_argument("--presets", default=",".join(PRESETS), help="comma-separated")
    parser.add_argument("--seeds", default="0", help="comma-separated rendering seeds")
    parser.add_argument("--direct", action="store_true", help="skip the MP4 round trip")
    parser.add_argument("--height", type=int, help="render at this height, 16:9 (px)")
    parser.add_argument("--max-side", type=int, nargs="+", default=[None],
                        help="decode as runform does at these inference sizes (px), "
                             "each measured on the same clip")  # fmt: skip
    args = parser.parse_args(argv)
    if not args.model.is_file():
        print(f"model not found: {args.model}", file=sys.stderr)
        return 2
    header = f"{'clip':<28} {'err':<4} {'detect':>7} " + " ".join(
        f"{g:>11}" for g in ["body", *GROUPS]
    )
    print("landmark error, % of body height: median/p90")
    print(header)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for preset in args.presets.split(","):
            for seed in (int(s) for s in args.seeds.split(",")):
                sides = tuple(args.max_side)
                for r in evaluate(args.model, preset, seed, args.direct, Path(tmp), args.height,
                                  sides):  # fmt: skip
                    results.append(r)
                    print(format_row(r, "raw"))
                    print(format_row(r, "swap"))
                    near, far = np.median(r.near), np.median(r.far)
                    print(f"{'':<28} near/far body median {near:.2f}/{far:.2f}", end="")
                    print(f"  ({r.seconds:.1f} s)", flush=True)
    total = sum(r.frames for r in results)
    det = sum(r.detected for r in results)
    allraw = np.concatenate([r.raw["body"] for r in results])
    allswap = np.concatenate([r.swap["body"] for r in results])
    print(f"ALL: detected {100.0 * det / total:.1f}% of {total} frames; ", end="")
    print(f"body median raw {np.median(allraw):.2f}%, swap-tolerant {np.median(allswap):.2f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
