"""Hand-labelled gait events of real clips, and the error of detected events against them.

A label file (``tests/data/event_labels/<clip stem>.json``; the protocol is in
``docs/accuracy.md``) lists, for one clip, every landing and take-off a person
could see, by frame:

* ``landing`` at frame ``f``: the first frame in which the foot touches the
  ground. The touch happened between frames ``f - 1`` and ``f``.
* ``takeoff`` at frame ``f``: the first frame in which the foot is clear of the
  ground; it left between ``f - 1`` and ``f``.

So both kinds of label stand for the moment ``f - 0.5`` frames
(:data:`LABEL_OFFSET_FRAMES`), the middle of the interval in which it
happened, and a contact lasts ``takeoff - landing`` frames. Detected events
have fractional frames (:class:`runform.gait.strides.GaitEvent`); errors are
``detected - (label - 0.5)`` in frames, positive late.

Events are matched by kind (landing with initial contact, take-off with
toe-off), each label to the nearest unmatched detected event within
:data:`MATCH_WINDOW_STEPS` of the clip's median labelled step. The foot is
not required to agree: pose models swap the legs' labels, and that is
reported separately (``side_agreement``) rather than counted as a timing
error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: A label at frame ``f`` stands for the moment ``f - 0.5`` (see the module docstring).
LABEL_OFFSET_FRAMES = 0.5
#: A detected event matches a label within this fraction of the median step.
MATCH_WINDOW_STEPS = 0.4
#: Kind of labelled event -> kind of detected event (``GaitEvent.type``).
DETECTED_KIND = {"landing": "initial_contact", "takeoff": "toe_off"}


@dataclass(frozen=True)
class LabelledEvent:
    """One hand-labelled event.

    Attributes
    ----------
    frame
        0-based decoded frame index (see the module docstring for its meaning).
    event
        ``"landing"`` or ``"takeoff"``.
    foot
        ``"left"`` or ``"right"`` (anatomical).
    uncertainty
        The labeller's uncertainty, frames (0, 1 or 2).
    """

    frame: int
    event: str
    foot: str
    uncertainty: int


@dataclass(frozen=True)
class ClipLabels:
    """The labels of one clip.

    Attributes
    ----------
    clip
        File name of the clip.
    fps
        Frame rate as played, frames per second.
    labelled_frames
        ``(first, last)`` frames examined completely (inclusive).
    labeller
        Who labelled it.
    events
        In frame order.
    """

    clip: str
    fps: float
    labelled_frames: tuple[int, int]
    labeller: str
    events: tuple[LabelledEvent, ...]

    def median_step_frames(self) -> float:
        """Median interval between consecutive labelled landings (any foot), frames."""
        landings = np.array([e.frame for e in self.events if e.event == "landing"], dtype=float)
        steps = np.diff(np.sort(landings))
        steps = steps[steps > 0]
        return float(np.median(steps)) if steps.size else float("nan")


def parse_labels(data: Mapping[str, Any]) -> ClipLabels:
    """Validate and build :class:`ClipLabels` from a label file's JSON object.

    Raises
    ------
    ValueError
        On a missing field, an unknown event or foot, or an uncertainty outside 0-2.
    """
    events = []
    for raw in data["events"]:
        event, foot, unc = raw["event"], raw["foot"], int(raw["uncertainty"])
        if event not in DETECTED_KIND:
            raise ValueError(f"{data['clip']}: unknown event {event!r} at frame {raw['frame']}")
        if foot not in ("left", "right"):
            raise ValueError(f"{data['clip']}: unknown foot {foot!r} at frame {raw['frame']}")
        if unc not in (0, 1, 2):
            raise ValueError(f"{data['clip']}: uncertainty {unc} at frame {raw['frame']}")
        events.append(LabelledEvent(int(raw["frame"]), event, foot, unc))
    first, last = (int(v) for v in data["labelled_frames"])
    return ClipLabels(
        clip=str(data["clip"]),
        fps=float(data["fps"]),
        labelled_frames=(first, last),
        labeller=str(data.get("labeller", "")),
        events=tuple(sorted(events, key=lambda e: (e.frame, e.event))),
    )


def load_labels(path: Path | str) -> ClipLabels:
    """Read one label file (see :func:`parse_labels`)."""
    return parse_labels(json.loads(Path(path).read_text(encoding="utf-8")))


@dataclass(frozen=True)
class DetectedEvent:
    """A detected event reduced to what the comparison needs.

    Attributes
    ----------
    frame
        Fractional frame index.
    kind
        ``"initial_contact"`` or ``"toe_off"``.
    side
        ``"left"`` or ``"right"``.
    """

    frame: float
    kind: str
    side: str


@dataclass(frozen=True)
class EventComparison:
    """Detected events against one clip's labels.

    Attributes
    ----------
    errors
        ``{"landing": (n,), "takeoff": (n,)}`` signed errors of the matched
        labels, frames (detected minus labelled moment; positive = late).
    missed
        Labels with no detected event in the window, per kind.
    extra
        Detected events inside the labelled frames that match no label, per kind.
    n_labels
        Labels per kind.
    contact_bias_frames
        Per labelled contact (a landing and the same foot's next take-off,
        both matched), detected minus labelled contact duration, frames.
    side_agreement
        Share of matched events whose detected foot is the labelled foot.
    """

    errors: Mapping[str, FloatArray]
    missed: Mapping[str, int]
    extra: Mapping[str, int]
    n_labels: Mapping[str, int]
    contact_bias_frames: FloatArray
    side_agreement: float


def _match(
    labels: Sequence[LabelledEvent], detected: Sequence[DetectedEvent], window: float
) -> list[int | None]:
    """Index of the detected event matched to each label (greedy, closest pairs first)."""
    pairs = sorted(
        (abs(d.frame - (lab.frame - LABEL_OFFSET_FRAMES)), i, j)
        for i, lab in enumerate(labels)
        for j, d in enumerate(detected)
        if abs(d.frame - (lab.frame - LABEL_OFFSET_FRAMES)) <= window
    )
    out: list[int | None] = [None] * len(labels)
    used: set[int] = set()
    for _dist, i, j in pairs:
        if out[i] is None and j not in used:
            out[i] = j
            used.add(j)
    return out


def compare_events(labels: ClipLabels, detected: Sequence[DetectedEvent]) -> EventComparison:
    """Match detected events to the labels and measure the timing errors.

    Parameters
    ----------
    labels
        One clip's labels.
    detected
        Detected events of the same clip (any order), frames of the same clip.

    Returns
    -------
    EventComparison
    """
    step = labels.median_step_frames()
    window = MATCH_WINDOW_STEPS * step if np.isfinite(step) else 5.0
    first, last = labels.labelled_frames
    errors: dict[str, FloatArray] = {}
    missed: dict[str, int] = {}
    extra: dict[str, int] = {}
    counts: dict[str, int] = {}
    matched_of: dict[tuple[int, str], DetectedEvent] = {}
    agree = total = 0
    for kind, detected_kind in DETECTED_KIND.items():
        labs = [e for e in labels.events if e.event == kind]
        cands = [d for d in detected if d.kind == detected_kind]
        match = _match(labs, cands, window)
        errs = []
        for lab, j in zip(labs, match, strict=True):
            if j is None:
                continue
            det = cands[j]
            errs.append(det.frame - (lab.frame - LABEL_OFFSET_FRAMES))
            matched_of[(lab.frame, kind)] = det
            agree += det.side == lab.foot
            total += 1
        errors[kind] = np.array(errs, dtype=float)
        counts[kind] = len(labs)
        missed[kind] = sum(j is None for j in match)
        used = {j for j in match if j is not None}
        extra[kind] = sum(
            1 for j, d in enumerate(cands) if j not in used and first - 0.5 <= d.frame <= last + 0.5
        )
    bias = []
    for lab in labels.events:
        if lab.event != "landing":
            continue
        takeoff = next(
            (
                e
                for e in labels.events
                if e.event == "takeoff" and e.foot == lab.foot and e.frame > lab.frame
            ),
            None,
        )
        later_landing = next(
            (
                e
                for e in labels.events
                if e.event == "landing" and e.foot == lab.foot and e.frame > lab.frame
            ),
            None,
        )
        if takeoff is None or (later_landing is not None and later_landing.frame < takeoff.frame):
            continue
        ic, to = matched_of.get((lab.frame, "landing")), matched_of.get((takeoff.frame, "takeoff"))
        if ic is None or to is None or ic.side != to.side:
            continue
        bias.append((to.frame - ic.frame) - (takeoff.frame - lab.frame))
    return EventComparison(
        errors=errors,
        missed=missed,
        extra=extra,
        n_labels=counts,
        contact_bias_frames=np.array(bias, dtype=float),
        side_agreement=agree / total if total else float("nan"),
    )


def summarise_comparison(comparison: EventComparison, fps: float) -> dict[str, float]:
    """Median and 90th-percentile errors (frames), signed medians, contact-time bias (ms).

    Parameters
    ----------
    comparison
        From :func:`compare_events`.
    fps
        The clip's frame rate as played, for the bias in ms.
    """
    out: dict[str, float] = {}
    for kind in DETECTED_KIND:
        errs = comparison.errors[kind]
        n = errs.size
        out[f"{kind}_n"] = float(comparison.n_labels[kind])
        out[f"{kind}_matched"] = float(n)
        out[f"{kind}_median_abs"] = float(np.median(np.abs(errs))) if n else float("nan")
        out[f"{kind}_p90_abs"] = float(np.percentile(np.abs(errs), 90)) if n else float("nan")
        out[f"{kind}_median_signed"] = float(np.median(errs)) if n else float("nan")
        out[f"{kind}_missed"] = float(comparison.missed[kind])
        out[f"{kind}_extra"] = float(comparison.extra[kind])
    bias = comparison.contact_bias_frames
    out["contacts"] = float(bias.size)
    out["contact_bias_frames"] = float(np.mean(bias)) if bias.size else float("nan")
    out["contact_bias_ms"] = 1000.0 * out["contact_bias_frames"] / fps
    out["side_agreement"] = comparison.side_agreement
    return out


def to_detected(events: Sequence[Any]) -> list[DetectedEvent]:
    """Reduce :class:`runform.gait.strides.GaitEvent` objects (or dicts from ``gait.json``)."""
    out = []
    for e in events:
        if isinstance(e, Mapping):
            out.append(DetectedEvent(float(e["frame"]), str(e["type"]), str(e["side"])))
        else:
            out.append(DetectedEvent(float(e.frame), str(e.type), str(e.side)))
    return out


def labels_as_detected(labels: ClipLabels) -> list[DetectedEvent]:
    """Another labeller's labels as "detected" events, to measure the spread between labellers.

    Each label becomes an event at its moment (``frame - 0.5``), so comparing
    them with :func:`compare_events` gives the difference of the two
    labellers' frames.
    """
    return [
        DetectedEvent(e.frame - LABEL_OFFSET_FRAMES, DETECTED_KIND[e.event], e.foot)
        for e in labels.events
    ]
