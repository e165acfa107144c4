"""The plausibility gate drops legs that are not a body's and counts them."""

from __future__ import annotations

import numpy as np

from runform.io.poses import create_poses_dataset
from runform.processing.plausibility import (
    MAX_LENGTH_RATIO,
    drop_implausible_legs,
    find_implausible_legs,
)
from runform.skeleton import KEYPOINT_NAMES


def _standing_poses(n: int = 60) -> np.ndarray:
    """A side-view figure, 200 px leg, small jitter: (time, space, keypoint, 1)."""
    rng = np.random.default_rng(0)
    pos = np.zeros((n, 2, len(KEYPOINT_NAMES), 1))
    places = {"hip": (500, 400), "knee": (505, 500), "ankle": (500, 600),
              "heel": (490, 610), "foot_index": (530, 612), "shoulder": (500, 200)}  # fmt: skip
    for i, name in enumerate(KEYPOINT_NAMES):
        part = name.split("_", 1)[-1]
        pos[:, 0, i, 0], pos[:, 1, i, 0] = places.get(part, (500, 150))
    return pos + rng.normal(0, 1.0, pos.shape)


def test_a_shank_twice_its_length_is_dropped_and_counted() -> None:
    pos = _standing_poses()
    ankle = KEYPOINT_NAMES.index("left_ankle")
    pos[20:25, 0, ankle, 0] += 180  # drawn onto a bystander's hand
    ds = create_poses_dataset(pos, np.ones((60, len(KEYPOINT_NAMES), 1)), np.arange(60) / 30)
    gated, report = drop_implausible_legs(ds)
    assert report.n_implausible == 5 and report.per_side == {"left": 5, "right": 0}
    assert report.n_frames == 60
    left = gated["position"].sel(keypoint="left_ankle").isel(individual=0)
    assert np.isnan(left.values[20:25]).all() and np.isfinite(left.values[:20]).all()
    assert np.isfinite(gated["position"].sel(keypoint="right_ankle").values).all()
    assert (gated["confidence"].sel(keypoint="left_knee").values[20:25] == 0).all()


def test_a_clean_clip_loses_nothing() -> None:
    pos = _standing_poses()
    ds = create_poses_dataset(pos, np.ones((60, len(KEYPOINT_NAMES), 1)), np.arange(60) / 30)
    gated, report = drop_implausible_legs(ds)
    assert report.n_implausible == 0 and report.share == 0.0
    np.testing.assert_array_equal(gated["position"].values, ds["position"].values)


def test_foreshortened_segments_are_not_implausible() -> None:
    lengths = np.column_stack([np.linspace(40, 100, 50)] * 3)  # a leg turning toward the camera
    assert not find_implausible_legs(lengths).any()
    lengths[10, 1] = 100 * (MAX_LENGTH_RATIO + 0.6)
    assert np.flatnonzero(find_implausible_legs(lengths)).tolist() == [10]


def test_a_leg_stretched_in_most_frames_is_still_caught() -> None:
    """When the stretched frames outnumber a quarter of the clip, the body's proportions decide."""
    pos = _standing_poses()
    ankle = KEYPOINT_NAMES.index("left_ankle")
    pos[::2, 1, ankle, 0] += 300  # every other frame: a shank three times too long
    ds = create_poses_dataset(pos, np.ones((60, len(KEYPOINT_NAMES), 1)), np.arange(60) / 30)
    _gated, report = drop_implausible_legs(ds)
    assert report.per_side["left"] == 30 and report.share == 0.5
