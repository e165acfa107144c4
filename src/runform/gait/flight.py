"""Running told from walking by flight and by a bounce that bottoms out in stance.

Two signals, neither of which depends on when exactly a foot lands or
leaves the ground (so neither inherits the contact-time errors that make a
duty factor unreliable on real footage):

* **flight share**: the share of frames in which *both* feet are clearly off
  their ground, higher than :data:`FLIGHT_HEIGHT` leg lengths. Walking
  always keeps one foot down.
* **stance bounce**: the hips' height in the middle of each stance, against
  their mean height over the step around it. A runner's centre of mass is
  lowest in mid-stance (the leg works as a spring) and highest in flight; a
  walker vaults over a stiff leg and is highest in mid-stance (Cavagna,
  Thys & Zamboni 1976, J Physiol 262:639; Farley & Ferris 1998, Exerc Sport
  Sci Rev 26:253). The sign tells the two gaits apart.

All functions are pure; heights are in leg lengths, up positive.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from runform.gait.events import Contact

FloatArray = NDArray[np.float64]

#: Both feet higher than this above their ground (leg lengths, ~4 cm) is flight.
FLIGHT_HEIGHT = 0.045


def compute_flight_share(height_left: FloatArray, height_right: FloatArray) -> float:
    """Share of frames with both feet off the ground (0-1).

    Parameters
    ----------
    height_left, height_right
        Each foot's lowest point above its ground, leg lengths, NaN where unknown.

    Returns
    -------
    float
        Over the frames where both heights are known; NaN when there are fewer than 10.
    """
    known = np.isfinite(height_left) & np.isfinite(height_right)
    if known.sum() < 10:
        return float("nan")
    both_up = np.fmin(height_left[known], height_right[known]) > FLIGHT_HEIGHT
    return float(np.mean(both_up))


def compute_stance_bounce(
    time_s: FloatArray, hip_up: FloatArray, contacts: Sequence[Contact]
) -> float:
    """Median height of the hips in mid-stance above their mean over the surrounding step.

    Parameters
    ----------
    time_s
        Frame times, seconds.
    hip_up
        Height of the hip centre, leg lengths, up positive (any offset).
    contacts
        Detected contacts; the middle of each stance candidate
        (``start_s``..``stop_s``) is its mid-stance.

    Returns
    -------
    float
        Leg lengths: negative when the hips are lowest in stance (running),
        positive when highest (walking); NaN with fewer than 3 contacts.
    """
    mids = np.sort([0.5 * (c.start_s + c.stop_s) for c in contacts])
    if mids.size < 3:
        return float("nan")
    step = float(np.median(np.diff(mids)))
    ok = np.isfinite(hip_up)
    if step <= 0 or ok.sum() < 10:
        return float("nan")
    values = []
    for mid in mids:
        window = ok & (time_s >= mid - 0.5 * step) & (time_s <= mid + 0.5 * step)
        if window.sum() < 3:
            continue
        at = float(np.interp(mid, time_s[ok], hip_up[ok]))
        values.append(at - float(np.mean(hip_up[window])))
    return float(np.median(values)) if values else float("nan")
