"""What went wrong reading a video, as facts in the poses' attrs and as sentences.

The extraction records *facts* about reading the video in the poses dataset's
attrs (:func:`measure_read_problems`): how many frames the file states, how
many were read, how many were lost to damage and where. They
name no file, so poses read back from the cache for a renamed copy say the
right thing: :func:`describe_read_problems` turns them into warning sentences
for whichever file name it is given.

Two different facts are told apart:

* **truncated**: the frames stop well before the count the file states (an
  interrupted recording or copy);
* **damaged**: frames the file holds could not be decoded intact (corrupt,
  out of order, or predicted from damaged pictures before the next keyframe;
  see :mod:`runform.io.decode_report`); the poses have an empty row (NaN
  positions, as a missed detection) for each, so the time axis stays regular.

Attrs (all plain numbers, or lists of numbers, so they survive netCDF):

=============================  ====================================================
``frames_stated``              frames the file states (header count or estimate)
``frames_stated_estimated``    1 if ``frames_stated`` is estimated from duration × fps
``frames_read``                frames decoded and analysed
``frames_lost``                frames lost to damage (empty rows in the poses)
``frames_lost_start_s``        real-world time of the first lost frame of each
                               damaged stretch, s
``frames_lost_count``          frames lost in each damaged stretch
``truncated``                  1 if the file ends early (:func:`is_truncated`), else 0
=============================  ====================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

__all__ = [
    "READ_FACTS",
    "TRUNCATED_PHRASE",
    "describe_damage",
    "describe_read_problems",
    "describe_truncation",
    "is_truncated",
    "measure_read_problems",
]

#: Names of the attrs :func:`measure_read_problems` sets.
READ_FACTS = (
    "frames_stated",
    "frames_stated_estimated",
    "frames_read",
    "frames_lost",
    "frames_lost_start_s",
    "frames_lost_count",
    "truncated",
)

#: Ends the truncation sentence; batch code looks for it in stderr.
TRUNCATED_PHRASE = "the file is probably truncated"

#: A stated frame count is met if at most this many frames are missing at the end.
_STATED_SLACK_FRAMES = 2
#: A count estimated from the duration is met at this fraction (durations are
#: rounded and variable frame rates vary).
_ESTIMATED_FRACTION = 0.8
#: Damaged stretches listed by place in a sentence; the rest are counted.
_MAX_PLACES = 3


def measure_read_problems(
    lost: Sequence[bool], times_s: Sequence[float], stated: int, estimated: bool
) -> dict[str, Any]:
    """Return the read facts of an extraction, as poses attrs.

    Parameters
    ----------
    lost
        Whether each row of the poses was put back for a frame lost to damage
        (see :func:`runform.pose.accumulate.restore_lost_frames`).
    times_s
        Real-world time of each row, s.
    stated
        Frames the file states (:attr:`~runform.io.video.VideoProperties.n_frames`).
    estimated
        Whether ``stated`` is an estimate from duration × fps.

    Returns
    -------
    dict
        The attrs named in :data:`READ_FACTS`.
    """
    put_back = np.asarray(lost, dtype=bool).reshape(-1)
    times = np.asarray(times_s, dtype=float)
    starts = np.flatnonzero(put_back & ~np.r_[False, put_back[:-1]])
    stops = np.flatnonzero(put_back & ~np.r_[put_back[1:], False]) + 1
    facts: dict[str, Any] = {
        "frames_stated": int(stated),
        "frames_stated_estimated": int(bool(estimated)),
        "frames_read": int((~put_back).sum()),
        "frames_lost": int(put_back.sum()),
        "frames_lost_start_s": [round(float(t), 6) for t in times[starts]],
        "frames_lost_count": [int(n) for n in stops - starts],
    }
    facts["truncated"] = int(is_truncated(facts))
    return facts


def _facts(source: xr.Dataset | Mapping[str, Any]) -> Mapping[str, Any]:
    return source.attrs if isinstance(source, xr.Dataset) else source


def _as_list(value: Any) -> list[Any]:
    """Return an attr as a list (netCDF gives back a scalar or an array)."""
    return [] if value is None else np.atleast_1d(np.asarray(value)).tolist()


def is_truncated(source: xr.Dataset | Mapping[str, Any]) -> bool:
    """Whether the frames stop well before the count the file states.

    Parameters
    ----------
    source
        Poses dataset, or its attrs, with the facts of :data:`READ_FACTS`.

    Returns
    -------
    bool
        True when the frames on the time axis (read and lost) fall more than
        2 short of a stated count, or below 80 % of one estimated from the
        duration. Poses extracted before these facts were recorded: whether
        they stored a truncation sentence (``attrs["truncated"]``).
    """
    facts = _facts(source)
    if "frames_stated" not in facts:
        return " ends early" in str(facts.get("truncated") or "")
    stated = int(facts["frames_stated"])
    reached = int(facts["frames_read"]) + int(facts.get("frames_lost", 0))
    if int(facts.get("frames_stated_estimated", 0)):
        return reached < _ESTIMATED_FRACTION * stated
    return reached < stated - _STATED_SLACK_FRAMES


def describe_truncation(source: xr.Dataset | Mapping[str, Any], video_name: str) -> str | None:
    """Say that a file ends early, or return ``None`` when it does not.

    Parameters
    ----------
    source
        Poses dataset, or its attrs, with the facts of :data:`READ_FACTS`.
    video_name
        Name of the video file to say.

    Returns
    -------
    str or None
        ``"<video_name> ends early: read N of the M frames its header
        states; the file is probably truncated"`` (see :func:`is_truncated`).
    """
    facts = _facts(source)
    if not is_truncated(facts):
        return None
    stated = int(facts["frames_stated"])
    read, lost = int(facts["frames_read"]), int(facts.get("frames_lost", 0))
    if int(facts.get("frames_stated_estimated", 0)):
        what = f"the ~{stated} frames its stated duration implies"
    else:
        what = f"the {stated} frames its header states"
    if lost:
        return (f"{video_name} ends early: its frames stop at frame {read + lost} of "
                f"{what}; {TRUNCATED_PHRASE}")  # fmt: skip
    return f"{video_name} ends early: read {read} of {what}; {TRUNCATED_PHRASE}"


def describe_damage(source: xr.Dataset | Mapping[str, Any], video_name: str) -> str | None:
    """Say that frames were lost to damage, or return ``None`` when none were.

    Parameters
    ----------
    source
        Poses dataset, or its attrs, with the facts of :data:`READ_FACTS`.
    video_name
        Name of the video file to say.

    Returns
    -------
    str or None
        How many frames could not be decoded, and where (the first few
        damaged stretches: frames lost and the time of the first, s).
    """
    facts = _facts(source)
    lost = int(facts.get("frames_lost", 0))
    if not lost:
        return None
    starts = _as_list(facts.get("frames_lost_start_s"))
    counts = _as_list(facts.get("frames_lost_count"))
    places = [
        f"{int(n)} {'at' if n == 1 else 'from'} {t:.2f} s"
        for t, n in zip(starts, counts, strict=False)
    ]
    where = "; ".join(places[:_MAX_PLACES])
    if len(places) > _MAX_PLACES:
        where += f"; and {len(places) - _MAX_PLACES} more place(s)"
    of = f" of {int(facts['frames_stated'])}" if "frames_stated" in facts else ""
    return (f"{video_name} is damaged: {lost}{of} frame(s) could not be decoded "
            f"intact ({where}); they are analysed as frames where nobody was "
            "detected")  # fmt: skip


def describe_read_problems(
    source: xr.Dataset | Mapping[str, Any], video_name: str
) -> tuple[str, ...]:
    """Warning sentences about reading a video, naming the given file.

    Parameters
    ----------
    source
        Poses dataset from :func:`runform.pose.extract.extract_poses` (fresh
        or from the cache), or its attrs.
    video_name
        Name of the video file to say, e.g. ``Path(video).name``.

    Returns
    -------
    tuple of str
        Empty for a file read in full. Otherwise, in this order: one
        sentence for a file that ends early, containing
        :data:`TRUNCATED_PHRASE`, and one for frames lost to damage (how
        many, and at what times).
        Poses extracted before these facts were recorded give the truncation
        sentence they stored (``attrs["truncated"]``), re-addressed to
        ``video_name``.
    """
    facts = _facts(source)
    if "frames_stated" not in facts:
        old = str(facts.get("truncated") or "")
        if " ends early" not in old:
            return ()
        return (video_name + old[old.index(" ends early") :],)
    found = (describe_truncation(facts, video_name), describe_damage(facts, video_name))
    return tuple(sentence for sentence in found if sentence is not None)
