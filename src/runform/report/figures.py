"""Write the plots and the key-frame sheet of an analysis to files (PNG, atomic)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from PIL import Image as PILImage

from runform.checkpoints.assess import Analysis
from runform.io.results import save_bytes
from runform.io.video import read_frames_at
from runform.viz.annotate import mirror_marks, plan_frame_marks
from runform.viz.keyframes import compose_sheet, draw_key_frame, plan_key_frames
from runform.viz.plots import (
    plot_checkpoint_profile,
    plot_com_path,
    plot_cycle_angles,
    plot_events_timeline,
    plot_rep_scores,
)


def save_figure(fig: Figure, path: Path, dpi: int = 110) -> Path:
    """Render a matplotlib figure to PNG at ``path`` (atomic)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return save_bytes(buffer.getvalue(), path)


def save_image(image: np.ndarray, path: Path) -> Path:
    """Write an RGB ``uint8`` image as PNG at ``path`` (atomic)."""
    buffer = io.BytesIO()
    PILImage.fromarray(image).save(buffer, format="PNG")
    return save_bytes(buffer.getvalue(), path)


def write_plots(analysis: Analysis, folder: Path) -> dict[str, Path]:
    """Write every plot that applies to ``folder``; return ``{name: path}`` in display order."""
    plots: dict[str, Figure] = {}
    if analysis.drill is not None:
        plots["drill_reps"] = plot_rep_scores(analysis.drill)[0]
    plots["checkpoint_profile"] = plot_checkpoint_profile(analysis)[0]
    if analysis.gait.cycle_curves:
        for angle in ("knee_flexion", "hip_flexion", "ankle_dorsiflexion", "trunk_lean"):
            plots[f"cycle_{angle}"] = plot_cycle_angles(analysis, angle)[0]
    plots["com_path"] = plot_com_path(analysis)[0]
    plots["events_timeline"] = plot_events_timeline(analysis)[0]
    return {name: save_figure(fig, folder / f"{name}.png") for name, fig in plots.items()}


def stack_with_baseline(sheet: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Put the baseline's sheet under this one, at the same width, labelled."""
    from runform.viz.overlay import draw_panel

    height = max(1, round(baseline.shape[0] * sheet.shape[1] / baseline.shape[1]))
    resized = np.asarray(
        PILImage.fromarray(baseline).resize((sheet.shape[1], height), PILImage.Resampling.LANCZOS)
    )
    top = draw_panel(sheet, ["this session"], "bottom-right", 0.7)
    bottom = draw_panel(np.ascontiguousarray(resized), ["baseline"], "bottom-right", 0.7)
    gap = np.full((8, sheet.shape[1], 3), 255, dtype=np.uint8)
    return np.ascontiguousarray(np.concatenate([top, gap, bottom], axis=0))


def write_key_frames(
    video: Path,
    analysis: Analysis,
    path: Path,
    slowmo: float = 1.0,
    baseline_sheet: Path | None = None,
    face_right: bool = False,
) -> Path | None:
    """Write the contact sheet of one representative stride.

    With ``baseline_sheet`` (the ``keyframes.png`` of the runner's baseline
    analysis) the baseline's frames are shown under this session's. With
    ``face_right`` a runner going left is mirrored (frames and marks, before
    any text is drawn) so that sheets of two sessions match.
    ``None`` when the clip has no frames to show.
    """
    marks = plan_frame_marks(analysis)
    mirror = face_right and analysis.gait.capture.direction.label == "left"
    keys = plan_key_frames(analysis, marks)
    if not keys:
        return None
    poses = analysis.gait.poses
    position, confidence = poses["position"], poses["confidence"]
    if "individual" in position.dims:
        position, confidence = position.isel(individual=0), confidence.isel(individual=0)
    points = np.asarray(position.transpose("time", "keypoint", "space").values, dtype=float)
    conf = np.asarray(confidence.transpose("time", "keypoint").values, dtype=float)
    width = float(poses.attrs.get("frame_width", 0)) or None
    panels = []
    frames = read_frames_at(video, [float(marks.time_s[k.index]) for k in keys], slowmo=slowmo)
    for key, frame in zip(keys, frames, strict=True):
        scale = frame.image.shape[1] / width if width else 1.0
        image, shown, at = frame.image, marks, points[key.index]
        if mirror and width:
            image = np.ascontiguousarray(image[:, ::-1])
            shown = mirror_marks(marks, width)
            at = at.copy()
            at[:, 0] = width - at[:, 0]
        panels.append(draw_key_frame(image, key, shown, at, conf[key.index], scale))
    sheet = compose_sheet(panels)
    if baseline_sheet is not None and baseline_sheet.is_file():
        with PILImage.open(baseline_sheet) as loaded:
            sheet = stack_with_baseline(sheet, np.asarray(loaded.convert("RGB")))
    return save_image(sheet, path)
