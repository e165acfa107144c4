"""Detect the contacts of one foot, and make the feet alternate.

:func:`detect_foot_contacts` finds stance candidates
(:mod:`runform.gait.stance`), times their landing and take-off
(:mod:`runform.gait.event_timing`) and returns :class:`Contact` records
(:mod:`runform.gait.events`, which also describes the methods).
:func:`enforce_alternation` relabels contacts the pose model gave the
wrong leg.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from runform.gait.event_timing import (
    end_hover,
    end_slide,
    time_initial_contact,
    time_lift_off,
    time_toe_off,
)
from runform.gait.events import Contact, EventSettings
from runform.gait.stance import build_stance_candidates, estimate_ground_velocity

FloatArray = NDArray[np.float64]


def detect_foot_contacts(
    time_s: FloatArray,
    height: FloatArray,
    velocity: FloatArray,
    confidence: FloatArray,
    side: str,
    settings: EventSettings | None = None,
    slide_velocity: FloatArray | None = None,
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
    slide_velocity
        Shape ``(time, 2)``: forward velocity of heel and toes to the next
        frame, leg lengths/s
        (:func:`runform.gait.signals.compute_foot_slide_velocity`); a landing
        waits until the foot stops sliding over the ground. ``None`` (front
        and rear views, where forward motion is along the camera axis) skips
        that rule.

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
            time_s,
            (height, velocity, confidence, slide_velocity),
            (start, stop),
            (floor, ceiling),
            side,
            settings,
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
    signals: tuple[FloatArray, FloatArray, FloatArray, FloatArray | None],
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
    height, velocity, confidence, slide_velocity = signals
    start, stop = span
    floor, ceiling = bounds
    ground = float(np.nanmedian(height[start:stop]))
    level = ground + settings.contact_height
    stance_velocity = _middle_median(velocity, start, stop)
    ic = end_hover(
        time_s, height, time_initial_contact(time_s, height, span, level, floor), stop, ground
    )
    if settings.to_method == "height":
        to = time_lift_off(time_s, height, span, level, ceiling)
    else:
        to = time_toe_off(time_s, velocity, start, stop, settings)
    if slide_velocity is not None:
        planted = end_slide(
            time_s, slide_velocity, ic, stop, stance_velocity, settings.landing_slide_speed
        )
        # a skim ends in a contact: never one shorter than any stance, nor past the take-off
        ic = planted if not planted > to - settings.min_stance_s else ic
    if stop >= time_s.size or to <= ic:
        to = float("nan")
    return Contact(
        side=side,
        initial_contact_s=ic,
        toe_off_s=to,
        confidence=_mean_or_zero(confidence[start:stop]),
        stance_velocity=stance_velocity,
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
