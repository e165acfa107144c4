"""What went wrong decoding a video: the counts, the warning and the error.

A damaged file loses frames in three ways, all counted in a
:class:`DecodeReport`:

* **corrupt**: the decoder cannot decode a frame, or flags it as corrupt;
* **bad time**: the decoder gives a frame without a timestamp, or with one
  not later than the frame before (its order is confused by the damage);
* **tainted**: a frame decodes without complaint but is predicted from a
  damaged one. FFmpeg conceals the damage by copying old picture content,
  and every later frame until the next keyframe builds on it: a moving
  runner leaves a frozen "ghost" where the damage happened, which the pose
  model may follow. These frames are dropped until the next keyframe.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from runform.errors import VideoDecodeError
from runform.io.video_probe import HINT_DAMAGED, VideoProperties

__all__ = ["CorruptFramesWarning", "DecodeReport"]


class CorruptFramesWarning(RuntimeWarning):
    """Some frames of a video could not be decoded and were skipped."""


@dataclass
class DecodeReport:
    """What went wrong while decoding one pass over a video (counts of frames).

    Filled in by :func:`~runform.io.video_decode.iter_frames` as it decodes;
    complete once the iteration has ended. The counts cover every frame the
    decoder handled, also those outside ``start_s``/``end_s``.

    Attributes
    ----------
    decoded
        Frames decoded intact (also those then dropped as bad time or
        tainted).
    corrupt
        Frames skipped because they could not be decoded, or the decoder
        flagged them as corrupt.
    bad_time
        Intact frames dropped because their timestamp was missing (in a
        stream that has timestamps), repeated, or earlier than the frame
        before.
    tainted
        Intact frames dropped because they came after damage and before the
        next keyframe, so are predicted from damaged pictures.
    stop_reason
        The read error that ended decoding before the end of the file, or
        ``None``.
    awaiting_keyframe
        Whether decoding is (or ended) between damage and the next keyframe.
    last_time_s
        Real-world time of the last frame decoding reached inside
        ``[start_s, end_s)``, kept or lost (corrupt or tainted), s; ``None``
        before the first. Frames a damaged file loses at its end lie before
        it; frames a truncated file lacks lie after it.
    """

    decoded: int = 0
    corrupt: int = 0
    bad_time: int = 0
    tainted: int = 0
    stop_reason: str | None = None
    awaiting_keyframe: bool = False
    last_time_s: float | None = None

    @property
    def damaged(self) -> bool:
        """Whether any frame was skipped or dropped, or reading stopped early."""
        lost = self.corrupt or self.bad_time or self.tainted
        return bool(lost or self.stop_reason is not None)

    def reach(self, time_s: float) -> None:
        """Note that decoding reached a frame at ``time_s`` (real-world s)."""
        if self.last_time_s is None or time_s > self.last_time_s:
            self.last_time_s = time_s


def warn_if_damaged(path: Path, report: DecodeReport) -> None:
    """Emit one :class:`CorruptFramesWarning` summarising decode problems."""
    parts = []
    if report.corrupt:
        parts.append(f"skipped {report.corrupt} corrupt frame(s)")
    if report.bad_time:
        parts.append(
            f"dropped {report.bad_time} frame(s) whose timestamp was missing, "
            "repeated or out of order"
        )
    if report.tainted:
        parts.append(
            f"dropped {report.tainted} frame(s) decoded from damaged data before the next keyframe"
        )
    if report.stop_reason is not None:
        parts.append(f"stopped early at a damaged part of the file ({report.stop_reason})")
    if parts:
        kept = report.decoded - report.bad_time - report.tainted
        warnings.warn(
            f"{path}: {' and '.join(parts)}; the other {kept} frame(s) were decoded normally",
            CorruptFramesWarning,
            stacklevel=3,
        )


def raise_if_nothing_decoded(props: VideoProperties, report: DecodeReport) -> None:
    """Raise :class:`~runform.errors.VideoDecodeError` if not a single frame decoded."""
    if report.decoded > 0:
        return
    if report.corrupt or report.stop_reason:
        got = f"{report.corrupt} undecodable frame(s)"
        if report.stop_reason:
            got += f" and a read error ({report.stop_reason})"
    else:
        got = "no frames at all"
    raise VideoDecodeError(
        f"expected decodable video frames in {props.path} ({props.codec}, "
        f"{props.n_frames} frame(s) stated), got {got}",
        hint=HINT_DAMAGED,
    )


class Clock:
    """Gives each decoded frame its pts, or rejects it when its timestamp is unusable.

    A stream whose first frame has no timestamp (a raw H.264 elementary
    stream) has none at all: its frames are timed one nominal frame
    ``step`` (ticks) apart. Otherwise a frame without a timestamp, or with
    one not later than the last accepted frame's, is rejected.
    """

    def __init__(self, step: int) -> None:
        self.step = step
        self.last: int | None = None
        self.timed: bool | None = None

    def accept(self, pts: int | None) -> int | None:
        """Return the frame's pts (stream ticks), or ``None`` to drop the frame."""
        if self.timed is None:
            self.timed = pts is not None
        if not self.timed:
            pts = 0 if self.last is None else self.last + self.step
        elif pts is None or (self.last is not None and pts <= self.last):
            return None
        self.last = pts
        return pts
