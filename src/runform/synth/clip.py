"""Write a synthetic running clip: an H.264 MP4 and its ground-truth JSON.

Frames are rendered and encoded one at a time, so memory does not grow with
the clip length. Both files are written under temporary names and renamed
into place only when complete.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from runform.io.video_writer import VideoWriter
from runform.synth.ground_truth import compute_truth
from runform.synth.params import RunnerParams
from runform.synth.render import render_frames
from runform.synth.truth import SyntheticTruth

__all__ = ["SyntheticClip", "write_synthetic_clip"]

#: x264 quality used for synthetic clips (visually lossless).
DEFAULT_CRF = 18


@dataclass(frozen=True)
class SyntheticClip:
    """Paths of a written synthetic clip and its truth.

    Attributes
    ----------
    video_path
        The H.264 MP4 file.
    truth_path
        The ground-truth JSON beside it (``<name>.truth.json``).
    truth
        The ground truth, already in memory.
    """

    video_path: Path
    truth_path: Path
    truth: SyntheticTruth


def _default_name(params: RunnerParams) -> str:
    """Return a file stem describing the clip, e.g. ``synth_overground_right_60fps_s0``."""
    fps = params.frame_rate
    rate = f"{fps.numerator}" if fps.denominator == 1 else f"{float(fps):.2f}".replace(".", "p")
    return f"synth_{params.setting}_{params.direction}_{rate}fps_s{params.seed}"


def write_synthetic_clip(
    params: RunnerParams,
    out_dir: str | os.PathLike[str],
    *,
    name: str | None = None,
    crf: int | None = None,
) -> SyntheticClip:
    """Render a clip to ``<out_dir>/<name>.mp4`` with ``<name>.truth.json``.

    Parameters
    ----------
    params
        Runner parameters.
    out_dir
        Existing folder for the two files.
    name
        File stem; by default built from the setting, direction, frame rate
        and seed. Letters, digits, ``-``, ``_`` and ``.`` only.
    crf
        x264 constant rate factor (lower is better quality); ``None`` takes
        ``params.style.crf``, or :data:`DEFAULT_CRF` (18) when that is unset.

    Returns
    -------
    SyntheticClip
        The two paths and the truth.

    Raises
    ------
    ValueError
        If ``name`` contains other characters or ``out_dir`` is not a folder.
    """
    folder = Path(out_dir)
    if not folder.is_dir():
        raise ValueError(f"out_dir must be an existing folder, got {folder}")
    stem = name if name is not None else _default_name(params)
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", stem):
        raise ValueError(f"name must use letters, digits, '-', '_' or '.', got {stem!r}")
    truth = compute_truth(params)
    video_path = folder / f"{stem}.mp4"
    if crf is None:
        crf = params.style.crf if params.style.crf is not None else DEFAULT_CRF
    with VideoWriter(video_path, params.frame_rate, crf=crf, reproducible=True) as writer:
        for frame in render_frames(truth):
            writer.write(frame)
    truth_path = truth.to_json(folder / f"{stem}.truth.json")
    return SyntheticClip(video_path=video_path, truth_path=truth_path, truth=truth)
