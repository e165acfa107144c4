"""Setting (treadmill, overground, tracking camera) and activity.

Setting, from where things move in the image (speeds in leg lengths per
second, so they hold at any image size):

* **overground** with a static camera: the hips travel across the frame and
  a foot on the ground stands still in the image;
* **treadmill**: the hips stay put and a foot on the ground slides backward
  with the belt;
* **tracking**: a camera that pans with the runner also keeps the hips put
  and makes the ground slide backward, like a treadmill, but the background
  moves too. Only a background-motion measurement (``camera_speed``) tells
  it from a treadmill; without one the treadmill is chosen with a reduced
  confidence. A camera that follows only partly shows both hip travel and
  foot slide, which also means tracking.

In a front or rear view the runner's figure grows or shrinks overground and
keeps its size on a treadmill.

Activity, from the contacts: none (fewer than two contacts, or legs that do
not move), running (flight phases, hips lowest in mid-stance; see
:mod:`runform.gait.flight`), walking (one foot always down, hips highest in
mid-stance), or an in-place drill (the feet step but a foot on
the ground does not sweep back under the body, the hips do not travel and
no belt moves the foot).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runform.scene.view import Classified

SETTINGS = ("treadmill", "overground", "tracking")
#: Hips this far (leg lengths, ~0.5 cm) below or above their step mean in
#: mid-stance count as a running or walking bounce.
BOUNCE_MARGIN = 0.006
#: Share of frames with both feet off the ground that counts as flight.
MIN_FLIGHT_SHARE = 0.06
ACTIVITIES = ("running", "walking", "in_place_drill", "none")


@dataclass(frozen=True)
class MotionEvidence:
    """Measured motion used to classify the setting and activity.

    Attributes
    ----------
    travel_speed
        Speed of the hips across the image, leg lengths/s (absolute).
    stance_foot_speed
        Median absolute image speed of a foot on the ground, leg lengths/s.
    size_growth_per_s
        Rate of change of the log figure size, 1/s (front/rear views).
    camera_speed
        Background speed in the image, leg lengths/s, or NaN if not measured.
    """

    travel_speed: float
    stance_foot_speed: float
    size_growth_per_s: float
    camera_speed: float = float("nan")

    def to_dict(self) -> dict[str, float]:
        """Return a JSON-ready dict, rounded."""
        return {k: round(float(v), 3) for k, v in self.__dict__.items()}


def _ramp(value: float, low: float, high: float) -> float:
    """0 below ``low``, 1 above ``high``, linear in between."""
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))


def classify_setting(view: str, motion: MotionEvidence) -> Classified:
    """Classify the capture setting.

    Parameters
    ----------
    view
        ``side``, ``front``, ``rear`` or ``oblique``.
    motion
        Measured motion.

    Returns
    -------
    Classified
        ``treadmill``, ``overground`` or ``tracking`` with a confidence.
    """
    evidence = motion.to_dict()
    if view in ("front", "rear"):
        moving = _ramp(abs(motion.size_growth_per_s), 0.03, 0.12)
        if moving >= 0.5:
            return Classified("overground", 0.5 + 0.5 * moving, evidence)
        return Classified("treadmill", 0.5 * (1.0 - moving) + 0.25, evidence)
    travel = _ramp(motion.travel_speed, 0.3, 1.2)
    slide = _ramp(motion.stance_foot_speed, 0.3, 1.2)
    if travel >= 0.5 and slide < 0.5:
        return Classified("overground", 0.5 + 0.5 * min(travel, 1.0 - slide), evidence)
    if travel >= 0.5:
        return Classified("tracking", 0.5 + 0.25 * min(travel, slide), evidence)
    pans = _ramp(motion.camera_speed, 0.3, 1.0) if np.isfinite(motion.camera_speed) else None
    if pans is not None and pans >= 0.5:
        return Classified("tracking", 0.5 + 0.5 * pans, evidence)
    still = 1.0 - travel
    confidence = 0.5 + 0.5 * min(still, slide)
    if pans is None:
        confidence *= 0.8  # a tracking shot looks the same without background motion
    return Classified("treadmill", confidence, evidence)


@dataclass(frozen=True)
class ActivityEvidence:
    """Measured gait features used to classify the activity.

    Attributes
    ----------
    n_contacts
        Contacts found on both feet.
    duty_factor
        Median stance time over stride time (NaN when no stride).
    foot_sweep
        Median backward travel of a foot on the ground relative to the hips
        during stance, leg lengths.
    leg_motion
        Spread (5-95 %) of the ankles' position relative to the hips, leg
        lengths.
    ground_speed
        The larger of the hips' travel and a grounded foot's slide in the
        image, leg lengths/s (0 when neither moves: in place).
    flight_share
        Share of frames with both feet off the ground (0-1, NaN unknown).
    stance_bounce
        Hips' height in mid-stance above their mean over the step, leg
        lengths (negative: lowest in stance, as in running).
    """

    n_contacts: int
    duty_factor: float
    foot_sweep: float
    leg_motion: float
    ground_speed: float = float("nan")
    flight_share: float = float("nan")
    stance_bounce: float = float("nan")

    def to_dict(self) -> dict[str, float]:
        """Return a JSON-ready dict, rounded."""
        return {k: round(float(v), 3) for k, v in self.__dict__.items()}


def classify_activity(evidence: ActivityEvidence) -> Classified:
    """Classify what the person does: running, walking, an in-place drill, or none.

    Walking and running are told apart first by the bounce and the flight
    (:mod:`runform.gait.flight`): hips lowest in mid-stance
    (``stance_bounce`` below -:data:`BOUNCE_MARGIN`) or both feet clearly
    off the ground in at least :data:`MIN_FLIGHT_SHARE` of the frames with
    hips not highest in stance mean running; hips highest in mid-stance and
    no flight mean walking. Only when neither is clear does the duty factor
    decide (above 0.5 both feet are down at once), since it inherits every
    error of the contact times.
    """
    info = evidence.to_dict()
    if evidence.n_contacts < 2 or evidence.leg_motion < 0.15:
        still = 1.0 - _ramp(evidence.leg_motion, 0.1, 0.4)
        return Classified("none", 0.5 + 0.5 * max(still, float(evidence.n_contacts < 2)), info)
    in_place = np.isfinite(evidence.foot_sweep) and evidence.foot_sweep < 0.2
    if in_place and not evidence.ground_speed >= 0.3:
        return Classified(
            "in_place_drill", 0.5 + 0.5 * (1 - _ramp(evidence.foot_sweep, 0, 0.2)), info
        )
    bounce, flight = evidence.stance_bounce, evidence.flight_share
    bounce_conf = _ramp(abs(bounce), 0.0, 4 * BOUNCE_MARGIN) if np.isfinite(bounce) else 0.0
    if bounce < -BOUNCE_MARGIN or (flight >= MIN_FLIGHT_SHARE and not bounce > BOUNCE_MARGIN):
        flight_conf = _ramp(flight, 0.0, 2 * MIN_FLIGHT_SHARE) if np.isfinite(flight) else 0.0
        return Classified("running", 0.5 + 0.5 * max(bounce_conf, flight_conf), info)
    if bounce > BOUNCE_MARGIN and not flight >= MIN_FLIGHT_SHARE:
        return Classified("walking", 0.5 + 0.5 * bounce_conf, info)
    if not np.isfinite(evidence.duty_factor):
        return Classified("running", 0.4, info)
    margin = evidence.duty_factor - 0.5
    label = "walking" if margin > 0 else "running"
    return Classified(label, 0.5 + 0.5 * _ramp(abs(margin), 0.0, 0.1), info)
