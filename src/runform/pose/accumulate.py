"""Per-frame landmarks collected during extraction, and their time axis.

An :class:`Accumulator` holds one row per frame: the landmarks MediaPipe
found, or empty ones. Segments extracted in parallel are joined with
:func:`merge_segments`; frames a damaged file lost are put back as empty rows
by :func:`restore_lost_frames`, so the time axis stays regular and a lost
frame reads like a frame where nobody was detected.

A row put back has no ``pts`` (NaN) and, as its frame number, the number of
the next frame decoded: the poses' ``frame`` coordinate keeps naming frames as
:func:`~runform.io.video.iter_frames` numbers them (the report draws each
decoded frame's row), and a gait event inside a lost stretch is given the
frame shown right after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from runform.io.video import DecodeReport, Frame
from runform.pose.landmarker import N_KEYPOINTS, FrameLandmarks

#: A gap between two frames longer than this many nominal frame intervals has
#: lost frames in it (when the decoder reported damage).
_LOST_GAP_STEPS = 1.5


def _nobody() -> FrameLandmarks:
    """Landmarks of a frame in which nobody was found."""
    return FrameLandmarks(
        np.zeros((0, N_KEYPOINTS, 2), np.float32),
        np.zeros((0, N_KEYPOINTS), np.float32),
        np.zeros((0, N_KEYPOINTS), np.float32),
        np.zeros((0, N_KEYPOINTS, 3), np.float32),
    )


@dataclass
class Accumulator:
    """Per-frame landmarks collected during extraction.

    One person: the arrays of the first person found (NaN when none). Many
    (``crowd`` not None): every person of every frame, linked into tracks
    when the dataset is assembled.

    Attributes
    ----------
    frames
        Decoded-frame number of each row (for a row put back for a lost
        frame, that of the next frame decoded).
    times
        Real-world time of each row, s.
    pts
        Raw presentation time of each row in the file, s (NaN for lost ones).
    normalized, visibility, presence, world
        One person's landmarks per row (see
        :class:`~runform.pose.landmarker.FrameLandmarks`).
    crowd
        Everybody's landmarks per row, when tracking many people.
    lost
        Whether each row was put back for a frame lost to damage.
    decode
        What the decoder reported while reading these frames.
    """

    frames: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    pts: list[float] = field(default_factory=list)
    normalized: list[np.ndarray] = field(default_factory=list)
    visibility: list[np.ndarray] = field(default_factory=list)
    presence: list[np.ndarray] = field(default_factory=list)
    world: list[np.ndarray] = field(default_factory=list)
    crowd: list[FrameLandmarks] | None = None  # everybody per frame, when tracking many
    lost: list[bool] = field(default_factory=list)
    decode: DecodeReport = field(default_factory=DecodeReport)

    def add(self, frame: Frame, found: FrameLandmarks) -> None:
        """Append the landmarks found in one decoded frame."""
        self._append(frame.index, frame.time_s, frame.pts_time_s, found)
        self.lost.append(False)

    def add_lost(self, number: int, time_s: float) -> None:
        """Append an empty row for a frame lost to damage, at ``time_s`` (s)."""
        self._append(number, time_s, float("nan"), _nobody())
        self.lost.append(True)

    def _append(self, number: int, time_s: float, pts_s: float, found: FrameLandmarks) -> None:
        self.frames.append(number)
        self.times.append(time_s)
        self.pts.append(pts_s)
        if self.crowd is not None:
            self.crowd.append(found)
            return
        if found.n_people:
            self.normalized.append(found.normalized[0])
            self.visibility.append(found.visibility[0])
            self.presence.append(found.presence[0])
            self.world.append(found.world[0])
        else:
            self.normalized.append(np.full((N_KEYPOINTS, 2), np.nan, np.float32))
            self.visibility.append(np.zeros(N_KEYPOINTS, np.float32))
            self.presence.append(np.zeros(N_KEYPOINTS, np.float32))
            self.world.append(np.full((N_KEYPOINTS, 3), np.nan, np.float32))

    def copy_row(self, row: int, into: Accumulator) -> None:
        """Append row ``row`` of this accumulator to ``into``."""
        into.frames.append(self.frames[row])
        into.lost.append(self.lost[row] if self.lost else False)
        into.times.append(self.times[row])
        into.pts.append(self.pts[row])
        if self.crowd is not None and into.crowd is not None:
            into.crowd.append(self.crowd[row])
            return
        into.normalized.append(self.normalized[row])
        into.visibility.append(self.visibility[row])
        into.presence.append(self.presence[row])
        into.world.append(self.world[row])


def merge_reports(reports: list[DecodeReport]) -> DecodeReport:
    """Add up the decode reports of several segments, in time order."""
    stops = [r.stop_reason for r in reports if r.stop_reason is not None]
    reached = [r.last_time_s for r in reports if r.last_time_s is not None]
    return DecodeReport(
        decoded=sum(r.decoded for r in reports),
        corrupt=sum(r.corrupt for r in reports),
        bad_time=sum(r.bad_time for r in reports),
        tainted=sum(r.tainted for r in reports),
        stop_reason=stops[0] if stops else None,
        awaiting_keyframe=bool(reports) and reports[-1].awaiting_keyframe,
        last_time_s=max(reached) if reached else None,
    )


def merge_segments(parts: list[Accumulator]) -> Accumulator:
    """Concatenate segment results in time order and renumber the frames."""
    merged = Accumulator(crowd=[] if parts and parts[0].crowd is not None else None)
    for part in parts:
        for name in ("times", "pts", "normalized", "visibility", "presence", "world"):
            getattr(merged, name).extend(getattr(part, name))
        merged.lost.extend(part.lost or [False] * len(part.times))
        if merged.crowd is not None and part.crowd is not None:
            merged.crowd.extend(part.crowd)
    merged.frames = list(range(len(merged.times)))
    merged.decode = merge_reports([part.decode for part in parts])
    return merged


def check_segments_contiguous(
    parts: list[Accumulator],
    segments: list[tuple[float | None, float | None]],
    fps: float,
) -> bool:
    """Tell whether each segment's first frame starts right at its boundary.

    Parameters
    ----------
    parts
        Results of each segment, in order.
    segments
        The planned ``(start_s, end_s)`` intervals.
    fps
        Real-world frame rate, frames/s.

    Returns
    -------
    bool
        False if a segment (after the first) is empty or its first frame
        comes more than 1.5 frame intervals after its start, i.e. frames
        between the boundary and that first frame were skipped.
    """
    tolerance = 1.5 / fps if fps > 0 else 0.0
    for part, (start, _) in zip(parts[1:], segments[1:], strict=True):
        if not part.times or (start is not None and part.times[0] > start + tolerance):
            return False
    return True


def count_lost_frames(
    times_s: np.ndarray, step_s: float, last_s: float | None = None
) -> np.ndarray:
    """Frames missing around the frames read, judged from the nominal frame interval.

    Parameters
    ----------
    times_s
        Increasing real-world times of the frames read, s.
    step_s
        Nominal interval between frames, s (``1 / fps`` in real-world time).
    last_s
        Time of the last frame decoding reached, kept or lost, s (see
        :attr:`~runform.io.video.DecodeReport.last_time_s`); frames lost
        after the last frame read are counted up to it.

    Returns
    -------
    numpy.ndarray
        ``int``, one more than ``times_s``: how many frames are missing
        before each frame read (for the first: from time 0), then after the
        last one (up to ``last_s``). A gap of up to 1.5 intervals between two
        frames counts as no loss.
    """
    times = np.asarray(times_s, dtype=float)
    lost = np.zeros(times.size + 1, dtype=int)
    if times.size == 0 or not step_s > 0:
        return lost
    gaps = np.diff(times, prepend=0.0)
    lost[:-1] = np.rint(gaps / step_s).astype(int) - 1
    lost[:-1][gaps <= _LOST_GAP_STEPS * step_s] = 0
    lost[0] = int(np.rint(times[0] / step_s)) if times[0] > 0.5 * step_s else 0
    if last_s is not None and last_s > times[-1] + 0.5 * step_s:
        lost[-1] = int(np.rint((last_s - times[-1]) / step_s))
    return np.maximum(lost, 0)


def restore_lost_frames(acc: Accumulator, step_s: float) -> Accumulator:
    """Put back an empty row for each frame a damaged file lost.

    Only when the decoder reported damage (see
    :class:`~runform.io.video.DecodeReport`): each gap between two frames
    read that spans ``n`` nominal intervals (more than 1.5) gets ``n - 1``
    rows, evenly spaced in time; frames missing before the first frame read
    are put back from time 0, and those after the last one up to the last
    frame decoding reached (damaged frames at the end of the file; frames a
    truncated file lacks are not put back). A row put back has no landmarks
    (as a frame where nobody was detected), no ``pts`` (NaN) and the frame
    number of the next frame read (after the last: one past it).

    Parameters
    ----------
    acc
        Landmarks of the frames read, in time order.
    step_s
        Nominal interval between frames, real-world s.

    Returns
    -------
    Accumulator
        ``acc`` itself when nothing was lost, else a new one.
    """
    lost = count_lost_frames(np.asarray(acc.times), step_s, acc.decode.last_time_s)
    if not acc.decode.damaged or not lost.any():
        return acc
    out = Accumulator(crowd=[] if acc.crowd is not None else None, decode=acc.decode)
    previous = 0.0
    for row, (missing, time_s) in enumerate(zip(lost, acc.times, strict=False)):
        if row == 0:  # from time 0 up to the first frame read
            filler = [k * time_s / missing for k in range(missing)]
        else:  # evenly between the two frames read
            step = (time_s - previous) / (missing + 1)
            filler = [previous + k * step for k in range(1, missing + 1)]
        for lost_s in filler:
            out.add_lost(acc.frames[row], lost_s)
        acc.copy_row(row, out)
        previous = time_s
    for k in range(1, int(lost[-1]) + 1):  # after the last frame read, one interval apart
        out.add_lost(acc.frames[-1] + 1, previous + k * step_s)
    return out
