"""A contact sheet of one representative stride: landing, the Pose, toe-off, mid-swing.

Pure: frames in (already read from the video), one image out. Each panel
is cropped around the runner, annotated like the video, titled, and lists
the values measured at that instant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np
from numpy.typing import NDArray

from runform.checkpoints.assess import Analysis
from runform.gait.stride_kinematics import StrideAngles, choose_representative_stride
from runform.viz.annotate import FrameMarks, draw_frame_geometry, plan_frame_labels
from runform.viz.overlay import Image, panel_label
from runform.viz.text import Label, arrange_labels, draw_labels

FloatArray = NDArray[np.float64]

#: The instants shown, in order: (event key in the stride angles, title).
KEY_EVENTS = (
    ("initial_contact", "Landing"),
    ("mid_stance", "Pose"),
    ("toe_off", "Toe-off (end of fall)"),
    ("max_knee_flexion_swing", "Mid-swing (pull)"),
)
#: Height of each panel in the sheet, pixels.
PANEL_HEIGHT = 480
#: Text size on a panel (1.0 is the size on a 720 px high video frame).
TEXT_SCALE = 0.8


@dataclass(frozen=True)
class KeyFrame:
    """One instant of the sheet: its poses index, time, title and value lines."""

    index: int
    time_s: float
    title: str
    lines: tuple[str, ...]


def choose_stride(analysis: Analysis) -> StrideAngles | None:
    """Pick the representative stride (:func:`choose_representative_stride`)."""
    rows = analysis.gait.stride_angles
    index = choose_representative_stride([(r.weight, r.times_s, r.values_deg) for r in rows])
    return None if index is None else rows[index]


def _value_lines(row: StrideAngles, event: str) -> tuple[str, ...]:
    values = row.values_deg.get(event, {})
    names = {
        "initial_contact": ("knee_flexion", "shank_angle", "foot_angle"),
        "mid_stance": ("knee_flexion", "trunk_lean"),
        "toe_off": ("hip_flexion", "trunk_lean"),
        "max_knee_flexion_swing": ("knee_flexion",),
    }[event]
    lines = []
    for name in names:
        value = values.get(name, math.nan)
        if math.isfinite(value):
            lines.append(f"{name.replace('_', ' ')} {value:.0f}°")
    return tuple(lines)


def plan_key_frames(analysis: Analysis, marks: FrameMarks) -> list[KeyFrame]:
    """List the instants of the sheet.

    Those of the representative stride when the view gives stride angles;
    otherwise the landing, mid-contact, toe-off and mid-swing of the middle
    stride (front and rear views); otherwise four frames evenly over the clip.
    """
    row = choose_stride(analysis)
    if row is not None:
        return [
            KeyFrame(
                _nearest(marks, t), t, f"{title} ({row.side}, {t:.2f} s)", _value_lines(row, event)
            )
            for event, title in KEY_EVENTS
            if math.isfinite(t := row.times_s.get(event, math.nan))
        ]
    strides = [s for s in analysis.gait.strides if math.isfinite(s.toe_off_s)]
    if strides:
        stride = strides[len(strides) // 2]
        times = (stride.start_s, 0.5 * (stride.start_s + stride.toe_off_s), stride.toe_off_s,
                 0.5 * (stride.toe_off_s + stride.end_s))  # fmt: skip
        titles = ("Landing", "Mid-contact", "Toe-off", "Mid-swing")
        return [KeyFrame(_nearest(marks, t), t, f"{title} ({stride.side}, {t:.2f} s)", ())
                for t, title in zip(times, titles, strict=True)]  # fmt: skip
    if marks.time_s.size == 0:
        return []
    picks = np.linspace(0, marks.time_s.size - 1, 6)[1:-1].round().astype(int)
    instants = [float(marks.time_s[k]) for k in picks]
    return [
        KeyFrame(int(k), t, f"{t:.2f} s (no strides found)", ())
        for k, t in zip(picks, instants, strict=True)
    ]


def _nearest(marks: FrameMarks, time_s: float) -> int:
    return int(np.argmin(np.abs(marks.time_s - time_s)))


def crop_box(
    size: tuple[int, int], points: FloatArray, margin: float = 0.25
) -> tuple[int, int, int, int]:
    """Find the keypoints' box plus a margin (of its height) inside a ``(width, height)`` image.

    Returns
    -------
    tuple of int
        ``(left, top, right, bottom)`` pixels; the whole image when no
        keypoint is seen or the box would be under 8 pixels.
    """
    width, height = size
    ok = np.all(np.isfinite(points), axis=1)
    if not ok.any():
        return 0, 0, width, height
    (x0, y0), (x1, y1) = points[ok].min(axis=0), points[ok].max(axis=0)
    pad = margin * max(y1 - y0, 1.0)
    left, right = int(max(0, x0 - pad)), int(min(width, x1 + pad))
    top, bottom = int(max(0, y0 - pad)), int(min(height, y1 + pad))
    if right - left < 8 or bottom - top < 8:
        return 0, 0, width, height
    return left, top, right, bottom


def crop_around(image: Image, points: FloatArray, margin: float = 0.25) -> Image:
    """Crop ``image`` to the keypoints' box plus a margin (of the box height)."""
    left, top, right, bottom = crop_box((image.shape[1], image.shape[0]), points, margin)
    return image[top:bottom, left:right]


