"""Foot contacts: initial contact and toe-off of each foot, with sub-frame timing.

Two signals per foot, both scale-free (in leg lengths):

* **height**: how far the lowest point of the foot (the lower of heel and
  foot index in the image) is above the ground under that foot. The ground is
  a rolling high quantile of the foot's own lowest points, so it follows a
  tilted or slowly moving camera, and the far foot (which stands higher in the
  image through perspective) has its own ground line.
* **forward velocity** of the foot index (toes) in the direction of travel.

Methods, chosen per event by what the physics makes sharp:

* **Initial contact** (IC): the foot falls onto the ground fast and stops.
  IC is where the foot's lowest point descends through ``contact_height``
  (3 % of leg length, about 2.5 cm) above the ground level of that stance,
  interpolated between frames. This is the vertical-position-with-threshold
  method of Maiwald et al. (2009, "Detecting foot-to-ground contact from
  kinematic data in running", Footwear Science 1:111) and of Pose2Sim's
  ``trc_gaitevents`` "height" method. The threshold sits above the landmark
  jitter of a filtered foot and above MediaPipe's habit of holding a landing
  foot 1-3 % of a leg length high in the last frames before touch-down; the
  ground level is taken per stance, so a constant offset of the heel or toe
  landmark cancels. (A line fit extrapolated
  to the ground and the peak of vertical deceleration were both tried and were
  later by 1-3 frames on the synthetic runner: a filtered landing is rounded.)
* **Toe-off** (TO): the toes leave the ground slowly upward (the foot
  pivots) but accelerate forward sharply. During stance the toes move with
  the ground (zero in a static camera, the belt speed on a treadmill, minus
  the pan on a tracking shot), so TO is where the toes' forward velocity
  relative to the stance's median velocity starts rising: the rise past
  ``to_velocity`` is fitted with a line and extrapolated back to zero
  relative velocity. This follows the toe-marker horizontal-velocity rule of
  Handsaker et al. (2016, "A kinematic algorithm to identify gait events
  during running at different speeds and with different footstrike types",
  J Biomech 49:4128) and Leitch et al. (2011, J Biomech 44:2506), with the
  stance velocity subtracted so it works on treadmills and tracking shots.

All functions are pure and work on plain arrays; times are seconds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from runform.processing.series import fill_nan_linear, find_runs

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
#: A brief low-and-still run is a pinned swinging foot when a forward swing
#: faster than ``2 * stance_velocity`` follows it for at least this long (s).
PINNED_SWING_S = 0.03


@dataclass(frozen=True)
class EventSettings:
    """Parameters of contact detection (heights in leg lengths, times in s).

    Attributes
    ----------
    stance_height
        A foot lower than this above its ground (and moving with the ground,
        see ``stance_velocity``) is a stance candidate.
    contact_height
        Initial contact is where the foot descends through this height above
        the stance's ground level.
    to_method
        ``"velocity"`` (toes accelerating forward; side views) or
        ``"height"`` (the foot rising through ``contact_height``; front and
        rear views, where forward motion is along the camera axis).
    to_backtrack_s
        The extrapolation back from the crossing stops this far back.
    to_velocity
        Relative forward toe velocity (leg lengths/s) that marks the foot as
        moving off the ground.
    ground_window_s
        Width of the rolling window that estimates the ground level.
    ground_quantile
        Quantile of the foot's lowest points taken as the ground (image y
        grows downward, so a high quantile is low in the scene).
    min_stance_s, max_stance_s
        Plausible contact durations; candidates outside are dropped.
    merge_gap_s
        Candidates separated by less than this are one stance: a real swing
        lasts 0.3 s or more even in a sprint, so a shorter gap is landmark
        jitter splitting one contact.
    stance_velocity
        A stance candidate's toes also move less than this (leg lengths/s)
        relative to the ground; a swinging foot moves at about twice the
        running speed, so a low swing (shuffling, heel strikers) is not
        taken for a contact.
    """

    stance_height: float = 0.05
    to_velocity: float = 2.0
    ground_window_s: float = 1.0
    ground_quantile: float = 90.0
    min_stance_s: float = 0.06
    max_stance_s: float = 1.5
    merge_gap_s: float = 0.15
    stance_velocity: float = 3.0
    to_method: str = "velocity"
    to_backtrack_s: float = 0.06
    contact_height: float = 0.03

    def to_dict(self) -> dict[str, float | str]:
        """Return the settings as a JSON-ready dict."""
        return {k: v if isinstance(v, str) else float(v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class Contact:
    """One foot contact.

    Attributes
    ----------
    side
        ``"left"`` or ``"right"``.
    initial_contact_s
        Time of initial contact, seconds; NaN when the foot was already down
        at the start of the clip or the landing could not be timed.
    toe_off_s
        Time of toe-off, seconds; NaN when the clip ends during stance or the
        take-off could not be timed.
    confidence
        0-1: mean landmark confidence of the foot during the contact.
    stance_velocity
        Median forward velocity of the toes in the image over the middle half
        of the stance,
        leg lengths per second: about 0 for a static camera overground,
        minus the belt speed on a treadmill.
    start_s, stop_s
        The first and last frame times of the stance candidate.
    relabelled
        The side was changed by :func:`enforce_alternation` (the pose model
        had given this foot the other leg's label).
    """

    side: str
    initial_contact_s: float
    toe_off_s: float
    confidence: float
    stance_velocity: float
    start_s: float
    stop_s: float
    relabelled: bool = False

    @property
    def contact_s(self) -> float:
        """Ground contact time, seconds (NaN unless both events are timed)."""
        return self.toe_off_s - self.initial_contact_s


def rescale_contact(contact: Contact, scale: float) -> Contact:
    """Put a contact found on a clock running ``scale`` times faster on the clip's clock.

    Times are multiplied by ``scale`` and the stance velocity (per second)
    divided by it (see :mod:`runform.gait.timebase`).
    """
    if scale == 1.0:
        return contact
    return replace(
        contact,
        initial_contact_s=contact.initial_contact_s * scale,
        toe_off_s=contact.toe_off_s * scale,
        start_s=contact.start_s * scale,
        stop_s=contact.stop_s * scale,
        stance_velocity=contact.stance_velocity / scale,
    )


def compute_ground_level(
    low_y: FloatArray, time_s: FloatArray, settings: EventSettings
) -> FloatArray:
    """Estimate the image row of the ground under one foot at every frame.

    Parameters
    ----------
    low_y
        Image row of the foot's lowest point (pixels, y down), NaN allowed.
    time_s
        Frame times, seconds.
    settings
        Uses ``ground_window_s`` and ``ground_quantile``.

    Returns
    -------
    numpy.ndarray
        Ground row per frame (pixels, y down); a rolling high quantile.
    """
    dt = float(np.median(np.diff(time_s))) if time_s.size > 1 else 1.0
    size = max(3, round(settings.ground_window_s / dt) | 1)
    filled = fill_nan_linear(low_y)
    if size >= filled.size:
        return np.full(filled.shape, np.nanpercentile(low_y, settings.ground_quantile))
    return np.asarray(
        ndimage.percentile_filter(filled, settings.ground_quantile, size=size, mode="nearest"),
        dtype=float,
    )


def merge_runs(
    runs: list[tuple[int, int]], time_s: FloatArray, max_gap_s: float
) -> list[tuple[int, int]]:
    """Join runs separated by gaps of at most ``max_gap_s`` seconds (jitter).

    Parameters
    ----------
    runs
        ``(start, stop)`` frame index pairs in order, ``stop`` exclusive.
    time_s
        Frame times, seconds.
    max_gap_s
        Longest gap (from the last frame of one run to the first of the
        next) that is closed, seconds.
    """
    merged: list[tuple[int, int]] = []
    for start, stop in runs:
        if merged and time_s[start] - time_s[merged[-1][1] - 1] <= max_gap_s + 1e-9:
            merged[-1] = (merged[-1][0], stop)
        else:
            merged.append((start, stop))
    return merged


def build_stance_candidates(
    mask: NDArray[np.bool_],
    time_s: FloatArray,
    relative_velocity: FloatArray,
    settings: EventSettings,
) -> list[tuple[int, int]]:
    """Turn the per-frame "low and still" mask into stance candidates.

    Three steps: runs split by one missing frame of jitter are joined; a run
    shorter than ``min_stance_s`` that does not trail a stance (start within
    50 ms of its end) is dropped when the foot swings forward fast
    (``2 * stance_velocity`` relative to the ground, for at least
    :data:`PINNED_SWING_S`) right after it: that is a swinging foot that
    MediaPipe briefly pinned onto the standing foot as the feet crossed; runs
    less than ``merge_gap_s`` apart are then joined into one stance.

    Parameters
    ----------
    mask
        Per frame: the foot is low and moves with the ground.
    time_s
        Frame times, seconds.
    relative_velocity
        Forward toe velocity relative to the ground, leg lengths/s.
    settings
        Detection parameters.

    Returns
    -------
    list of tuple
        ``(start, stop)`` frame indices of the candidates, ``stop`` exclusive.
    """
    step = float(np.median(np.diff(time_s))) if time_s.size > 1 else 0.0
    runs = merge_runs(find_runs(mask), time_s, 2.5 * step)
    kept: list[tuple[int, int]] = []
    for i, (a, b) in enumerate(runs):
        short = time_s[b - 1] - time_s[a] + step < settings.min_stance_s
        trailing = bool(kept) and time_s[a] - time_s[kept[-1][1] - 1] <= 0.05 + 1e-9
        following = relative_velocity[b : runs[i + 1][0] if i + 1 < len(runs) else None]
        swings = np.nan_to_num(following, nan=0.0) > 2 * settings.stance_velocity
        if short and not trailing and np.count_nonzero(swings) * step >= PINNED_SWING_S:
            continue
        kept.append((a, b))
    return merge_runs(kept, time_s, settings.merge_gap_s)


#: Fastest forward image velocity the ground can have under a planted foot,
#: leg lengths/s (jitter allowance around 0).
MAX_GROUND_VELOCITY = 0.5


def estimate_ground_velocity(
    height: FloatArray, velocity: FloatArray, settings: EventSettings
) -> float:
    """Estimate the image velocity of the ground under a foot.

    The toe velocity shared by most frames where the foot is low: about 0
    for a static camera, minus the belt speed on a treadmill. A planted
    foot moves with the ground at one steady velocity, while a low swing (a
    shuffling runner whose toes skim the ground) spreads over a wide range
    of faster ones, so the densest window of velocities, not their median,
    is the ground: a median is dragged toward the swing when the foot is
    low for much of it. The window is centred on a velocity no faster
    forward than :data:`MAX_GROUND_VELOCITY`: the ground never moves forward
    under the runner (static camera 0; a treadmill belt or a following
    camera, backwards), while a low swing reverses direction behind the body
    and lingers near zero image speed on a treadmill.

    Parameters
    ----------
    height
        Foot height above its ground, leg lengths.
    velocity
        Forward toe velocity, leg lengths/s (direction of travel positive).
    settings
        Uses ``stance_height``, and ``stance_velocity`` as the half-width of
        the window.

    Returns
    -------
    float
        Leg lengths per second, forward positive; 0 when the foot is never low.
    """
    low = np.nan_to_num(height, nan=np.inf) < settings.stance_height
    values = np.sort(velocity[low & np.isfinite(velocity)])
    if values.size == 0:
        return 0.0
    half = 0.5 * settings.stance_velocity
    counts = np.searchsorted(values, values + half, side="right") - np.searchsorted(
        values, values - half, side="left"
    )
    backward = values <= MAX_GROUND_VELOCITY
    if backward.any():
        counts = np.where(backward, counts, -1)
    centre = values[int(np.argmax(counts))]
    near = values[np.abs(values - centre) <= half]
    return float(np.median(near))


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


def detect_foot_contacts(
    time_s: FloatArray,
    height: FloatArray,
    velocity: FloatArray,
    confidence: FloatArray,
    side: str,
    settings: EventSettings | None = None,
) -> list[Contact]:
    """Find the contacts of one foot.

    Parameters
    ----------
    time_s
        Frame times, seconds, increasing.
    height
        Height of the foot's lowest point above its ground, leg lengths (up
        positive), NaN where unknown.
    velocity
        Forward velocity of the toes (direction of travel positive), leg
        lengths per second.
    confidence
        Per-frame landmark confidence of the foot, 0-1.
    side
        ``"left"`` or ``"right"``, copied into the results.
    settings
        Detection parameters.

    Returns
    -------
    list of Contact
        In time order. A contact cut by the clip's start or end keeps the
        event it has and NaN for the other.
    """
    settings = settings or EventSettings()
    ground_velocity = estimate_ground_velocity(height, velocity, settings)
    low = np.nan_to_num(height, nan=np.inf) < settings.stance_height
    still = np.abs(np.nan_to_num(velocity - ground_velocity, nan=np.inf)) < settings.stance_velocity
    runs = build_stance_candidates(low & still, time_s, velocity - ground_velocity, settings)
    step = float(np.median(np.diff(time_s))) if time_s.size > 1 else 0.0
    contacts: list[Contact] = []
    floor = 0
    for i, (start, stop) in enumerate(runs):
        duration = time_s[stop - 1] - time_s[start] + step
        if duration < settings.min_stance_s or duration > settings.max_stance_s:
            continue
        ceiling = runs[i + 1][0] if i + 1 < len(runs) else time_s.size
        contact = _measure_contact(
            time_s, (height, velocity, confidence), (start, stop), (floor, ceiling), side, settings
        )
        if contact.contact_s < settings.min_stance_s:  # NaN (unknown) passes
            continue
        contacts.append(contact)
        floor = stop
    return _untangle(contacts)


def _untangle(contacts: list[Contact]) -> list[Contact]:
    """Drop a toe-off that is not before the same foot's next landing."""
    out = list(contacts)
    for i in range(len(out) - 1):
        toe_off, landing = out[i].toe_off_s, out[i + 1].initial_contact_s
        if np.isfinite(toe_off) and np.isfinite(landing) and toe_off >= landing:
            out[i] = replace(out[i], toe_off_s=float("nan"))
    return out


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


