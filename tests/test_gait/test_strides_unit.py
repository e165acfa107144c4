"""Steps and strides from hand-made contacts whose right answer is known.

A runner at 0.35 s per step (0.70 s per stride, ~171 spm) with 0.20 s contacts:
contact time 200 ms, step 350 ms, flight 150 ms, duty factor 2/7.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from runform.gait.events import Contact
from runform.gait.foot_contacts import enforce_alternation
from runform.gait.strides import Stride, build_strides, list_events

STEP = 0.35
STANCE = 0.2


def contact(
    side: str,
    ic: float,
    to: float | None = None,
    confidence: float = 0.9,
    relabelled: bool = False,
) -> Contact:
    """A contact at ``ic`` lasting :data:`STANCE` unless ``to`` is given."""
    to = ic + STANCE if to is None else to
    stop = to if math.isfinite(to) else ic + STANCE
    return Contact(side, ic, to, confidence, 0.0, ic, stop, relabelled)


def alternating(n: int, first: str = "left", start: float = 0.0) -> list[Contact]:
    """``n`` alternating contacts, one step apart."""
    other = "right" if first == "left" else "left"
    return [contact(first if k % 2 == 0 else other, start + k * STEP) for k in range(n)]


def test_regular_running_gives_the_known_times():
    strides = build_strides(alternating(5))  # L 0.0, R 0.35, L 0.7, R 1.05, L 1.4
    assert [s.side for s in strides] == ["left", "right", "left"]
    assert [s.start_s for s in strides] == pytest.approx([0.0, 0.35, 0.7])
    assert [s.end_s for s in strides] == pytest.approx([0.7, 1.05, 1.4])
    for stride in strides:
        assert stride.stride_ms == pytest.approx(700.0)
        assert stride.contact_ms == pytest.approx(200.0)
        assert stride.step_ms == pytest.approx(350.0)
        assert stride.flight_ms == pytest.approx(150.0)
        assert stride.duty_factor == pytest.approx(2.0 / 7.0)
        assert stride.toe_off_s == pytest.approx(stride.start_s + STANCE)


def test_the_last_contact_of_each_foot_starts_no_stride():
    # n contacts of two feet: each foot's last contact has no partner -> n - 2 strides
    for n in range(2, 9):
        assert len(build_strides(alternating(n))) == max(n - 2, 0), n


def test_strides_are_in_time_order_whatever_the_input_order():
    contacts = alternating(8, first="right")
    expected = build_strides(contacts)
    shuffled = contacts[:]
    random.Random(3).shuffle(shuffled)
    assert shuffled != contacts
    got = build_strides(shuffled)
    assert got == expected
    starts = [s.start_s for s in got]
    assert starts == sorted(starts) and len(starts) == 6
    assert [s.side for s in got] == ["right", "left"] * 3


def test_empty_and_single_contacts_give_no_strides():
    assert build_strides([]) == []
    assert build_strides([contact("left", 0.0)]) == []
    assert build_strides([contact("left", 0.0), contact("right", 0.35)]) == []


def test_contacts_without_a_landing_time_are_skipped():
    # the foot already down at the start of the clip: no initial contact time
    down_at_start = contact("right", float("nan"), to=0.1)
    strides = build_strides([down_at_start, *alternating(4, start=0.35)])
    assert [(s.side, s.start_s) for s in strides] == [("left", 0.35), ("right", 0.7)]
    assert all(np.isfinite(s.step_ms) for s in strides)


def test_a_missed_contact_drops_the_stride_across_the_gap():
    contacts = [c for c in alternating(8) if c.initial_contact_s != pytest.approx(1.05)]
    # left 0.0, 0.7, 1.4, 2.1; right 0.35, [1.05 missed], 1.75, 2.45
    strides = build_strides(contacts)
    assert [(s.side, round(s.start_s, 2)) for s in strides] == [
        ("left", 0.0),
        ("left", 0.7),
        ("left", 1.4),
        ("right", 1.75),
    ]  # right 0.35 -> 1.75 (1400 ms, twice the median) is dropped
    assert all(s.stride_ms == pytest.approx(700.0) for s in strides)
    by_start = {round(s.start_s, 2): s for s in strides}
    # left 0.7 is followed by left 1.4, not the right foot: no step, no flight
    assert math.isnan(by_start[0.7].step_ms) and math.isnan(by_start[0.7].flight_ms)
    assert by_start[0.7].contact_ms == pytest.approx(200.0)  # its own contact still counts
    assert by_start[1.4].step_ms == pytest.approx(350.0)
    assert by_start[0.0].step_ms == pytest.approx(350.0)


def test_a_contact_split_in_two_drops_the_short_stride():
    contacts = [*alternating(6), contact("left", 0.75, to=0.8)]
    strides = build_strides(contacts)
    durations = sorted(round(s.stride_ms) for s in strides)
    assert 50 not in durations  # left 0.70 -> 0.75 is not a stride
    assert [(s.side, round(s.start_s, 2)) for s in strides] == [
        ("left", 0.0),
        ("right", 0.35),
        ("left", 0.75),
        ("right", 1.05),
    ]
    assert durations == [650, 700, 700, 700]


def test_the_ratio_bounds_are_inclusive():
    # left strides of 0.5, 0.5 and 1.0 s: the median is 0.5, the long one is 2x it
    contacts = [contact("left", t) for t in (0.0, 0.5, 1.0, 2.0)]
    assert len(build_strides(contacts, max_stride_ratio=2.0)) == 3
    assert len(build_strides(contacts, max_stride_ratio=1.9)) == 2
    # left strides of 1.0, 1.0 and 0.5 s: the median is 1.0, the short one is half it
    split = [contact("left", t) for t in (0.0, 1.0, 2.0, 2.5)]
    assert len(build_strides(split, max_stride_ratio=2.0)) == 3
    assert len(build_strides(split, max_stride_ratio=1.9)) == 2
    only_one_foot = build_strides(contacts, max_stride_ratio=2.0)
    # one foot only: the other foot never follows, so no step and no flight
    assert all(math.isnan(s.step_ms) and math.isnan(s.flight_ms) for s in only_one_foot)


def test_a_toe_off_after_the_next_landing_is_not_used():
    contacts = alternating(5)
    contacts[0] = contact("left", 0.0, to=0.9)  # past the same foot's next contact at 0.7
    contacts[1] = contact("right", 0.35, to=float("nan"))  # the take-off was not timed
    strides = build_strides(contacts)
    first, second = strides[0], strides[1]
    assert (first.side, second.side) == ("left", "right")
    for stride in (first, second):
        assert math.isnan(stride.toe_off_s) and math.isnan(stride.contact_ms)
        assert math.isnan(stride.flight_ms)
        assert stride.step_ms == pytest.approx(350.0)  # the step needs landings only
    assert strides[2].contact_ms == pytest.approx(200.0)


def test_confidence_and_relabelling_come_from_the_strides_first_contact():
    contacts = alternating(4)
    contacts[0] = contact("left", 0.0, confidence=0.4)
    contacts[1] = contact("right", 0.35, confidence=0.7, relabelled=True)
    strides = build_strides(contacts)
    assert [(s.confidence, s.relabelled) for s in strides] == [(0.4, False), (0.7, True)]


def test_stride_json_turns_nan_into_none():
    stride = Stride("left", 0.0, 0.7, float("nan"), float("nan"), 700.0, 350.0, float("nan"), 0.9)
    data = stride.to_dict()
    assert data["toe_off_s"] is None and data["contact_ms"] is None
    assert data["flight_ms"] is None and data["duty_factor"] is None
    assert data["stride_ms"] == 700.0 and data["step_ms"] == 350.0 and data["side"] == "left"


def test_alternation_then_strides_restores_the_swapped_foot():
    contacts = alternating(6)
    swapped = contacts[:]
    swapped[3] = contact("left", contacts[3].initial_contact_s)  # right 1.05 labelled left
    broken = build_strides(swapped)
    # without it the right foot's only pair (0.35 -> 1.75) spans a gap: no right stride
    assert [s.side for s in broken].count("right") == 0
    fixed = build_strides(enforce_alternation(swapped))
    assert [(s.side, round(s.start_s, 2)) for s in fixed] == [
        ("left", 0.0),
        ("right", 0.35),
        ("left", 0.7),
        ("right", 1.05),
    ]
    assert all(s.step_ms == pytest.approx(350.0) for s in fixed)
    assert [s.relabelled for s in fixed] == [False, False, False, True]


def test_events_are_flat_timed_and_framed():
    contacts = [contact("right", 0.35), contact("left", 0.0), contact("left", 0.7, to=np.nan)]
    time = np.arange(0.0, 1.0, 0.05)  # 20 fps
    frames = np.arange(time.size, dtype=float) + 100.0
    events = list_events(contacts, time, frames)
    assert [(e.side, e.type) for e in events] == [
        ("left", "initial_contact"),
        ("left", "toe_off"),
        ("right", "initial_contact"),
        ("right", "toe_off"),
        ("left", "initial_contact"),
    ]  # the untimed toe-off is left out
    assert [e.time_s for e in events] == pytest.approx([0.0, 0.2, 0.35, 0.55, 0.7])
    assert [e.frame for e in events] == pytest.approx([100.0, 104.0, 107.0, 111.0, 114.0])
    assert list_events([], time) == []


def test_the_typical_stride_is_one_the_camera_sees_well() -> None:
    """A far leg at half the confidence is not shown, even when its angles are the most typical."""
    from runform.gait.stride_kinematics import STRIDE_INSTANTS, choose_representative_stride

    times = {k: float(i) for i, k in enumerate(STRIDE_INSTANTS)}

    def angles(knee: float) -> dict[str, dict[str, float]]:
        return {"initial_contact": {"knee_flexion": knee}, "mid_stance": {"knee_flexion": knee}}

    rows = [(0.48, times, angles(20.0)), (0.99, times, angles(26.0)), (0.97, times, angles(14.0)),
            (0.45, times, angles(21.0))]  # fmt: skip
    assert choose_representative_stride(rows) in (1, 2)
    # all seen alike: the most typical one
    same = [(0.9, times, angles(k)) for k in (10.0, 20.0, 21.0, 40.0)]
    assert choose_representative_stride(same) in (1, 2)
