"""Gait: events, strides, spatiotemporal metrics, kinematics, centre of mass.

Conventions shared by every module here:

* Pixel positions come from the poses dataset: ``x`` right, ``y`` *down*.
* ``direction`` is the on-screen direction of travel, ``+1`` (moving right)
  or ``-1`` (moving left). Sagittal computations use the *body frame*
  ``forward = direction * x`` and ``up = -y``, so a runner moving left gives
  the same numbers as one moving right.
* Angles are in degrees; each function documents its zero and sign.
"""
