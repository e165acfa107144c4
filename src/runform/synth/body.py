"""Anthropometry of the synthetic runner: segment lengths from body height.

Lengths follow Winter's proportions of standing height ``H`` (Winter, D. A.,
*Biomechanics and Motor Control of Human Movement*, 4th ed., 2009, fig. 4.1),
with a running-shoe sole under the foot: the ankle stands at 0.050 ``H``
(Winter's barefoot 0.039 ``H`` plus about 2 cm of sole). Segment masses and centre-of-mass
positions (same source, table 4.1) give a segmental whole-body centre of mass.

All lengths are in metres. Positions inside a segment frame use ``x`` forward
(toward the runner's face or toes) and ``y`` up.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SEGMENT_MASS_FRACTIONS", "BodyDimensions", "compute_body_dimensions"]

#: Segment mass as a fraction of body mass, and the position of the segment's
#: centre of mass as a fraction of its length from the proximal end (Winter
#: 2009, table 4.1). "head" is head and neck; "trunk" runs from the hip joints
#: to the shoulder joints; "foot" runs from the ankle to the ball of the foot.
SEGMENT_MASS_FRACTIONS: dict[str, tuple[float, float]] = {
    "head": (0.081, 1.0),
    "trunk": (0.497, 0.50),
    "upper_arm": (0.028, 0.436),
    "forearm": (0.016, 0.430),
    "hand": (0.006, 0.506),
    "thigh": (0.100, 0.433),
    "shank": (0.0465, 0.433),
    "foot": (0.0145, 0.50),
}


@dataclass(frozen=True)
class BodyDimensions:
    """Segment lengths and landmark offsets of one runner, in metres.

    Attributes
    ----------
    height_m
        Standing height (floor to top of head, with shoes).
    thigh_m, shank_m
        Hip joint to knee joint, knee joint to ankle (lateral malleolus).
    ankle_height_m
        Ankle above the floor when the shod foot is flat.
    heel_back_m
        Horizontal distance from the ankle back to the rear of the heel.
    ball_forward_m
        Horizontal distance from the ankle forward to the ball of the foot
        (the metatarsal heads, the joint the toes bend about).
    toe_length_m
        Ball of the foot to the tip of the shoe (the ``foot_index`` landmark).
    heel_landmark_height_m, toe_landmark_height_m
        Height above the sole of the ``heel`` and ``foot_index`` landmarks.
    trunk_m
        Hip joints to shoulder joints along the trunk.
    neck_m
        Mid-shoulder to the centre of the head.
    upper_arm_m, forearm_m, hand_m
        Shoulder to elbow, elbow to wrist, wrist to fingertips.
    shoulder_half_width_m
        Half the distance between the two shoulder joints.
    head_length_m, head_height_m
        Front-to-back and chin-to-crown size of the head.
    """

    height_m: float
    thigh_m: float
    shank_m: float
    ankle_height_m: float
    heel_back_m: float
    ball_forward_m: float
    toe_length_m: float
    heel_landmark_height_m: float
    toe_landmark_height_m: float
    trunk_m: float
    neck_m: float
    upper_arm_m: float
    forearm_m: float
    hand_m: float
    shoulder_half_width_m: float
    head_length_m: float
    head_height_m: float

    @property
    def leg_length_m(self) -> float:
        """Standing hip-joint height: thigh + shank + ankle height, in metres."""
        return self.thigh_m + self.shank_m + self.ankle_height_m

    @property
    def foot_length_m(self) -> float:
        """Rear of the heel to the tip of the shoe, in metres."""
        return self.heel_back_m + self.ball_forward_m + self.toe_length_m

    def face_offsets_m(self) -> dict[str, tuple[float, float]]:
        """Return face landmark offsets from the head centre, in metres.

        Returns
        -------
        dict
            ``"nose"``, ``"eye_inner"``, ``"eye"``, ``"eye_outer"``, ``"ear"``
            and ``"mouth"`` mapped to ``(forward, up)`` offsets in the head's
            own frame (upright head, face pointing along ``+x``). In a side
            view the left and right members of each pair project onto the
            same point.
        """
        h = self.height_m
        return {
            "nose": (0.066 * h, -0.010 * h),
            "eye_inner": (0.053 * h, 0.007 * h),
            "eye": (0.046 * h, 0.007 * h),
            "eye_outer": (0.039 * h, 0.007 * h),
            "ear": (-0.006 * h, -0.003 * h),
            "mouth": (0.050 * h, -0.034 * h),
        }


def compute_body_dimensions(
    height_m: float,
    *,
    thigh_scale: float = 1.0,
    shank_scale: float = 1.0,
    trunk_scale: float = 1.0,
    arm_scale: float = 1.0,
    foot_scale: float = 1.0,
) -> BodyDimensions:
    """Return the segment lengths of a runner of the given height.

    Parameters
    ----------
    height_m
        Standing height in metres (shod), > 0, at Winter's proportions.
    thigh_scale, shank_scale, trunk_scale, arm_scale, foot_scale
        Dimensionless factors on Winter's thigh, shank, trunk, upper-arm
        and forearm (and hand), and foot (heel, ball and toe) lengths; 1
        keeps Winter's proportions. ``height_m`` stays the drawing unit (head
        and neck size, limb widths), so the actual standing height changes by
        the leg and trunk changes.

    Returns
    -------
    BodyDimensions
        Lengths scaled from Winter's proportions of height. The hip joint
        stands at 0.541 ``H`` (shod) and the shoulder joints 0.288 ``H``
        above it (at unit scales).

    Raises
    ------
    ValueError
        If ``height_m`` is not positive.
    """
    if not height_m > 0:
        raise ValueError(f"height_m must be > 0, got {height_m}")
    scales = (thigh_scale, shank_scale, trunk_scale, arm_scale, foot_scale)
    if not all(0.5 <= s <= 1.5 for s in scales):
        raise ValueError(f"segment scales must be in [0.5, 1.5], got {scales}")
    h = height_m
    foot = 0.152 * h * foot_scale
    return BodyDimensions(
        height_m=h,
        thigh_m=0.245 * h * thigh_scale,
        shank_m=0.246 * h * shank_scale,
        ankle_height_m=0.050 * h,
        heel_back_m=0.22 * foot,
        ball_forward_m=0.50 * foot,
        toe_length_m=0.28 * foot,
        heel_landmark_height_m=0.012 * h,
        toe_landmark_height_m=0.013 * h,
        trunk_m=0.288 * h * trunk_scale,
        neck_m=0.115 * h,
        upper_arm_m=0.186 * h * arm_scale,
        forearm_m=0.146 * h * arm_scale,
        hand_m=0.108 * h * arm_scale,
        shoulder_half_width_m=0.10 * h,
        head_length_m=0.115 * h,
        head_height_m=0.130 * h,
    )
