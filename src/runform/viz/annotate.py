"""What to draw on each frame of the annotated video, and drawing one frame.

:func:`plan_frame_marks` turns an :class:`~runform.checkpoints.assess.Analysis` into
per-frame marks (phase, support point, centre of mass, fall angle, knee at
contact, HUD); :func:`annotate_frame` draws them on one frame. Both are pure.

Phases (the Pose Method's vocabulary) from the contacts of both feet:
``Pose`` from a landing until the support ankle passes under the hips,
``Fall`` from there to toe-off, ``Pull`` for :data:`PULL_S` after toe-off,
``Flight`` between a take-off and the next landing. No phase is named where
nothing was measured: before the first contact or after the last, in a gap
too long to be a flight (a contact the detector missed: the block start, a
foot hidden), or in a frame where the runner's hips are not seen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from runform.checkpoints.assess import Analysis
from runform.checkpoints.measures import build_body_frame, compute_fall_lean, find_fall_window
from runform.gait.events import Contact
from runform.skeleton import KEYPOINT_INDEX
from runform.viz.overlay import (
    LEFT,
    OTHER,
    RIGHT,
    Image,
    callout_labels,
    draw_fall_arc,
    draw_skeleton,
    draw_support_and_com,
    fall_label,
    frame_scale,
    knee_label,
    panel_label,
    person_label,
)
from runform.viz.text import Label, arrange_labels, draw_labels

FloatArray = NDArray[np.float64]

#: A gap between contacts longer than this share of the median step is not a flight but a
#: missed contact (a flight is always shorter than the step it is part of).
MAX_FLIGHT_STEP_SHARE = 0.8
#: How long after toe-off the phase reads "Pull", seconds.
PULL_S = 0.06
#: How long the knee angle stays on screen after a landing, seconds.
KNEE_LABEL_S = 0.3


@dataclass(frozen=True)
class FrameMarks:
    """Per-frame marks, aligned with the poses' frames.

    Attributes
    ----------
    time_s
        ``(n,)`` frame times.
    phase
        Phase label per frame (``""`` where unknown).
    support
        ``(n, 2)`` support point in pixels (NaN when no foot is down).
    com
        ``(n, 2)`` centre of mass, pixels.
    fall_deg
        ``(n,)`` fall angle while falling (NaN otherwise), degrees.
    knee
        Per frame ``(side, knee flexion at the last landing)`` shown shortly
        after a landing, else ``None``.
    hud
        Lines of the heads-up display (cadence, contact time).
    """

    time_s: FloatArray
    phase: tuple[str, ...]
    support: FloatArray
    com: FloatArray
    fall_deg: FloatArray
    knee: tuple[tuple[str, float] | None, ...]
    hud: tuple[str, ...]


def _position(analysis: Analysis) -> NDArray[np.float64]:
    position = analysis.gait.poses["position"]
    if "individual" in position.dims:
        position = position.isel(individual=0)
    return np.asarray(position.transpose("time", "keypoint", "space").values, dtype=float)


#: Last HUD line when the clip may be slow motion: the values are as the video plays.
AS_PLAYED = "as played: may be slow motion"


def format_hud(
    cadence_spm: float | None, contact_ms: float | None, slowed: bool
) -> tuple[str, ...]:
    """Write the lines of the heads-up display: cadence and contact time, and how to read them.

    Parameters
    ----------
    cadence_spm, contact_ms
        The clip's metrics (``None`` when not measured).
    slowed
        The clip may be slow motion: the values are as played, said once
        on a line of its own.
    """
    lines = []
    if cadence_spm is not None and math.isfinite(cadence_spm):
        lines.append(f"cadence {cadence_spm:.0f} spm")
    if contact_ms is not None and math.isfinite(contact_ms):
        lines.append(f"contact {contact_ms:.0f} ms")
    if lines and slowed:
        lines.append(AS_PLAYED)
    return tuple(lines)


def _hud(analysis: Analysis) -> tuple[str, ...]:
    metrics = analysis.gait.metrics
    slowed = any(w.code == "possible_slow_motion" for w in analysis.gait.capture.warnings)
    cadence, contact = metrics.get("cadence_spm"), metrics.get("ground_contact_ms")
    return format_hud(None if cadence is None else cadence.value,
                      None if contact is None else contact.value, slowed)  # fmt: skip


def _pose_times(analysis: Analysis) -> dict[tuple[str, float], float]:
    out = {}
    for row in analysis.gait.stride_angles:
        ic = row.times_s.get("initial_contact", math.nan)
        out[(row.side, round(ic, 4))] = row.times_s.get("mid_stance", math.nan)
    return out


def plan_frame_marks(analysis: Analysis) -> FrameMarks:
    """Per-frame phase, support point, centre of mass, fall angle, knee label and HUD."""
    gait = analysis.gait
    time = np.asarray(gait.poses["time"].values, dtype=float)
    points = _position(analysis)
    n = time.size
    com_da = gait.center_of_mass
    if "individual" in com_da.dims:
        com_da = com_da.isel(individual=0)
    com = np.asarray(com_da.transpose("time", "space").values, dtype=float)
    phase = _plan_flight(time, gait.contacts, points) if gait.strides else [""] * n
    hips_seen = _see_hips(points)
    support = np.full((n, 2), np.nan)
    fall = np.full(n, np.nan)
    knee: list[tuple[str, float] | None] = [None] * n
    poses = _pose_times(analysis)
    knees = {(r.side, round(r.times_s.get("initial_contact", math.nan), 4)):
             r.values_deg.get("initial_contact", {}).get("knee_flexion", math.nan)
             for r in gait.stride_angles}  # fmt: skip
    half_frame = 0.5 * float(np.median(np.diff(time))) if n > 1 else 0.0
    body = build_body_frame(gait)
    # the video shows the fall angle only where the report scores it (not on a treadmill)
    fall_scored = any(r.id == "fall_angle" and r.measured for r in analysis.checkpoints)
    for contact in gait.contacts:
        ic, to = contact.initial_contact_s, contact.toe_off_s
        if not (math.isfinite(ic) and math.isfinite(to)):
            continue
        pose = poses.get((contact.side, round(ic, 4)), 0.5 * (ic + to))
        if not math.isfinite(pose):
            pose = 0.5 * (ic + to)
        toes = points[:, KEYPOINT_INDEX[f"{contact.side}_foot_index"]]
        lean = compute_fall_lean(body, contact.side)  # what fall_angle scores
        heel_off, _ = find_fall_window(body, contact.side, pose, to)
        for k in np.flatnonzero((time >= ic) & (time < to)):
            falling = time[k] >= pose + half_frame  # the frame nearest the Pose shows the Pose
            phase[k] = "Fall" if falling else "Pose"
            support[k] = toes[k]
            if fall_scored and falling and time[k] >= heel_off - half_frame:
                fall[k] = lean[k]
        for k in np.flatnonzero((time >= to) & (time < to + PULL_S) & hips_seen):
            if phase[k] in ("Flight", ""):
                phase[k] = "Pull"
        value = knees.get((contact.side, round(ic, 4)), math.nan)
        if math.isfinite(value):
            for k in np.flatnonzero((time >= ic) & (time < ic + KNEE_LABEL_S)):
                knee[k] = (contact.side, float(value))
    return FrameMarks(time, tuple(phase), support, com, fall, tuple(knee), _hud(analysis))


def _see_hips(points: FloatArray) -> NDArray[np.bool_]:
    """Per frame, whether either hip is placed (``points``: time, keypoint, xy)."""
    hips = [KEYPOINT_INDEX["left_hip"], KEYPOINT_INDEX["right_hip"]]
    return np.asarray(np.isfinite(points[:, hips, 0]).any(axis=1))


def _plan_flight(time: FloatArray, contacts: Sequence[Contact], points: FloatArray) -> list[str]:
    """``"Flight"`` in the gaps between contacts that are short enough to be one, else ``""``.

    ``time`` in seconds; ``points`` ``(time, keypoint, xy)`` pixels, NaN where
    unseen. Frames where neither hip is seen get ``""`` too.
    """
    phase = [""] * time.size
    spans = sorted(
        (c.initial_contact_s, c.toe_off_s)
        for c in contacts
        if math.isfinite(c.initial_contact_s) and math.isfinite(c.toe_off_s)
    )
    landings = np.array([a for a, _ in spans])
    if landings.size < 2:
        return phase
    longest = MAX_FLIGHT_STEP_SHARE * float(np.median(np.diff(landings)))
    seen = _see_hips(points)
    down_until = spans[0][1]
    for landing, take_off in spans[1:]:
        if 0 < landing - down_until <= longest:
            for k in np.flatnonzero((time >= down_until) & (time < landing) & seen):
                phase[k] = "Flight"
        down_until = max(down_until, take_off)
    return phase


def mirror_marks(marks: FrameMarks, width: float) -> FrameMarks:
    """Mirror the marks horizontally, like the frames (``x -> width - x``)."""
    support = marks.support.copy()
    com = marks.com.copy()
    support[:, 0] = width - support[:, 0]
    com[:, 0] = width - com[:, 0]
    return replace(marks, support=support, com=com)


def draw_frame_geometry(
    image: Image,
    index: int,
    marks: FrameMarks,
    points: FloatArray,
    confidence: FloatArray,
    scale: float = 1.0,
    others: Sequence[tuple[str, FloatArray, FloatArray]] = (),
) -> Image:
    """Draw the geometry of frame ``index`` (skeletons, support, centre of mass, fall arc).

    The first pass of :func:`annotate_frame`: no text (see :func:`plan_frame_labels`).
    Parameters as in :func:`annotate_frame`.
    """
    out = image
    for _name, other, other_confidence in others:
        out = draw_skeleton(out, other * scale, other_confidence, OTHER)
    out = draw_skeleton(out, points * scale, confidence)
    com = marks.com[index] * scale
    support = marks.support[index] * scale
    has_support = bool(np.all(np.isfinite(support)))
    out = draw_support_and_com(
        out,
        tuple(support) if has_support else None,
        tuple(com) if np.all(np.isfinite(com)) else None,
    )
    if has_support and math.isfinite(marks.fall_deg[index]):
        out = draw_fall_arc(out, (support[0], support[1]), (com[0], com[1]), marks.fall_deg[index])
    return out


def plan_frame_labels(
    size: tuple[int, int],
    index: int,
    marks: FrameMarks,
    points: FloatArray,
    scale: float = 1.0,
    others: Sequence[tuple[str, FloatArray, FloatArray]] = (),
    offset: tuple[float, float] = (0.0, 0.0),
    text_scale: float | None = None,
    panels: bool = True,
) -> list[Label]:
    """List the text of frame ``index``, where it is wanted (not yet placed).

    Parameters
    ----------
    size
        ``(width, height)`` of the image the text is written on.
    index, marks, points, scale, others
        As in :func:`annotate_frame`.
    offset
        Subtracted from the drawn pixels (``measured * scale - offset``): the
        top-left corner of a crop of the drawn frame.
    text_scale
        Text size (1.0 for a 720 px high frame); by default from ``size``.
    panels
        Include the phase and HUD panels in the corners.

    Returns
    -------
    list of Label
        Fixed corner panels, then the fall angle, the knee angle and the
        people's names, most important first; arrange them with
        :func:`~runform.viz.text.arrange_labels` and write them with
        :func:`~runform.viz.text.draw_labels`.
    """
    s = frame_scale(size[1]) if text_scale is None else text_scale
    ox, oy = offset
    labels: list[Label | None] = []
    if panels and marks.phase[index]:
        labels.append(panel_label(size, [marks.phase[index]], "top-left", 0.9, s))
    if panels and marks.hud:
        labels.append(panel_label(size, list(marks.hud), "top-right", 0.6, s))
    com = marks.com[index] * scale
    support = marks.support[index] * scale
    if np.all(np.isfinite(support)) and math.isfinite(marks.fall_deg[index]):
        labels.append(fall_label((support[0] - ox, support[1] - oy), (com[0] - ox, com[1] - oy),
                                 float(marks.fall_deg[index]), s))  # fmt: skip
    knee_mark = marks.knee[index]
    if knee_mark is not None:
        side, value = knee_mark
        knee = points[KEYPOINT_INDEX[f"{side}_knee"]] * scale
        colour = LEFT if side == "left" else RIGHT
        labels.append(knee_label((knee[0] - ox, knee[1] - oy), value, colour, s))
    for name, other, _confidence in others:
        labels.append(person_label(other * scale - np.array(offset), name, OTHER, s))
    return [label for label in labels if label is not None]


def annotate_frame(
    image: Image,
    index: int,
    marks: FrameMarks,
    points: FloatArray,
    confidence: FloatArray,
    scale: float = 1.0,
    others: Sequence[tuple[str, FloatArray, FloatArray]] = (),
) -> Image:
    """Draw every mark of frame ``index`` on ``image``: the geometry, then the text.

    Parameters
    ----------
    image
        The video frame (RGB ``uint8``), possibly resized from the frame the
        poses were measured on.
    index
        Frame index in the poses (and ``marks``).
    marks
        From :func:`plan_frame_marks`.
    points, confidence
        ``(33, 2)`` keypoints (pixels of the measured frame) and ``(33,)``
        confidence of this frame.
    scale
        Drawn size over measured size (pixels).
    others
        ``(label, points, confidence)`` of the people in view who are not
        analysed: drawn first, in grey, with their label.
    """
    size = (image.shape[1], image.shape[0])
    drawn = draw_frame_geometry(image, index, marks, points, confidence, scale, others)
    labels = plan_frame_labels(size, index, marks, points, scale, others)
    return draw_labels(drawn, arrange_labels(labels, size))


def choose_freeze_frames(
    analysis: Analysis, marks: FrameMarks, spacing_s: float = 0.0
) -> list[tuple[int, str, str]]:
    """Frames where each focus item's callout starts: ``(index, title, message)``.

    Landing checkpoints start on a landing, fall checkpoints at toe-off,
    pull checkpoints at the top of a swing, the rest at a Pose; of the
    stride nearest the middle of the clip whose moment lies at least
    ``spacing_s`` seconds from every callout chosen before (so each stays
    on screen for its time, and two items never share a frame). When no
    stride leaves that room (a short clip), the one farthest from the
    others is taken.

    Parameters
    ----------
    analysis
        The clip's analysis (its focus and stride angles).
    marks
        Its per-frame marks (for the frame times).
    spacing_s
        Seconds each callout stays on screen.
    """
    gait = analysis.gait
    rows = [r for r in gait.stride_angles if r.weight > 0] or list(gait.stride_angles)
    if not rows or not analysis.focus:
        return []
    middle_first = sorted(range(len(rows)), key=lambda i: abs(i - len(rows) // 2))
    event = {"landing": "initial_contact", "fall": "toe_off", "pull": "max_knee_flexion_swing"}
    out: list[tuple[int, str, str]] = []
    taken: list[float] = []
    for item in analysis.focus:
        moments = []
        for i in middle_first:
            t = rows[i].times_s.get(event.get(item.element, "mid_stance"), math.nan)
            if not math.isfinite(t):
                t = rows[i].times_s.get("initial_contact", math.nan)
            if math.isfinite(t):
                moments.append(t)
        if not moments:
            continue
        room = [t for t in moments if all(abs(t - u) >= spacing_s for u in taken)]
        t = room[0] if room else max(moments, key=lambda m: min(abs(m - u) for u in taken))
        taken.append(t)
        index = int(np.argmin(np.abs(marks.time_s - t)))
        out.append((index, item.name, item.message))
    return out


def freeze_labels(size: tuple[int, int], title: str, message: str) -> list[Label]:
    """List the text of a frame held for a focus item: its name and message as a banner."""
    return callout_labels(size, title, message)
