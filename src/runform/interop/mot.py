"""OpenSim's motion file (``.mot``): joint and segment angles over time.

Pure text: :func:`format_mot` returns what :mod:`runform.interop.export`
writes. The header is OpenSim's (its *Motion (.mot) Files* page, form 2 with
``version=1``)::

    <name>
    version=1
    nRows=<rows of data>
    nColumns=<columns, the time column included>
    inDegrees=yes
    <a few lines of comments>
    endheader
    time<TAB><angle 1><TAB>...

then one tab-separated row per frame. A frame where an angle cannot be
measured (one of its keypoints is missing) holds ``NaN``, which OpenSim
reads as missing.

The angles are runform's own (:mod:`runform.gait.kinematics`): 2D angles in
the image plane, in degrees, with the zero and sign of
:data:`runform.gait.kinematics.ANGLE_DESCRIPTIONS` (for example
``right_knee_flexion``: 0 with a straight leg, positive bent). They are not
OpenSim model coordinates (``knee_angle_r`` is negative when bent).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["ANGLE_ORDER", "format_mot"]

#: Column order of runform's ``.mot``: the trunk, then each side's joints and segments.
ANGLE_ORDER: tuple[str, ...] = (
    "trunk_lean",
    *(
        f"{side}_{name}"
        for side in ("right", "left")
        for name in (
            "hip_flexion",
            "knee_flexion",
            "ankle_dorsiflexion",
            "elbow_flexion",
            "thigh_angle",
            "shank_angle",
            "foot_angle",
        )
    ),
)


def _cell(value: float) -> str:
    return "NaN" if not np.isfinite(value) else f"{value:.6f}"


def format_mot(name: str, times_s: ArrayLike, columns: Mapping[str, ArrayLike]) -> str:
    """Return the text of a ``.mot`` file.

    Parameters
    ----------
    name
        The first line (OpenSim's name of the motion; any text without a
        line break).
    times_s
        Times, seconds, shape ``(n,)``.
    columns
        Angle name -> values in degrees, each shape ``(n,)``; written in
        this order after ``time``.

    Returns
    -------
    str
        The file's text; values with 6 decimals (``NaN`` where missing).

    Raises
    ------
    ValueError
        If a column's length differs from the times', or ``name`` holds a
        line break.
    """
    if "\n" in name or "\r" in name:
        raise ValueError("the motion's name must be one line")
    times = np.asarray(times_s, dtype=np.float64)
    data = {k: np.asarray(v, dtype=np.float64) for k, v in columns.items()}
    for key, values in data.items():
        if values.shape != times.shape:
            raise ValueError(f"column {key!r} has {values.size} values for {times.size} times")
    lines = [
        name,
        "version=1",
        f"nRows={times.size}",
        f"nColumns={len(data) + 1}",
        "inDegrees=yes",
        "",
        "Units are S.I. units (second, meters, Newtons, ...)",
        "Angles are in degrees: runform's 2D angles, see docs/interop.md for each one's sign.",
        "",
        "endheader",
        "\t".join(["time", *data]),
    ]
    table = np.column_stack([times, *data.values()]) if data else times[:, None]
    for row in table:
        lines.append("\t".join([repr(float(row[0])), *(_cell(v) for v in row[1:])]))
    return "\n".join(lines) + "\n"
