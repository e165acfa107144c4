"""Events, steps and strides from foot contacts.

A *step* runs from one foot's initial contact to the other foot's next
initial contact; a *stride* from one foot's initial contact to the same
foot's next one (two steps). Only consecutive, alternating contacts form a
step, and a stride longer than ``max_stride_ratio`` times the median is taken
as a missed contact and dropped, so a gap in detection never stretches a
stride.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from runform.gait.events import Contact


@dataclass(frozen=True)
class GaitEvent:
    """One gait event.

    Attributes
    ----------
    side
        ``"left"`` or ``"right"``.
    type
        ``"initial_contact"`` or ``"toe_off"``.
    time_s
        Time in the poses' clock, seconds (sub-frame; the poses' ``time``
        coordinate, real-world time from the video's timestamps).
    frame
        Fractional video frame index, interpolated from the poses' ``frame``
        coordinate (the decoded frame number).
    confidence
        0-1 landmark confidence of the foot.
    """

    side: str
    type: str
    time_s: float
    frame: float
    confidence: float

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {
            "side": self.side,
            "type": self.type,
            "frame": round(self.frame, 2),
            "time_s": round(self.time_s, 4),
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True)
class Stride:
    """One stride of one foot, with its contact and the following step.

    Attributes
    ----------
    side
        The foot whose contacts bound the stride.
    start_s, end_s
        Initial contacts of this foot, seconds.
    toe_off_s
        Toe-off of this foot within the stride (NaN if not timed).
    contact_ms
        Ground contact time, ms.
    stride_ms
        Stride time, ms.
    step_ms
        Time from this foot's contact to the other foot's next contact, ms.
    flight_ms
        Time from this foot's toe-off to the other foot's next contact, ms
        (negative values mean double support: walking).
    confidence
        Landmark confidence of the foot during the contact.
    relabelled
        The contact's side was fixed by alternation: its leg's landmarks
        carried the other label, so its angles are not used.
    """

    side: str
    start_s: float
    end_s: float
    toe_off_s: float
    contact_ms: float
    stride_ms: float
    step_ms: float
    flight_ms: float
    confidence: float
    relabelled: bool = False

    @property
    def duty_factor(self) -> float:
        """Contact time over stride time (dimensionless)."""
        return self.contact_ms / self.stride_ms

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict (NaN becomes None)."""
        out: dict[str, object] = {"side": self.side}
        for key in ("start_s", "end_s", "toe_off_s", "contact_ms", "stride_ms", "step_ms"):
            out[key] = _round(getattr(self, key))
        out["flight_ms"] = _round(self.flight_ms)
        out["duty_factor"] = _round(self.duty_factor, 3)
        out["confidence"] = _round(self.confidence, 3)
        return out


def _round(value: float, digits: int = 4) -> float | None:
    return round(float(value), digits) if np.isfinite(value) else None


def list_events(
    contacts: list[Contact], time_s: np.ndarray, frames: np.ndarray | None = None
) -> list[GaitEvent]:
    """Flatten contacts into timed events, in time order.

    Parameters
    ----------
    contacts
        Contacts of both feet.
    time_s
        The frame times, seconds.
    frames
        The video frame index of each time (default ``0..n-1``); events get
        a fractional frame interpolated from it.
    """
    if frames is None:
        frames = np.arange(time_s.size, dtype=float)
    events = []
    for contact in contacts:
        for kind, when in (
            ("initial_contact", contact.initial_contact_s),
            ("toe_off", contact.toe_off_s),
        ):
            if np.isfinite(when):
                frame = float(np.interp(when, time_s, frames))
                events.append(GaitEvent(contact.side, kind, when, frame, contact.confidence))
    return sorted(events, key=lambda e: e.time_s)


def build_strides(contacts: list[Contact], max_stride_ratio: float = 1.5) -> list[Stride]:
    """Pair each contact with the same foot's next one into strides.

    Parameters
    ----------
    contacts
        Contacts of both feet (any order).
    max_stride_ratio
        Strides longer than this times the median stride are dropped (a
        contact was missed inside them), and strides shorter than the median
        divided by it (one contact split in two).

    Returns
    -------
    list of Stride
        In time order. A step or flight whose next contact by the other foot
        is missing, or is not the very next contact, is NaN.
    """
    timed = sorted(
        (c for c in contacts if np.isfinite(c.initial_contact_s)),
        key=lambda c: c.initial_contact_s,
    )
    pairs = []
    for side in ("left", "right"):
        own = [c for c in timed if c.side == side]
        pairs += list(itertools.pairwise(own))
    if not pairs:
        return []
    durations = np.array([b.initial_contact_s - a.initial_contact_s for a, b in pairs])
    median = float(np.median(durations))
    strides = []
    for (first, second), duration in zip(pairs, durations, strict=True):
        if not median / max_stride_ratio <= duration <= max_stride_ratio * median:
            continue
        later = [c for c in timed if c.initial_contact_s > first.initial_contact_s]
        follows = bool(later) and later[0].side != first.side
        next_other = later[0].initial_contact_s if follows else float("nan")
        toe_off = first.toe_off_s if first.toe_off_s < second.initial_contact_s else float("nan")
        strides.append(
            Stride(
                side=first.side,
                start_s=first.initial_contact_s,
                end_s=second.initial_contact_s,
                toe_off_s=toe_off,
                contact_ms=1000.0 * (toe_off - first.initial_contact_s),
                stride_ms=1000.0 * duration,
                step_ms=1000.0 * (next_other - first.initial_contact_s),
                flight_ms=1000.0 * (next_other - toe_off),
                confidence=first.confidence,
                relabelled=first.relabelled,
            )
        )
    return sorted(strides, key=lambda s: s.start_s)
