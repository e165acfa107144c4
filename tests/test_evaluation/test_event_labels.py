"""Matching detected events to hand labels, and the label files themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from runform.evaluation.event_labels import (
    LABEL_OFFSET_FRAMES,
    DetectedEvent,
    compare_events,
    labels_as_detected,
    load_labels,
    parse_labels,
    summarise_comparison,
)

LABELS = Path(__file__).resolve().parents[1] / "data" / "event_labels"


def _labels(events: list[tuple[int, str, str]]) -> dict[str, object]:
    return {
        "clip": "x.mp4",
        "fps": 50.0,
        "labelled_frames": [0, 200],
        "labeller": "t",
        "events": [
            {"frame": f, "event": e, "foot": s, "near": True, "uncertainty": 0}
            for f, e, s in events
        ],
    }


STEPS = [
    (10, "landing", "left"),
    (20, "takeoff", "left"),
    (30, "landing", "right"),
    (40, "takeoff", "right"),
    (50, "landing", "left"),
    (60, "takeoff", "left"),
]


def test_detected_at_the_labelled_moment_has_no_error() -> None:
    labels = parse_labels(_labels(STEPS))
    kinds = {"landing": "initial_contact", "takeoff": "toe_off"}
    detected = [DetectedEvent(f - LABEL_OFFSET_FRAMES, kinds[e], s) for f, e, s in STEPS]
    s = summarise_comparison(compare_events(labels, detected), labels.fps)
    assert s["landing_median_abs"] == 0.0 and s["takeoff_median_abs"] == 0.0
    assert s["contact_bias_ms"] == 0.0 and s["contacts"] == 3
    assert s["side_agreement"] == 1.0


def test_early_landings_and_late_takeoffs_lengthen_contacts() -> None:
    labels = parse_labels(_labels(STEPS))
    detected = []
    for f, e, s in STEPS:
        shift = -2.0 if e == "landing" else 3.0
        kind = "initial_contact" if e == "landing" else "toe_off"
        detected.append(DetectedEvent(f - 0.5 + shift, kind, s))
    s = summarise_comparison(compare_events(labels, detected), labels.fps)
    assert s["landing_median_signed"] == pytest.approx(-2.0)
    assert s["takeoff_median_signed"] == pytest.approx(3.0)
    assert s["contact_bias_frames"] == pytest.approx(5.0)
    assert s["contact_bias_ms"] == pytest.approx(100.0)


def test_far_events_are_missed_and_unmatched_detections_are_extra() -> None:
    labels = parse_labels(_labels(STEPS))
    detected = [
        DetectedEvent(9.5, "initial_contact", "right"),  # foot swapped: still a match
        DetectedEvent(150.0, "initial_contact", "left"),  # nothing labelled there
    ]
    comparison = compare_events(labels, detected)
    assert comparison.missed["landing"] == 2 and comparison.missed["takeoff"] == 3
    assert comparison.extra["landing"] == 1
    assert comparison.side_agreement == 0.0


def test_one_detection_matches_one_label_only() -> None:
    labels = parse_labels(
        _labels([(10, "landing", "left"), (12, "landing", "right"), (30, "landing", "left")])
    )
    comparison = compare_events(labels, [DetectedEvent(11.0, "initial_contact", "left")])
    assert comparison.errors["landing"].size == 1


def test_a_labeller_against_themself_agrees() -> None:
    labels = parse_labels(_labels(STEPS))
    s = summarise_comparison(compare_events(labels, labels_as_detected(labels)), 50.0)
    assert s["landing_median_abs"] == 0.0 and s["contact_bias_frames"] == 0.0


@pytest.mark.parametrize(
    ("field", "value"), [("event", "strike"), ("foot", "near"), ("uncertainty", 3)]
)
def test_bad_labels_are_refused(field: str, value: object) -> None:
    data = _labels(STEPS[:1])
    data["events"][0][field] = value  # type: ignore[index]
    with pytest.raises(ValueError):
        parse_labels(data)


def test_every_label_file_in_the_repository_is_valid() -> None:
    files = sorted(LABELS.rglob("*.json"))
    assert len(files) >= 10  # the label files are there: the loop checks something
    for path in files:
        labels = load_labels(path)
        first, last = labels.labelled_frames
        frames = np.array([e.frame for e in labels.events])
        assert frames.size > 0, path
        assert np.all((frames >= first) & (frames <= last + 1)), path
        assert labels.fps > 0, path
