"""Whole-body centre of mass from BlazePose keypoints (segmental method).

Each body segment's centre of mass lies on the line between two keypoints at
a fixed fraction of its length; the whole-body centre of mass is the
mass-weighted mean of the segments' (de Leva 1996, *J Biomech* 29:1223-1230,
table 4: the Zatsiorsky-Seluyanov parameters adjusted to joint centres).

Segments and their MediaPipe endpoints (proximal → distal):

=============  ==============================  ================================
segment        keypoints                       de Leva endpoints
=============  ==============================  ================================
``head``       ear midpoint (a point)          VERT-GONI (see below)
``trunk``      shoulder midpoint → hip midpt.  MIDS-MIDH (table 4, alternative)
``upper_arm``  shoulder → elbow                SJC-EJC
``forearm``    elbow → wrist                   EJC-WJC
``hand``       wrist → mid(index, pinky)       WJC-MET3
``thigh``      hip → knee                      HJC-KJC
``shank``      knee → ankle                    KJC-LMAL
``foot``       heel → foot_index               HEEL-TTIP
=============  ==============================  ================================

Proxies, documented:

* **Head (head and neck).** MediaPipe has no vertex, gonion or C7, so the
  head's centre of mass is taken *at the ear midpoint* (the tragion). de
  Leva's head centre of mass (59.8 % of vertex→mid-gonion) lies near the
  level of the ear canal, a little in front of it, and Winter (2009, table
  4.1) puts the head-and-neck centre of mass at the ear canal. Where one ear
  is missing the other is used.
* **Trunk.** de Leva's alternative trunk runs from the mid-point of the
  shoulder joint centres (MIDS) to the mid-point of the hip joint centres
  (MIDH), which is exactly the MediaPipe shoulder-midpoint → hip-midpoint
  segment; its centre-of-mass fraction is measured from MIDS (the top).
* **Hand.** MediaPipe's ``index`` and ``pinky`` landmarks are the second and
  fifth metacarpophalangeal joints; their midpoint approximates de Leva's
  third metacarpale (MET3).
* **Foot.** MediaPipe's ``heel`` and ``foot_index`` (toe tip) match de Leva's
  HEEL→TTIP foot, so that definition is used (not ankle→toe).
* **Ankle.** MediaPipe's ankle approximates the lateral malleolus (LMAL).

Sex: ``"male"`` and ``"female"`` use de Leva's values; ``"average"`` (the
default, for a runner of unknown sex) uses the mean of the two for both mass
and centre-of-mass fractions. Mass fractions are renormalised to sum to 1
(de Leva's female column sums to 99.99 % by rounding).

Missing keypoints (NaN), frame by frame:

* A bilateral segment (arm, hand, leg, foot) whose one side is missing takes
  the other side's centre of mass for both (bilateral-symmetry
  approximation; equal to renormalising the pair's mass over the visible
  side). In a side view this is the usual case for the far limb.
* Non-finite coordinates count as missing.
* A segment missing on both sides is dropped and the remaining masses are
  renormalised, for the optional segments ``head``, ``upper_arm``,
  ``forearm``, ``hand`` and ``foot``.
* The result is NaN when the trunk, both thighs or both shanks are missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import numpy as np
import xarray as xr
from numpy.typing import NDArray

__all__ = [
    "DE_LEVA_SEGMENTS",
    "REQUIRED_SEGMENTS",
    "SEGMENT_KEYPOINTS",
    "compute_center_of_mass",
    "segment_parameters",
]

FloatArray = NDArray[np.float64]

#: de Leva (1996) table 4: ``segment -> {sex: (mass fraction, centre-of-mass
#: fraction of the segment length from the proximal endpoint)}``. Body-mass
#: fractions are per segment (one arm, one leg …). Trunk: MIDS→MIDH
#: alternative; head: VERT→GONI (used through the ear proxy, see module
#: docstring); hand: WJC→MET3; foot: HEEL→TTIP; shank: KJC→LMAL.
DE_LEVA_SEGMENTS: Final[Mapping[str, Mapping[str, tuple[float, float]]]] = MappingProxyType(
    {
        "head": {"male": (0.0694, 0.5976), "female": (0.0668, 0.5894)},
        "trunk": {"male": (0.4346, 0.4310), "female": (0.4257, 0.3782)},
        "upper_arm": {"male": (0.0271, 0.5772), "female": (0.0255, 0.5754)},
        "forearm": {"male": (0.0162, 0.4574), "female": (0.0138, 0.4559)},
        "hand": {"male": (0.0061, 0.7900), "female": (0.0056, 0.7474)},
        "thigh": {"male": (0.1416, 0.4095), "female": (0.1478, 0.3612)},
        "shank": {"male": (0.0433, 0.4459), "female": (0.0481, 0.4416)},
        "foot": {"male": (0.0137, 0.4415), "female": (0.0129, 0.4014)},
    }
)

#: Segments present once (the others are per side, left and right).
_SINGLE_SEGMENTS: Final = ("head", "trunk")
#: Segments without which the centre of mass is NaN.
REQUIRED_SEGMENTS: Final = ("trunk", "thigh", "shank")

#: Keypoints (unprefixed for sided segments) of each segment's proximal and
#: distal ends; a tuple of names stands for their midpoint.
SEGMENT_KEYPOINTS: Final[Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]] = MappingProxyType(
    {
        "head": (("left_ear", "right_ear"), ("left_ear", "right_ear")),
        "trunk": (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip")),
        "upper_arm": (("shoulder",), ("elbow",)),
        "forearm": (("elbow",), ("wrist",)),
        "hand": (("wrist",), ("index", "pinky")),
        "thigh": (("hip",), ("knee",)),
        "shank": (("knee",), ("ankle",)),
        "foot": (("heel",), ("foot_index",)),
    }
)


def segment_parameters(sex: str = "average") -> dict[str, tuple[float, float]]:
    """Segment mass and centre-of-mass fractions for one sex.

    Parameters
    ----------
    sex
        ``"male"``, ``"female"`` or ``"average"`` (mean of the two).

    Returns
    -------
    dict
        ``segment -> (mass fraction, centre-of-mass fraction from the
        proximal end)``. Mass fractions are per segment and renormalised so
        that the head, the trunk and two of every other segment sum to 1.

    Raises
    ------
    ValueError
        If ``sex`` is not one of the three.
    """
    if sex not in ("male", "female", "average"):
        raise ValueError(f"sex must be 'male', 'female' or 'average', got {sex!r}")
    sexes = ("male", "female") if sex == "average" else (sex,)
    raw = {
        name: (
            float(np.mean([values[s][0] for s in sexes])),
            float(np.mean([values[s][1] for s in sexes])),
        )
        for name, values in DE_LEVA_SEGMENTS.items()
    }
    total = sum(m * (1 if name in _SINGLE_SEGMENTS else 2) for name, (m, _) in raw.items())
    return {name: (m / total, where) for name, (m, where) in raw.items()}


def _mean_available(stack: FloatArray) -> FloatArray:
    """Mean over axis 0 of the points ``(k, ..., 2)`` that are finite (else NaN)."""
    ok = np.all(np.isfinite(stack), axis=-1, keepdims=True)
    count = ok.sum(axis=0)
    total = np.where(ok, stack, 0.0).sum(axis=0)
    return np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)


def _segment_com(
    kp: Mapping[str, FloatArray], name: str, side: str | None, fraction: float
) -> FloatArray:
    """Centre of mass of one segment ``(..., 2)``, NaN where an end is missing."""
    prox, dist = SEGMENT_KEYPOINTS[name]
    if name == "head":
        # Ear midpoint, or the one ear seen.
        return _mean_available(np.stack([kp[n] for n in prox]))
    if side is not None:
        prox = tuple(f"{side}_{n}" for n in prox)
        dist = tuple(f"{side}_{n}" for n in dist)
    start = np.mean([kp[n] for n in prox], axis=0)
    end = np.mean([kp[n] for n in dist], axis=0)
    com = start + fraction * (end - start)
    return np.where(np.all(np.isfinite(com), axis=-1, keepdims=True), com, np.nan)


def _whole_body_com(
    kp: Mapping[str, FloatArray], params: Mapping[str, tuple[float, float]]
) -> FloatArray:
    """Mass-weighted mean of the segments, with the missing-data rules."""
    shape = next(iter(kp.values())).shape
    total = np.zeros(shape)
    weight = np.zeros((*shape[:-1], 1))
    valid = np.ones((*shape[:-1], 1), dtype=bool)
    for name, (mass, fraction) in params.items():
        if name in _SINGLE_SEGMENTS:
            com = _segment_com(kp, name, None, fraction)
            seg_mass = mass
        else:
            # Pair: the mean of the sides seen carries the mass of both.
            sides = [_segment_com(kp, name, side, fraction) for side in ("left", "right")]
            com = _mean_available(np.stack(sides))
            seg_mass = 2.0 * mass
        present = np.all(np.isfinite(com), axis=-1, keepdims=True)
        total += np.where(present, com, 0.0) * seg_mass
        weight += present * seg_mass
        if name in REQUIRED_SEGMENTS:
            valid &= present
    return np.divide(total, weight, out=np.full(shape, np.nan), where=valid & (weight > 0))


def _check(position: xr.DataArray) -> None:
    missing = [d for d in ("time", "space", "keypoint") if d not in position.dims]
    if missing:
        raise ValueError(
            f"position must have dims (time, space, keypoint); missing {missing}, "
            f"got {position.dims}"
        )
    if position.sizes["space"] != 2:
        raise ValueError(f"position must have 2 space coords, got {position.sizes['space']}")
    names = {str(k) for k in position.coords["keypoint"].values}
    needed = set()
    for seg, (prox, dist) in SEGMENT_KEYPOINTS.items():
        for n in (*prox, *dist):
            needed |= {n} if seg in _SINGLE_SEGMENTS else {f"left_{n}", f"right_{n}"}
    absent = sorted(needed - names)
    if absent:
        raise ValueError(f"position lacks keypoints needed for the centre of mass: {absent}")


def compute_center_of_mass(position: xr.DataArray, sex: str = "average") -> xr.DataArray:
    """Whole-body centre of mass per frame, from segment parameters.

    Parameters
    ----------
    position
        Keypoint positions with dims ``(time, space, keypoint)`` (extra dims
        such as ``individual`` are carried along) and BlazePose keypoint
        names. Any 2-D frame works (pixels with ``x``/``y``, or the body
        frame with ``forward``/``up``): the centre of mass is an affine
        combination of keypoints, so it transforms like them.
    sex
        ``"average"`` (default), ``"male"`` or ``"female"`` de Leva values.

    Returns
    -------
    xarray.DataArray
        Dims of ``position`` without ``keypoint`` (``(time, space)`` for the
        basic input), same ``space`` coords and units, float64, named
        ``center_of_mass``. NaN in frames where the trunk, both thighs or both
        shanks are missing; other gaps follow the rules in the module
        docstring.

    Raises
    ------
    ValueError
        If ``position`` lacks a dim or a keypoint, ``space`` is not 2-D, or
        ``sex`` is unknown.
    """
    params = segment_parameters(sex)
    _check(position)
    others = [d for d in position.dims if d not in ("space", "keypoint")]
    arr = position.transpose(*others, "keypoint", "space")
    values = np.asarray(arr.values, dtype=np.float64)
    kp = {str(k): values[..., i, :] for i, k in enumerate(arr.coords["keypoint"].values)}
    coords = {k: v for k, v in arr.coords.items() if "keypoint" not in v.dims}
    out = xr.DataArray(
        _whole_body_com(kp, params), dims=(*others, "space"), coords=coords
    ).transpose(*[d for d in position.dims if d != "keypoint"])
    out.name = "center_of_mass"
    out.attrs = {
        "units": position.attrs.get("units", ""),
        "method": f"segmental, de Leva (1996) table 4, sex={sex}",
    }
    return out