def _middle_median(values: FloatArray, start: int, stop: int) -> float:
    """Median over the middle half of ``[start, stop)`` (landing and push-off excluded)."""
    quarter = (stop - start) // 4
    middle = values[start + quarter : stop - quarter]
    finite = middle[np.isfinite(middle)]
    return float(np.median(finite)) if finite.size else float("nan")


def _mean_or_zero(values: FloatArray) -> float:
    """Mean of the finite values, 0 when there are none."""
    finite = values[np.isfinite(values)]
    return float(np.mean(finite)) if finite.size else 0.0


def _measure_contact(
    time_s: FloatArray,
    signals: tuple[FloatArray, FloatArray, FloatArray],
    span: tuple[int, int],
    bounds: tuple[int, int],
    side: str,
    settings: EventSettings,
) -> Contact:
    """Time the landing and take-off of one stance candidate.

    ``bounds`` are the previous contact's end and the next candidate's start:
    the landing is not searched before the first, the lift-off not after the
    second.
    """
    height, velocity, confidence = signals
    start, stop = span
    floor, ceiling = bounds
    ground = float(np.nanmedian(height[start:stop]))
    level = ground + settings.contact_height
    ic = end_hover(
        time_s, height, time_initial_contact(time_s, height, span, level, floor), stop, ground
    )
    if settings.to_method == "height":
        to = time_lift_off(time_s, height, span, level, ceiling)
    else:
        to = time_toe_off(time_s, velocity, start, stop, settings)
    if stop >= time_s.size or to <= ic:
        to = float("nan")
    return Contact(
        side=side,
        initial_contact_s=ic,
        toe_off_s=to,
        confidence=_mean_or_zero(confidence[start:stop]),
        stance_velocity=_middle_median(velocity, start, stop),
        start_s=float(time_s[start]),
        stop_s=float(time_s[stop - 1]),
    )


