"""The 33 BlazePose landmarks used by MediaPipe, and how they connect.

Data only: names in MediaPipe's index order, the drawing edges and the
left/right pairs that later stages (leg-swap repair, mirroring) rely on.
"""

from __future__ import annotations

#: The two sides, as they prefix the keypoint names.
SIDES: tuple[str, str] = ("left", "right")

KEYPOINT_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
"""BlazePose keypoint names, in the order of MediaPipe's landmark indices."""

KEYPOINT_INDEX: dict[str, int] = {name: i for i, name in enumerate(KEYPOINT_NAMES)}

EDGES: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    *(
        (f"{side}_{a}", f"{side}_{b}")
        for side in ("left", "right")
        for a, b in (
            ("shoulder", "elbow"),
            ("elbow", "wrist"),
            ("shoulder", "hip"),
            ("hip", "knee"),
            ("knee", "ankle"),
            ("ankle", "heel"),
            ("heel", "foot_index"),
            ("ankle", "foot_index"),
            ("ear", "shoulder"),
        )
    ),
)
"""Pairs of keypoints joined by a limb when drawing a skeleton."""

LEFT_RIGHT_PAIRS: tuple[tuple[str, str], ...] = (
    *(
        (name, name.replace("left_", "right_"))
        for name in KEYPOINT_NAMES
        if name.startswith("left_")
    ),
    ("mouth_left", "mouth_right"),
)
"""Each left keypoint with its right counterpart."""
