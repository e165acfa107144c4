"""Sub-frame timing of a stance's landing and take-off.

The second step of contact detection (:mod:`runform.gait.events`): a
stance candidate's initial contact (the foot descending through a height
threshold, moved to the end of a hover and on to where the foot stops
sliding over the ground) and toe-off (the toes accelerating
forward, or the foot rising through the threshold in front and rear views),
interpolated between frames. Heights in leg lengths, times in seconds.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from runform.gait.events import EventSettings

FloatArray = NDArray[np.float64]


#: The landing is searched at most this far (s) before a stance candidate begins.
LANDING_WALKBACK_S = 0.1
#: A hover (see :func:`end_hover`): the foot descends slower than this (leg lengths/s) ...
HOVER_SPEED = 0.6
#: ... for at least this long (s) ...
HOVER_MIN_S = 0.04
#: ... while at least this high above its stance level (leg lengths, ~1.3 cm) ...
HOVER_FLOOR = 0.015
#: ... before it settles within this of the stance level (leg lengths).
HOVER_SETTLED = 0.01
#: A foot still sliding this long (s) after it came low is not skimming before a touch
#: (the varied synthetic hovers last 50-100 ms) but shuffling, or a pose model's drift.
SKIM_MAX_S = 0.15


def intersect_line(time_s: FloatArray, values: FloatArray, level: float) -> float:
    """Time where the least-squares line through ``(time_s, values)`` equals ``level``.

    Parameters
    ----------
    time_s
        Sample times, seconds.
    values
        Sample values (NaN ignored).
    level
        The value to reach, same unit as ``values``.

    Returns
    -------
    float
        Seconds; NaN when there are fewer than two finite samples or the line
        is flat.
    """
    ok = np.isfinite(values)
    if ok.sum() < 2:
        return float("nan")
    slope, intercept = np.polyfit(time_s[ok], values[ok], 1)
    if slope == 0:
        return float("nan")
    return float((level - intercept) / slope)


def time_initial_contact(
    time_s: FloatArray,
    height: FloatArray,
    span: tuple[int, int],
    level: float,
    floor: int = 0,
) -> float:
    """Time the landing of a stance candidate ``span = (start, stop)``.

    The landing is where the foot's height last descends through ``level``
    (the stance's ground level plus ``contact_height``) before it stays
    low: the first frame of the candidate at or below ``level``, walked back
    over earlier frames that are already low but not yet still, then
    interpolated linearly between the two frames around the crossing.

    Parameters
    ----------
    time_s
        Frame times, seconds.
    height
        Foot height above its ground, leg lengths.
    span
        The candidate, ``(start, stop)`` frame indices.
    level
        Height at which the foot counts as landed, leg lengths.
    floor
        First frame the search may reach back to (the previous contact's end).

    Returns
    -------
    float
        Seconds; NaN when the stance begins at the clip's start or the frame
        before the crossing is missing.
    """
    start, stop = span
    inside = np.flatnonzero(height[start:stop] <= level)
    if inside.size == 0:
        return float("nan")
    index = start + int(inside[0])
    earliest = time_s[start] - LANDING_WALKBACK_S
    while index > max(floor, 0) and height[index - 1] <= level and time_s[index - 1] >= earliest:
        index -= 1  # low but not yet still
    if index == 0 or not np.isfinite(height[index - 1]) or height[index - 1] <= level:
        return float("nan")  # no descent through the level: already down (clip start, a glitch)
    above, below = height[index - 1], height[index]
    frac = (above - level) / (above - below) if above != below else 0.0
    return float(time_s[index - 1] + frac * (time_s[index] - time_s[index - 1]))


def end_hover(
    time_s: FloatArray, height: FloatArray, ic_s: float, stop: int, ground: float
) -> float:
    """Move a landing to the end of a hover: the foot held low, then the final drop.

    Some feet come down, hang a centimetre or two above the ground for a few
    frames and only then touch (a "hovering" approach). The threshold
    crossing of :func:`time_initial_contact` then times the start of the
    hover. From the crossing to the first frame where the foot has settled
    (within :data:`HOVER_SETTLED` of the stance level), a stretch of at least
    :data:`HOVER_MIN_S` in which the foot descends slower than
    :data:`HOVER_SPEED` while still :data:`HOVER_FLOOR` or more above the
    ground is a hover; the landing is the frame where it ends. A foot that
    descends steadily into the ground (no such stretch) keeps its landing.

    Parameters
    ----------
    time_s
        Frame times, seconds.
    height
        Foot height above its ground, leg lengths.
    ic_s
        The threshold landing, seconds.
    stop
        End of the stance candidate (exclusive frame index).
    ground
        The stance's ground level, leg lengths.

    Returns
    -------
    float
        Seconds: ``ic_s`` or the end of the hover.
    """
    if not np.isfinite(ic_s):
        return ic_s
    k = int(np.searchsorted(time_s, ic_s))
    settled = k
    while settled < stop and not height[settled] <= ground + HOVER_SETTLED:
        settled += 1
    if settled >= stop or settled - k < 2:
        return ic_s
    span = slice(k, settled + 1)
    speed = -np.diff(height[span]) / np.diff(time_s[span])  # descent, leg lengths/s
    above = height[k:settled] - ground >= HOVER_FLOOR
    slow = (speed < HOVER_SPEED) & above
    end: int | None = None
    run_start = -1
    for i, is_slow in enumerate(slow):
        if not is_slow:
            run_start = -1
            continue
        if run_start < 0:
            run_start = i
        if time_s[k + i + 1] - time_s[k + run_start] >= HOVER_MIN_S:
            end = i + 1
    return ic_s if end is None else float(time_s[k + end])


def end_slide(
    time_s: FloatArray,
    slide_velocity: FloatArray,
    ic_s: float,
    stop: int,
    ground_velocity: float,
    max_speed: float,
) -> float:
    """Move a landing on to where the foot stops sliding forward over the ground.

    A foot that skims the ground before it touches is already low enough
    for the height threshold of :func:`time_initial_contact`, but it still
    moves forward; a planted foot does not move over the ground from one
    frame to the next. From the frame at or after ``ic_s``, the landing is
    the first frame where the slower of heel and toes moves less than
    ``max_speed`` relative to the ground, interpolated between that frame
    and the one before. A foot that is already still keeps its landing, and
    so does one still sliding :data:`SKIM_MAX_S` after ``ic_s`` or at the
    end of the stance candidate (a shuffle, or the pose model's drift).

    Parameters
    ----------
    time_s
        Frame times, seconds.
    slide_velocity
        Shape ``(time, 2)``: forward velocity of heel and toes to the next
        frame, leg lengths/s (direction of travel positive); see
        :func:`runform.gait.signals.compute_foot_slide_velocity`.
    ic_s
        The landing so far, seconds.
    stop
        End of the stance candidate (exclusive frame index).
    ground_velocity
        The ground's forward velocity in the image during this stance (0
        overground with a still camera, minus the belt speed on a
        treadmill), leg lengths/s.
    max_speed
        The heel or the toes moving slower than this (leg lengths/s) relative
        to the ground is a planted foot; ``inf`` leaves every landing alone.

    Returns
    -------
    float
        Seconds: ``ic_s`` or the later moment the foot stops sliding.
    """
    if not (np.isfinite(ic_s) and np.isfinite(ground_velocity) and np.isfinite(max_speed)):
        return ic_s
    speed = np.fmin(*np.abs(slide_velocity - ground_velocity).T)  # NaN only if both are
    first = int(np.searchsorted(time_s, ic_s))
    end = min(stop, time_s.size, int(np.searchsorted(time_s, ic_s + SKIM_MAX_S, side="right")))
    index = first
    while index < end and not speed[index] < max_speed:
        index += 1
    if index == first or index >= end:
        return ic_s
    if not np.isfinite(speed[index - 1]):  # the frame before is unknown: the planted frame
        return max(float(time_s[index]), ic_s)
    before, after = speed[index - 1], speed[index]
    frac = (before - max_speed) / (before - after) if before != after else 0.0
    moved = float(time_s[index - 1] + frac * (time_s[index] - time_s[index - 1]))
    return max(moved, ic_s)


def time_toe_off(
    time_s: FloatArray, velocity: FloatArray, start: int, stop: int, settings: EventSettings
) -> float:
    """Time the take-off of a stance candidate ``[start, stop)``.

    The toes' forward velocity minus its stance median crosses
    ``to_velocity`` upward; among the crossings after the middle of the
    candidate, the one nearest the candidate's end (where the foot stops
    being low and still) is taken, so a glitch of the toes while the feet
    cross mid-stance is passed over, and a line through the samples around
    it is extrapolated back to zero relative velocity.

    Parameters
    ----------
    time_s
        Frame times, seconds.
    velocity
        Forward toe velocity, leg lengths/s (direction of travel positive).
    start, stop
        The candidate's frame indices, ``stop`` exclusive.
    settings
        Uses ``to_velocity`` and ``to_backtrack_s``.

    Returns
    -------
    float
        Seconds; NaN when the toes never speed up between the candidate's
        start and 0.3 s after its end. When no crossing follows the middle of
        the candidate, the last one before it is used.
    """
    stance_velocity = np.nanmedian(velocity[start:stop])
    relative = velocity - stance_velocity
    middle = (start + stop) // 2
    threshold = settings.to_velocity
    end = min(relative.size, int(np.searchsorted(time_s, time_s[stop - 1] + 0.3)) + 1)
    rising = np.flatnonzero(
        (relative[start : end - 1] < threshold) & (relative[start + 1 : end] >= threshold)
    )
    if rising.size == 0:
        return float("nan")
    crosses = start + 1 + rising
    later = crosses[crosses >= middle]
    if later.size == 0:
        later = crosses[-1:]
    # the take-off nearest the end of the low-and-still stretch
    cross = int(later[np.argmin(np.abs(time_s[later] - time_s[stop - 1]))])
    if cross >= relative.size - 1:
        return float("nan")
    idx = np.arange(cross - 1, cross + 2)
    found = intersect_line(time_s[idx], relative[idx], 0.0)
    if not np.isfinite(found):
        return float(time_s[cross])
    earliest = max(time_s[start], time_s[cross] - settings.to_backtrack_s)
    return float(np.clip(found, earliest, time_s[cross]))


def time_lift_off(
    time_s: FloatArray,
    height: FloatArray,
    span: tuple[int, int],
    level: float,
    ceiling: int | None = None,
) -> float:
    """Time the take-off of a stance as the foot rising through ``level``.

    Used where the toes' forward velocity cannot be seen (front and rear
    views): the last crossing upward through ``level`` after the candidate's
    last frame below it, interpolated between frames. This reads the toe-off
    when the foot is already a little off the ground: on the exact synthetic
    keypoints front and rear contact times come out about 40 ms long.

    Parameters
    ----------
    time_s
        Frame times, seconds.
    height
        Foot height above its ground, leg lengths.
    span
        The candidate, ``(start, stop)`` frame indices.
    level
        Height at which the foot counts as off the ground, leg lengths.
    ceiling
        Frame the search may not reach (the next stance's start); default
        the end of the clip.

    Returns
    -------
    float
        Seconds; NaN when the clip or the search ends first.
    """
    start, stop = span
    limit = height.size if ceiling is None else min(ceiling, height.size)
    below = np.flatnonzero(height[start:stop] <= level)
    if below.size == 0:
        return float("nan")
    index = start + int(below[-1])
    while index + 1 < limit and height[index + 1] <= level:
        index += 1
    if index + 1 >= limit or not np.isfinite(height[index + 1]):
        return float("nan")
    low, high = height[index], height[index + 1]
    frac = (level - low) / (high - low) if high != low else 0.0
    return float(time_s[index] + frac * (time_s[index + 1] - time_s[index]))
