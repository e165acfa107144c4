"""Turns in a clip: one-direction segments and which one is analysed."""

from __future__ import annotations

import numpy as np

from runform.scene.travel import choose_single_direction_span, find_travel_segments


def back_and_forth(fps: float = 30.0):
    time = np.arange(0, 10, 1 / fps)
    # 4 s right at 2 leg/s (leg = 100 px), 1 s turn, 5 s left; stride bounce on top
    x = np.where(time < 4, 200 * time, np.where(time < 5, 800, 800 - 200 * (time - 5)))
    x = x + 5 * np.sin(2 * np.pi * 1.5 * time)
    return time, x


def test_segments_split_at_the_turn():
    time, x = back_and_forth()
    segments = find_travel_segments(time, x, leg_px=100.0)
    assert [s.sign for s in segments] == [1, -1]
    assert time[segments[0].stop - 1] < 4.5 < time[segments[1].start] + 0.5


def test_longest_forward_segment_is_chosen():
    time, x = back_and_forth()
    segments = find_travel_segments(time, x, leg_px=100.0)
    span = choose_single_direction_span(segments)
    assert span == (segments[1].start, segments[1].stop)  # the longer, leftward stretch
    facing_right = np.ones_like(time)  # walks back to the left backwards
    span = choose_single_direction_span(segments, facing_right)
    assert span == (segments[0].start, segments[0].stop)


def test_no_turn_no_cut():
    time = np.arange(0, 5, 1 / 60)
    one_way = find_travel_segments(time, 300 * time, leg_px=100.0)
    assert choose_single_direction_span(one_way) is None
    treadmill = find_travel_segments(time, np.full_like(time, 640.0), leg_px=100.0)
    assert treadmill == []
