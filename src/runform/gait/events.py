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
  interpolated between frames, then moved to where the foot stops sliding
  forward over the ground (see below). This is the vertical-position-with-threshold
  method of Maiwald et al. (2009, "Detecting foot-to-ground contact from
  kinematic data in running", Footwear Science 1:111) and of Pose2Sim's
  ``trc_gaitevents`` "height" method. The threshold sits above the landmark
  jitter of a filtered foot and above MediaPipe's habit of holding a landing
  foot 1-3 % of a leg length high in the last frames before touch-down; the
  ground level is taken per stance, so a constant offset of the heel or toe
  landmark cancels. (A line fit extrapolated
  to the ground and the peak of vertical deceleration were both tried and were
  later by 1-3 frames on the synthetic runner: a filtered landing is rounded.)
  A foot that comes down and skims the ground before it touches is low
  enough for the threshold while it still moves forward; a planted foot does
  not move over the ground. So the landing is moved on to the frame where
  the slower of heel and toes first moves less than ``landing_slide_speed``
  relative to the ground to the next frame (the foot-velocity criterion of
  O'Connor et al. 2007, "Automatic detection of gait events using kinematic
  data", Gait Posture 25:469, applied to the horizontal velocity, with the
  ground's velocity subtracted as for the toe-off).
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

This module holds the settings (:class:`EventSettings`) and the contact
record (:class:`Contact`). The steps: stance candidates in
:mod:`runform.gait.stance`, the landing and take-off times in
:mod:`runform.gait.event_timing`, and
:func:`~runform.gait.foot_contacts.detect_foot_contacts`, which runs them, in
:mod:`runform.gait.foot_contacts`. All functions are pure and work on plain
arrays; times are seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


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
    landing_slide_speed
        A foot whose heel and toes both move faster than this (leg lengths/s,
        relative to the ground, from one frame to the next) has not landed;
        ``inf`` turns the rule off.
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
    landing_slide_speed: float = 2.0

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
        The side was changed by
        :func:`~runform.gait.foot_contacts.enforce_alternation` (the pose
        model had given this foot the other leg's label).
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
