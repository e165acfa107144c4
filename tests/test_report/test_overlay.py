"""Drawing is pure: a frame in, a new frame out, the input untouched."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runform.synth import PRESETS, compute_truth
from runform.viz.overlay import (
    draw_callout,
    draw_fall_arc,
    draw_knee_angle,
    draw_panel,
    draw_skeleton,
    draw_support_and_com,
)


@pytest.fixture(scope="module")
def frame_and_points():
    truth = compute_truth(PRESETS["treadmill"])
    image = np.full((truth.params.height_px, truth.params.width_px, 3), 128, np.uint8)
    return image, truth.keypoints_px[10]


DRAWERS = {
    "skeleton": lambda im, p: draw_skeleton(im, p, np.full(33, 0.9)),
    "faded": lambda im, p: draw_skeleton(im, p, np.full(33, 0.4)),
    "support_com": lambda im, p: draw_support_and_com(im, tuple(p[31]), tuple(p[23])),
    "fall": lambda im, p: draw_fall_arc(im, tuple(p[31]), tuple(p[23]), 12.0),
    "knee": lambda im, p: draw_knee_angle(im, tuple(p[25]), 30.0, (255, 0, 0)),
    "panel": lambda im, p: draw_panel(im, ["Fall", "cadence 180 spm"]),
    "callout": lambda im, p: draw_callout(im, "Shank at landing", "word " * 80),
}


@pytest.mark.parametrize("name", sorted(DRAWERS))
def test_drawing_returns_a_new_frame_and_leaves_the_input(frame_and_points, name):
    image, points = frame_and_points
    before = image.copy()
    out = DRAWERS[name](image, points)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert np.array_equal(image, before)
    assert not np.array_equal(out, image)


def test_missing_points_are_skipped(frame_and_points):
    image, points = frame_and_points
    assert np.array_equal(draw_skeleton(image, np.full((33, 2), np.nan), np.ones(33)), image)
    assert np.array_equal(draw_skeleton(image, points, np.zeros(33)), image)


@settings(max_examples=20, deadline=None)
@given(height=st.integers(120, 1200), width=st.integers(120, 1600))
def test_panels_and_callouts_fit_any_frame(height, width):
    image = np.zeros((height, width, 3), np.uint8)
    for out in (draw_panel(image, ["Pose"], "bottom-right"), draw_callout(image, "t", "x " * 200)):
        assert out.shape == image.shape