def enforce_alternation(contacts: list[Contact], max_step_ratio: float = 1.5) -> list[Contact]:
    """Relabel contacts so that the feet alternate, where the timing says they must.

    Running and walking alternate feet: two landings of the "same" foot one
    step apart (not a stride) mean the pose model gave one of them the other
    leg's label (a leg swap the landmark repair missed). Such a contact gets
    the other side and ``relabelled=True``. Two same-side landings more than
    ``max_step_ratio`` median steps apart are left alone: the other foot's
    landing between them was missed, not swapped.

    Parameters
    ----------
    contacts
        Contacts of both feet.
    max_step_ratio
        Same-side landings closer than this many median steps are a swap.

    Returns
    -------
    list of Contact
        In time order of landing (contacts without a timed landing keep
        their place by their start).
    """
    ordered = sorted(contacts, key=lambda c: c.start_s)
    landings = [c for c in ordered if np.isfinite(c.initial_contact_s)]
    steps = np.array(
        [
            b.initial_contact_s - a.initial_contact_s
            for a, b in itertools.pairwise(landings)
            if a.side != b.side
        ]
    )
    if steps.size < 2:
        return ordered
    limit = max_step_ratio * float(np.median(steps))
    out = list(ordered)
    for i in range(1, len(out)):
        previous, this = out[i - 1], out[i]
        gap = this.initial_contact_s - previous.initial_contact_s
        if this.side == previous.side and gap < limit:  # NaN gap: left alone
            other = "left" if this.side == "right" else "right"
            out[i] = replace(this, side=other, relabelled=True)
    return out
