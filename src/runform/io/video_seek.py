"""Read the frames of a video at given times (seeking to each, or to a group).

See :mod:`runform.io.video` for the conventions; frames are those of
:func:`~runform.io.video_decode.iter_frames`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from runform.io.video_decode import Frame, iter_frames

__all__ = ["SEQUENTIAL_GAP_S", "read_frame_at", "read_frames_at"]

#: Times closer than this are read in one pass of decoding rather than one seek each, s.
SEQUENTIAL_GAP_S = 2.0


def _gap(times_s: Sequence[float], order: Sequence[int], i: int) -> float:
    return times_s[order[i]] - times_s[order[i - 1]]


def read_frames_at(
    path: str | os.PathLike[str],
    times_s: Sequence[float],
    *,
    max_side: int | None = None,
    slowmo: float = 1.0,
) -> list[Frame]:
    """Return the first frame at or after each of several times, like :func:`read_frame_at`.

    Times within :data:`SEQUENTIAL_GAP_S` of each other are read in one pass
    (one seek, then decoding forward), which is much cheaper than a seek per
    time: every seek decodes again from the previous key frame.

    Parameters
    ----------
    path
        Video file.
    times_s
        Real-world times in seconds from the first frame, in any order.
    max_side, slowmo
        As :func:`iter_frames`.

    Returns
    -------
    list of Frame
        One frame per time, in the order of ``times_s``.

    Raises
    ------
    ValueError
        If a time is after the last frame.
    InputFileError
        As :func:`iter_frames`.
    """
    order = sorted(range(len(times_s)), key=lambda i: times_s[i])
    found: dict[int, Frame] = {}
    start = 0
    while start < len(order):
        stop = start + 1
        while stop < len(order) and _gap(times_s, order, stop) <= SEQUENTIAL_GAP_S:
            stop += 1
        wanted = order[start:stop]
        frames = iter_frames(path, max_side=max_side, slowmo=slowmo, start_s=times_s[wanted[0]])
        try:
            for frame in frames:
                while wanted and frame.time_s >= times_s[wanted[0]]:
                    found[wanted.pop(0)] = frame
                if not wanted:
                    break
        finally:
            frames.close()
        if wanted:
            raise ValueError(f"no frame at or after {times_s[wanted[0]]} s in {path}")
        start = stop
    return [found[i] for i in range(len(times_s))]


def read_frame_at(
    path: str | os.PathLike[str],
    time_s: float,
    *,
    max_side: int | None = None,
    slowmo: float = 1.0,
) -> Frame:
    """Return the first frame at or after a given time.

    Parameters
    ----------
    path
        Video file.
    time_s
        Real-world time in seconds from the first frame (as
        :attr:`Frame.time_s`).
    max_side, slowmo
        As :func:`iter_frames`.

    Returns
    -------
    Frame
        The first frame with ``frame.time_s >= time_s``; its ``index`` is 0.

    Raises
    ------
    ValueError
        If ``time_s`` is after the last frame.
    InputFileError
        As :func:`iter_frames`.
    """
    frames = iter_frames(path, max_side=max_side, slowmo=slowmo, start_s=time_s)
    try:
        return next(frames)
    except StopIteration:
        raise ValueError(f"no frame at or after {time_s} s in {path}") from None
    finally:
        frames.close()
