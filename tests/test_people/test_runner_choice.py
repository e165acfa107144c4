"""Choosing the runner among the people in view, and the coach's overrides."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runform.io.poses import create_poses_dataset
from runform.scene.runner import (
    RUNNING_STEPPING,
    choose_runner,
    measure_stepping,
    pick_person,
    pick_person_at,
    summarise_tracks,
)

from .bodies import make_body

FPS = 60.0


def dataset(bodies_per_track, times):
    """A poses dataset with one individual per track (NaN where a track has no body)."""
    n, k = len(times), len(bodies_per_track)
    position = np.full((n, 2, 33, k), np.nan, np.float32)
    for j, bodies in enumerate(bodies_per_track):
        for t, body in enumerate(bodies):
            if body is not None:
                position[t, :, :, j] = body.T
    confidence = np.where(np.isfinite(position[:, 0]), 0.9, 0.0).astype(np.float32)
    return create_poses_dataset(position, confidence, times, individuals=[f"person_{j}" for j in range(k)],
                                attrs={"fps": FPS, "frame_width": 1920, "frame_height": 1080})  # fmt: skip


def ankles(stride_hz, seconds=3.0, swing=True):
    times = np.arange(int(seconds * FPS)) / FPS
    bodies = [
        make_body(800.0, 400.0, 2 * math.pi * stride_hz * t if swing else None) for t in times
    ]
    return np.stack([b[[27, 28]] for b in bodies]), times


def test_running_legs_step_and_standing_or_walking_ones_do_not():
    running, _ = ankles(1.45)
    score, stride = measure_stepping(running, 200.0, FPS)
    assert score >= RUNNING_STEPPING and stride == pytest.approx(1.45, abs=0.2)
    standing, _ = ankles(1.45, swing=False)
    assert measure_stepping(standing, 200.0, FPS)[0] < 0.05
    walking, _ = ankles(0.85)
    assert measure_stepping(walking, 200.0, FPS)[0] < RUNNING_STEPPING
    short, _ = ankles(1.45, seconds=0.5)
    assert math.isnan(measure_stepping(short, 200.0, FPS)[0])


@settings(max_examples=20, deadline=None)
@given(bystander_height=st.floats(300.0, 700.0), runner_share=st.floats(0.4, 1.0),
       stride_hz=st.floats(1.2, 1.9))  # fmt: skip
def test_a_standing_bystander_is_never_picked_over_the_runner(
    bystander_height, runner_share, stride_hz
):
    times = np.arange(240) / FPS
    start = int((1 - runner_share) * len(times))
    runner = [make_body(900.0, 350.0, 2 * math.pi * stride_hz * t) if i >= start else None
              for i, t in enumerate(times)]  # fmt: skip
    bystander = [make_body(300.0, bystander_height, None, facing=-1) for _ in times]
    tracks = summarise_tracks(dataset([bystander, runner], times))
    choice = choose_runner(tracks)
    assert choice.individual == "person_1" and choice.method == "automatic"
    assert 0.0 < choice.confidence <= 1.0 and "runner" in choice.reason


def test_the_coach_overrides_by_id_or_by_point():
    times = np.arange(180) / FPS
    runner = [make_body(900.0, 350.0, 2 * math.pi * 1.5 * t) for t in times]
    bystander = [make_body(300.0, 400.0, None) for _ in times]
    poses = dataset([runner, bystander], times)
    tracks = summarise_tracks(poses)
    assert choose_runner(tracks).id == 0
    assert pick_person(tracks, 1).individual == "person_1"
    with pytest.raises(ValueError, match=r"no person 7.*0, 1"):
        pick_person(tracks, 7)
    assert pick_person_at(poses, tracks, 300.0, 500.0).id == 1
    assert pick_person_at(poses, tracks, 910.0, 600.0).id == 0
    assert pick_person_at(poses, tracks, 1900.0, 10.0).id == 0  # nearest box


def test_a_lone_person_is_chosen_with_full_confidence():
    times = np.arange(120) / FPS
    poses = dataset([[make_body(500.0, 400.0, None) for _ in times]], times)
    choice = choose_runner(summarise_tracks(poses))
    assert (choice.id, choice.method, choice.confidence) == (0, "only person", 1.0)
    assert choice.to_dict()["tracks"][0]["id"] == 0
    with pytest.raises(ValueError):
        choose_runner([])
