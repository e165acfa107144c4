"""Contact detection on hand-made foot signals with known events."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runform.gait.event_timing import time_lift_off
from runform.gait.events import EventSettings
from runform.gait.foot_contacts import detect_foot_contacts
from runform.processing.series import find_runs


def make_foot(fps: float, contact_s: float = 0.24, stride_s: float = 0.7, n: int = 5):
    """Piecewise foot: down during contact, a parabola up to 0.4 leg in swing.

    The toes move with the ground (0) in stance and at 6 leg/s in swing.
    """
    time = np.arange(0, n * stride_s + 0.3, 1 / fps)
    phase = np.mod(time - 0.1, stride_s)
    swing = phase >= contact_s
    u = np.clip((phase - contact_s) / (stride_s - contact_s), 0, 1)
    height = np.where(swing, 1.6 * u * (1 - u), 0.0)
    velocity = np.where(swing, 6.0 * np.sin(np.pi * u) + 0.5, 0.0)
    ics = 0.1 + stride_s * np.arange(n + 1)
    return time, height, velocity, ics, ics + contact_s


@pytest.mark.parametrize("fps", [30.0, 60.0, 120.0, 240.0])
def test_contacts_found_at_any_frame_rate(fps):
    time, height, velocity, ics, tos = make_foot(fps)
    contacts = detect_foot_contacts(time, height, velocity, np.ones_like(time), "left")
    assert len(contacts) == ics.size  # one per stride, the last cut by the clip's end
    found_ic = np.array([c.initial_contact_s for c in contacts])
    found_to = np.array([c.toe_off_s for c in contacts])
    inside = ics[(ics > time[0] + 0.05) & (ics < time[-1] - 0.3)]
    assert inside.size == 5 and np.isfinite(found_ic).sum() == ics.size
    for t in inside:
        assert np.nanmin(np.abs(found_ic - t)) < 1.0 / fps + 0.02
    for t in tos[tos < time[-1] - 0.1]:
        assert np.nanmin(np.abs(found_to - t)) < 1.0 / fps + 0.02


def test_low_fast_swing_is_not_a_contact():
    time, height, velocity, _ics, _tos = make_foot(60.0)
    flat_swing = np.minimum(height, 0.03)  # the foot never rises (a shuffle)
    contacts = detect_foot_contacts(time, flat_swing, velocity, np.ones_like(time), "left")
    assert len(contacts) == 6  # still one per stride: the moving foot splits them


@settings(max_examples=20, deadline=None)
@given(shift=st.floats(-10.0, 100.0))
def test_events_shift_with_time(shift):
    time, height, velocity, _ics, _tos = make_foot(60.0)
    base = detect_foot_contacts(time, height, velocity, np.ones_like(time), "left")
    moved = detect_foot_contacts(time + shift, height, velocity, np.ones_like(time), "left")
    a = np.array([[c.initial_contact_s, c.toe_off_s] for c in base])
    b = np.array([[c.initial_contact_s, c.toe_off_s] for c in moved])
    # 6 landings and 5 take-offs (the clip ends in the last stance): all timed, so
    # the comparison below is not one of empty or NaN arrays (equal to anything)
    assert a.shape == b.shape == (6, 2)
    assert np.isfinite(a).sum() == 11 and np.isfinite(a[:, 0]).all()
    np.testing.assert_allclose(b, a + shift, atol=1e-6)


def test_lift_off_by_height():
    time = np.arange(0, 1, 0.01)
    height = np.where(time < 0.5, 0.0, (time - 0.5) * 1.0)
    assert time_lift_off(time, height, (10, 50), 0.02) == pytest.approx(0.52, abs=1e-9)


def test_find_runs():
    mask = np.array([0, 1, 1, 0, 1, 0, 0, 1], dtype=bool)
    assert find_runs(mask) == [(1, 3), (4, 5), (7, 8)]


def test_settings_are_json_ready():
    data = EventSettings().to_dict()
    assert data["to_method"] == "velocity"
    assert isinstance(data["contact_height"], float)


def test_brief_pin_of_a_swinging_foot_is_not_a_contact():
    time, height, velocity, ics, _tos = make_foot(60.0)
    glitch = height.copy()
    vel = velocity.copy()
    # mid-swing of the 2nd stride: 2 frames pinned low and still, then the swing goes on
    mid = int(np.searchsorted(time, ics[1] + 0.45))
    glitch[mid : mid + 2] = 0.0
    vel[mid : mid + 2] = 0.0
    contacts = detect_foot_contacts(time, glitch, vel, np.ones_like(time), "left")
    found = np.array([c.initial_contact_s for c in contacts])
    assert not np.any(np.abs(found - time[mid]) < 0.05)
    assert len(contacts) == 6


@pytest.mark.parametrize(("cap", "timed"), [(0.03, 0), (0.04, 6)])
def test_low_swing_does_not_pull_the_landing_back(cap, timed):
    """The swing stays below the stance height (5 %) throughout.

    At 3 % it never rises above the landing level (3 %), so no landing can be
    timed and each is refused; at 4 % each landing is timed.
    """
    time, height, velocity, ics, _tos = make_foot(60.0)
    flat_swing = np.minimum(height, cap)
    contacts = detect_foot_contacts(time, flat_swing, velocity, np.ones_like(time), "left")
    assert len(contacts) == 6  # still one per stride: the moving foot splits them
    found = np.array([c.initial_contact_s for c in contacts])
    near = found[np.isfinite(found)]
    assert near.size == timed
    for t in ics[(ics > 0.2) & (ics < time[-1] - 0.3)]:
        # a landing is either found close to the truth or refused, never 300 ms early
        assert not np.any((near < t - 0.05) & (near > t - 0.5))
    if timed:
        assert np.abs(near - ics).max() < 0.02


def test_lift_off_never_runs_into_the_next_stance():
    time = np.arange(0, 2, 1 / 60)
    height = np.full_like(time, 0.3)
    height[(time > 0.2) & (time < 0.45)] = 0.0
    height[(time >= 0.45) & (time < 0.75)] = 0.055  # hovering, above stance, below level
    height[(time >= 0.75) & (time < 1.0)] = 0.0
    settings = EventSettings(to_method="height", contact_height=0.06)
    contacts = detect_foot_contacts(
        time, height, np.zeros_like(time), np.ones_like(time), "left", settings
    )
    assert len(contacts) == 2
    first, second = contacts
    assert first.initial_contact_s == pytest.approx(0.2, abs=1 / 60)
    assert second.start_s == pytest.approx(0.75, abs=1 / 60)
    # the hover (5.5 %) never rises through the lift-off level (6 %): the take-off
    # cannot be timed, and is refused rather than found in the next stance (~1.0 s)
    assert np.isnan(first.toe_off_s)
    assert second.toe_off_s == pytest.approx(1.0, abs=1 / 60)


@pytest.mark.parametrize("fps", [25.0, 30.0])
def test_short_contacts_at_low_frame_rates_are_kept(fps):
    time, height, velocity, ics, _tos = make_foot(fps, contact_s=0.1, stride_s=0.6)
    contacts = detect_foot_contacts(time, height, velocity, np.ones_like(time), "left")
    assert len(contacts) >= len(ics) - 1


def _contact(side, ic):
    from runform.gait.events import Contact

    return Contact(side, ic, ic + 0.2, 0.9, 0.0, ic, ic + 0.2)


def test_alternation_relabels_a_swapped_contact_but_not_a_missed_one():
    from runform.gait.foot_contacts import enforce_alternation

    contacts = [_contact("left", 0.0), _contact("right", 0.33), _contact("left", 0.66),
                _contact("left", 1.0), _contact("left", 1.33), _contact("left", 2.33)]  # fmt: skip
    fixed = enforce_alternation(contacts)
    sides = [c.side for c in fixed]
    assert sides[:5] == ["left", "right", "left", "right", "left"]
    assert fixed[3].relabelled and not fixed[2].relabelled
    # left 1.33 -> left 2.33 is three steps: landings were missed, not swapped
    assert sides[5] == "left" and not fixed[5].relabelled


def test_a_hovering_foot_lands_at_the_end_of_its_hover() -> None:
    """Down to 2 cm, hang there for 60 ms, then touch: the landing is the touch."""
    from runform.gait.event_timing import end_hover

    time = np.arange(0, 0.5, 1 / 60)
    touch = 0.25
    height = np.where(time < 0.15, 0.3 - 1.8 * time, 0.025)  # fast descent to the hover
    height = np.where(time >= touch, 0.0, height)
    height = np.where((time >= 0.15) & (time < touch), 0.025 - 0.05 * (time - 0.15), height)
    crossing = 0.15  # where a 3 % threshold is crossed
    found = end_hover(time, height, crossing, time.size, 0.0)
    assert abs(found - touch) <= 1 / 60


def test_a_steady_descent_keeps_its_landing() -> None:
    from runform.gait.event_timing import end_hover

    time = np.arange(0, 0.5, 1 / 60)
    height = np.clip(0.3 - 1.5 * time, 0.0, None)  # straight down into the ground at 0.2 s
    crossing = float(np.interp(0.03, height[::-1], time[::-1]))
    assert end_hover(time, height, crossing, time.size, 0.0) == crossing


def _skimming_foot(fps: float, ground_velocity: float = 0.0):
    """A foot low from 0.10 s that slides forward at 3 leg/s until it plants at 0.20 s."""
    time = np.arange(0, 0.5, 1 / fps)
    plant = 0.2
    heel_x = np.where(time < plant, 3.0 * (time - plant), 0.0) + ground_velocity * time
    toe_x = heel_x + 0.25
    slide = np.full((time.size, 2), np.nan)
    slide[:-1, 0] = np.diff(heel_x) * fps
    slide[:-1, 1] = np.diff(toe_x) * fps
    return time, slide, plant


@pytest.mark.parametrize("fps", [30.0, 60.0, 240.0])
@pytest.mark.parametrize("ground", [0.0, -3.5])  # still camera; treadmill belt
def test_a_skimming_foot_lands_where_it_stops_sliding(fps: float, ground: float) -> None:
    """Low enough for the height threshold at 0.10 s, but planted only at 0.20 s."""
    from runform.gait.event_timing import end_slide

    time, slide, plant = _skimming_foot(fps, ground)
    found = end_slide(time, slide, 0.1, time.size, ground, 2.0)
    assert plant - 1 / fps <= found <= plant + 1e-9


def test_a_planted_foot_keeps_its_landing() -> None:
    from runform.gait.event_timing import end_slide

    time, slide, plant = _skimming_foot(60.0)
    assert end_slide(time, slide, plant + 0.01, time.size, 0.0, 2.0) == plant + 0.01
    # no planted frame inside the stance candidate: the landing is left as it was
    assert end_slide(time, slide, 0.1, 9, 0.0, 2.0) == 0.1
    # the rule switched off
    assert end_slide(time, slide, 0.1, time.size, 0.0, float("inf")) == 0.1
    # still sliding 0.15 s after it came low: a shuffle, not a skim before a touch
    assert end_slide(time, slide, plant - 0.2, time.size, 0.0, 2.0) == plant - 0.2


def test_the_slide_rule_moves_a_skimming_landing_in_the_detector() -> None:
    """Through detect_foot_contacts: without the slide signal the landing is the early one."""
    time, height, velocity, ics, _tos = make_foot(60.0)
    # the foot skims 1 % of a leg above the ground (too low for the hover rule) for 80 ms
    # before each landing, moving forward at 3 leg/s; in stance it does not move
    early = np.zeros(time.size, dtype=bool)
    for ic in ics:
        early |= (time >= ic - 0.08) & (time < ic)
    height = np.where(early, 0.01, height)
    moving = np.where(early | (height > 0), 3.0, 0.0)  # leg/s from each frame to the next
    x = np.concatenate([[0.0], np.cumsum(moving[:-1])]) / 60.0
    slide = np.full((time.size, 2), np.nan)
    slide[:-1, 0] = slide[:-1, 1] = np.diff(x) * 60.0
    plain = detect_foot_contacts(time, height, velocity, np.ones_like(time), "left")
    aware = detect_foot_contacts(
        time, height, velocity, np.ones_like(time), "left", slide_velocity=slide
    )
    inside = ics[(ics > 0.2) & (ics < time[-1] - 0.3)]
    for name, contacts, limit in (("plain", plain, 0.05), ("aware", aware, 1 / 60 + 1e-9)):
        found = np.array([c.initial_contact_s for c in contacts])
        errors = [np.nanmin(np.abs(found - t)) for t in inside]
        if name == "plain":
            assert min(errors) > limit  # the height threshold alone lands on the skim
        else:
            assert max(errors) <= limit


def test_a_slide_whose_last_moving_frame_is_unknown_lands_on_the_planted_frame() -> None:
    from runform.gait.event_timing import end_slide

    time, slide, plant = _skimming_foot(60.0)
    k = int(np.searchsorted(time, plant))  # the first planted frame
    slide[k - 1] = np.nan  # the pose model lost the foot just before
    assert end_slide(time, slide, 0.1, time.size, 0.0, 2.0) == pytest.approx(time[k])
