"""Flight share and stance bounce: running is recognised by flight, not by the duty factor."""

from __future__ import annotations

import numpy as np

from runform.gait.events import Contact
from runform.gait.flight import FLIGHT_HEIGHT, compute_flight_share, compute_stance_bounce
from runform.scene.setting import ActivityEvidence, classify_activity


def _contacts(step_s: float, stance_s: float, n: int) -> list[Contact]:
    out = []
    for k in range(n):
        start = 0.1 + k * step_s
        side = "left" if k % 2 == 0 else "right"
        out.append(Contact(side, start, start + stance_s, 1.0, 0.0, start, start + stance_s))
    return out


def _gait(running: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Contact]]:
    """Foot heights and hip height of an idealised runner or walker, 100 fps, 3 s."""
    time = np.arange(0, 3, 0.01)
    step = 0.33 if running else 0.55
    stance = 0.2 if running else 0.65
    contacts = _contacts(step, stance, 8)
    heights = {"left": np.full(time.size, 0.3), "right": np.full(time.size, 0.3)}
    for c in contacts:
        inside = (time >= c.start_s) & (time <= c.stop_s)
        heights[c.side][inside] = 0.0
    phase = 2 * np.pi * (time - 0.1 - 0.5 * stance) / step
    # running: lowest in mid-stance; walking: highest in mid-stance
    hip = (-0.04 if running else 0.03) * np.cos(phase) + 1.0
    return time, heights["left"], heights["right"], hip, contacts  # type: ignore[return-value]


def test_running_has_flight_and_a_low_bounce_in_stance() -> None:
    time, left, right, hip, contacts = _gait(running=True)
    assert compute_flight_share(left, right) > 0.2
    assert compute_stance_bounce(time, hip, contacts) < -0.03


def test_walking_has_no_flight_and_a_high_bounce_in_stance() -> None:
    time, left, right, hip, contacts = _gait(running=False)
    assert compute_flight_share(left, right) < 0.05  # only before the first contact
    assert compute_stance_bounce(time, hip, contacts) > 0.02


def test_flight_needs_both_feet_clearly_up() -> None:
    low = np.full(50, 0.5 * FLIGHT_HEIGHT)
    high = np.full(50, 0.5)
    assert compute_flight_share(low, high) == 0.0
    assert compute_flight_share(high, high) == 1.0
    assert np.isnan(compute_flight_share(np.full(5, 0.5), np.full(5, 0.5)))


def test_bounce_needs_three_contacts() -> None:
    time, _l, _r, hip, contacts = _gait(running=True)
    assert np.isnan(compute_stance_bounce(time, hip, contacts[:2]))


def test_running_with_long_measured_contacts_is_still_running() -> None:
    """A bent-over treadmill runner whose contacts read long (duty > 0.5) but who bounces."""
    evidence = ActivityEvidence(12, 0.58, 0.6, 0.9, 0.5, flight_share=0.15, stance_bounce=-0.02)
    assert classify_activity(evidence).label == "running"


def test_walking_with_a_noisy_duty_factor_is_still_walking() -> None:
    evidence = ActivityEvidence(12, 0.45, 0.6, 0.9, 0.8, flight_share=0.01, stance_bounce=0.02)
    assert classify_activity(evidence).label == "walking"


def test_duty_factor_decides_only_without_bounce_or_flight() -> None:
    evidence = ActivityEvidence(12, 0.62, 0.6, 0.9, 0.8, flight_share=0.0, stance_bounce=0.001)
    assert classify_activity(evidence).label == "walking"
    evidence = ActivityEvidence(12, 0.35, 0.6, 0.9, 0.8, flight_share=0.02, stance_bounce=0.001)
    assert classify_activity(evidence).label == "running"


def test_slow_motion_front_view_is_still_running() -> None:
    """The flight and bounce are read on the clock the contacts were found on."""
    from runform.gait.analyze import analyze_gait
    from runform.synth import PRESETS, compute_truth
    from test_gait.frontal import frontal_poses

    truth = compute_truth(PRESETS["treadmill"])
    for slow in (1.0, 4.0):
        poses = frontal_poses(truth, "front")
        poses = poses.assign_coords(time=poses["time"].values * slow)
        assert analyze_gait(poses).capture.activity.label == "running", slow