def compose_sheet(panels: list[Image], height: int = PANEL_HEIGHT) -> Image:
    """Resize panels to one height and lay them side by side."""
    resized = []
    for panel in panels:
        scale = height / panel.shape[0]
        width = max(1, round(panel.shape[1] * scale))
        resized.append(
            np.asarray(
                cv2.resize(panel, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8
            )
        )
    gap = np.full((height, 6, 3), 255, dtype=np.uint8)
    parts: list[Image] = []
    for panel in resized:
        parts += [panel, gap]
    return (
        np.ascontiguousarray(np.concatenate(parts[:-1], axis=1))
        if parts
        else np.zeros((height, 1, 3), np.uint8)
    )


def draw_key_frame(
    image: Image,
    key: KeyFrame,
    marks: FrameMarks,
    points: FloatArray,
    confidence: FloatArray,
    scale: float,
) -> Image:
    """Annotate, crop and title one instant: a panel :data:`PANEL_HEIGHT` pixels high.

    The geometry is drawn on the frame, which is then cropped and resized;
    the text is written last, on the panel at its own size, so it stays
    sharp and no label lies on another.
    """
    drawn = draw_frame_geometry(image, key.index, marks, points, confidence, scale)
    left, top, right, bottom = crop_box((image.shape[1], image.shape[0]), points * scale)
    factor = PANEL_HEIGHT / (bottom - top)
    size = (max(1, round((right - left) * factor)), PANEL_HEIGHT)
    method = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    panel = np.asarray(cv2.resize(drawn[top:bottom, left:right], size, interpolation=method),
                       dtype=np.uint8)  # fmt: skip
    placement = (scale * factor, left * factor, top * factor)
    labels = plan_key_labels(size, key, marks, points, placement)
    return draw_labels(panel, arrange_labels(labels, size))


def plan_key_labels(
    size: tuple[int, int],
    key: KeyFrame,
    marks: FrameMarks,
    points: FloatArray,
    placement: tuple[float, float, float],
) -> list[Label]:
    """Plan the text of one key-frame panel: title, the instant's values, the body's labels.

    A panel that states the knee angle of its instant does not also show
    the landing's knee angle, which the video holds on screen for a moment
    after each landing: one knee number per panel.

    Parameters
    ----------
    size
        The panel's (width, height), pixels.
    key
        The instant: its frame index, title and value lines.
    marks
        The clip's per-frame marks.
    points
        ``(keypoint, xy)`` of that frame, measured pixels.
    placement
        ``(scale, left, top)``: panel pixels per measured pixel, and the
        crop's offset in panel pixels.

    Returns
    -------
    list of Label
        Unplaced labels; :func:`runform.viz.text.arrange_labels` places them.
    """
    scale, left, top = placement
    labels = [panel_label(size, [key.title], "top-left", 0.7, TEXT_SCALE)]
    if key.lines:
        labels.append(panel_label(size, list(key.lines), "bottom-left", 0.6, TEXT_SCALE))
    if any("knee" in line for line in key.lines):
        knee = list(marks.knee)
        knee[key.index] = None
        marks = replace(marks, knee=tuple(knee))
    labels += plan_frame_labels(size, key.index, marks, points, scale, offset=(left, top),
                                text_scale=TEXT_SCALE, panels=False)  # fmt: skip
    return labels
