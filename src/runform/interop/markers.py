"""Keypoint names across tools: BlazePose (runform) to HALPE_26 (Sports2D, Pose2Sim) and back.

Data and pure functions only. runform's poses carry MediaPipe's 33 BlazePose
keypoints (:data:`runform.skeleton.KEYPOINT_NAMES`); Sports2D and Pose2Sim name
their markers after the HALPE_26 skeleton (``RHip``, ``RKnee``, ``RBigToe``,
...). :data:`MARKERS` is what a runform ``.trc`` holds, in this order:

* the 22 markers of Sports2D's and Pose2Sim's ``HALPE_26`` tree, in the order
  Sports2D writes them (a pre-order walk of the tree), so that a runform file
  lines up with the skeleton Sports2D draws for ``--load_trc_px``;
* then the BlazePose points HALPE_26 has no marker for, named in the same
  style (``LEye``, ``LEar``, ``LPinky``, ...), so that nothing is lost.

Three HALPE markers are not BlazePose points and are made from them: ``Hip``
is the mid-point of the hips, ``Neck`` the mid-point of the shoulders and
``Head`` the mid-point of the ears (HALPE's head point is the top of the head,
which BlazePose does not have, so runform's ``Head`` lies some 10 cm lower).
BlazePose has no small toe: ``LSmallToe`` and ``RSmallToe`` are written as
empty (missing) columns. BlazePose's ``foot_index`` (the tip of the foot) is
HALPE's ``BigToe``.

Reading goes the other way by name (:func:`match_keypoints`): each BlazePose
keypoint takes the first source marker whose name matches one of its aliases,
compared without case, spaces, dots, dashes or underscores. Derived markers
(``Hip``, ``Neck``, ``Head``) are not turned back into keypoints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from runform.skeleton import KEYPOINT_INDEX, KEYPOINT_NAMES

__all__ = [
    "HALPE_26_MARKERS",
    "KEYPOINT_ALIASES",
    "MARKERS",
    "MARKER_SOURCES",
    "REQUIRED_KEYPOINTS",
    "compute_markers",
    "match_keypoints",
    "normalise_name",
]

FloatArray = NDArray[np.float64]

_PARTS_OF_HALPE = ("Hip", "Knee", "Ankle", "BigToe", "SmallToe", "Heel")
_ARM = ("Shoulder", "Elbow", "Wrist")

#: The 22 markers of HALPE_26 as Sports2D writes them (Pose2Sim's tree, pre-order).
HALPE_26_MARKERS: tuple[str, ...] = (
    "Hip",
    *(f"R{p}" for p in _PARTS_OF_HALPE),
    *(f"L{p}" for p in _PARTS_OF_HALPE),
    "Neck",
    "Head",
    "Nose",
    *(f"R{p}" for p in _ARM),
    *(f"L{p}" for p in _ARM),
)

#: Each marker and the BlazePose keypoints it is made from: one keypoint (the
#: same point), two (their mid-point) or none (BlazePose has no such point:
#: written as missing).
MARKER_SOURCES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "Hip": ("left_hip", "right_hip"),
        **{
            f"{s}{part}": (f"{side}_{bp}",)
            for s, side in (("R", "right"), ("L", "left"))
            for part, bp in (
                ("Hip", "hip"),
                ("Knee", "knee"),
                ("Ankle", "ankle"),
                ("BigToe", "foot_index"),
                ("Heel", "heel"),
            )
        },
        "RSmallToe": (),
        "LSmallToe": (),
        "Neck": ("left_shoulder", "right_shoulder"),
        "Head": ("left_ear", "right_ear"),
        "Nose": ("nose",),
        **{
            f"{s}{part}": (f"{side}_{part.lower()}",)
            for s, side in (("R", "right"), ("L", "left"))
            for part in _ARM
        },
        # BlazePose points HALPE_26's tree has no marker for
        **{
            f"{s}{part}": (f"{side}_{bp}",)
            for s, side in (("L", "left"), ("R", "right"))
            for part, bp in (
                ("Eye", "eye"),
                ("EyeInner", "eye_inner"),
                ("EyeOuter", "eye_outer"),
                ("Ear", "ear"),
                ("Pinky", "pinky"),
                ("Index", "index"),
                ("Thumb", "thumb"),
            )
        },
        "LMouth": ("mouth_left",),
        "RMouth": ("mouth_right",),
    }
)

#: Every marker of a runform ``.trc``: HALPE_26's 22, then the other BlazePose points.
MARKERS: tuple[str, ...] = (
    *HALPE_26_MARKERS,
    *(name for name in MARKER_SOURCES if name not in HALPE_26_MARKERS),
)

#: Keypoints without which runform cannot measure running.
REQUIRED_KEYPOINTS: tuple[str, ...] = tuple(
    f"{side}_{part}" for side in ("left", "right") for part in ("shoulder", "hip", "knee", "ankle")
)


def normalise_name(name: str) -> str:
    """Lower-case ``name`` without spaces, dots, dashes or underscores.

    ``"L_Big-Toe"`` -> ``"lbigtoe"``.
    """
    return re.sub(r"[\s._\-]+", "", name).lower()


def _aliases(keypoint: str) -> tuple[str, ...]:
    """List the accepted source names of a BlazePose keypoint, normalised, specific first."""
    names = [keypoint]
    for side, letter in (("left", "l"), ("right", "r")):
        if keypoint.startswith(f"{side}_"):
            part = keypoint.removeprefix(f"{side}_")
            names += [f"{letter}{part}", f"{part}_{side}", f"{part}_{letter}"]
            if part == "foot_index":
                names += [f"{letter}bigtoe", f"{side}bigtoe", f"{letter}toe", f"{side}toe"]
        if keypoint == f"mouth_{side}":
            names += [f"{letter}mouth", f"mouth{letter}"]
    return tuple(dict.fromkeys(normalise_name(n) for n in names))


#: The names (normalised, see :func:`normalise_name`) each keypoint is read from.
KEYPOINT_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {keypoint: _aliases(keypoint) for keypoint in KEYPOINT_NAMES}
)


def match_keypoints(names: Sequence[str]) -> dict[str, int]:
    """Find each BlazePose keypoint among a source's marker or body-part names.

    Parameters
    ----------
    names
        The source's names, in its column order.

    Returns
    -------
    dict
        ``{BlazePose keypoint: index into names}`` for the keypoints found;
        a name serves one keypoint at most. Keypoints not found are absent
        (their positions stay NaN).
    """
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(normalise_name(name), i)
    found: dict[str, int] = {}
    used: set[int] = set()
    for keypoint, aliases in KEYPOINT_ALIASES.items():
        for alias in aliases:
            i = index.get(alias, -1)
            if i >= 0 and i not in used:
                found[keypoint] = i
                used.add(i)
                break
    return found


def compute_markers(points: FloatArray) -> FloatArray:
    """Turn BlazePose keypoints into the :data:`MARKERS`.

    Parameters
    ----------
    points
        Shape ``(..., 33, D)``: any leading dims, the 33 keypoints in
        :data:`~runform.skeleton.KEYPOINT_NAMES` order, ``D`` coordinates.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., len(MARKERS), D)``. A mid-point is NaN where either of
        its two keypoints is; a marker without a BlazePose source is NaN.
    """
    points = np.asarray(points, dtype=np.float64)
    out = np.full((*points.shape[:-2], len(MARKERS), points.shape[-1]), np.nan)
    for m, marker in enumerate(MARKERS):
        sources = [KEYPOINT_INDEX[k] for k in MARKER_SOURCES[marker]]
        if len(sources) == 1:
            out[..., m, :] = points[..., sources[0], :]
        elif len(sources) == 2:
            out[..., m, :] = 0.5 * (points[..., sources[0], :] + points[..., sources[1], :])
    return out
