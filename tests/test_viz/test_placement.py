"""Label placement: boxes in, boxes that do not overlap out."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from runform.viz.placement import boxes_overlap, merge_boxes, place_boxes


def box_at(x, y, w=100.0, h=24.0):
    return (x, y, x + w, y + h)


boxes_st = st.lists(
    st.builds(
        box_at,
        st.floats(0, 600),
        st.floats(0, 400),
        st.floats(5, 200),
        st.floats(5, 60),
    ),
    max_size=12,
)


def test_the_knee_label_moves_off_the_fall_label():
    fall = box_at(400, 300, 110, 26)
    knee = box_at(420, 310, 120, 24)  # "knee 33 deg" on top of "fall 20 deg"
    placed_fall, placed_knee = place_boxes([fall, knee], gap=2)
    assert placed_fall == fall  # the first is never moved
    assert not boxes_overlap(placed_fall, placed_knee)
    assert placed_knee[0] == knee[0]  # a vertical nudge only
    assert placed_knee[1] == fall[3] + 2  # just below: the nearest clear position


def test_a_clear_label_stays_where_it_was_asked_for():
    boxes = [box_at(0, 0), box_at(200, 0), box_at(0, 100)]
    assert place_boxes(boxes) == tuple(boxes)


def test_fixed_boxes_are_avoided_and_bounds_kept():
    panel = (0, 0, 300, 80)
    wanted = box_at(50, 10)
    (placed,) = place_boxes([wanted], fixed=[panel], bounds=(0, 0, 640, 360))
    assert not boxes_overlap(placed, panel)
    assert placed[1] >= 80
    # a box asked for off the right edge is shifted inside
    (edge,) = place_boxes([box_at(600, 200)], bounds=(0, 0, 640, 360))
    assert edge[2] <= 640 and edge[1] == 200


def test_above_is_taken_when_below_runs_off_the_image():
    bottom = box_at(0, 330, 100, 30)
    (placed,) = place_boxes([box_at(0, 330, 100, 24)], fixed=[bottom], bounds=(0, 0, 640, 360))
    assert placed[3] <= 330


@settings(max_examples=200, deadline=None)
@given(boxes=boxes_st, fixed=st.lists(st.builds(box_at, st.floats(0, 600), st.floats(0, 400)),
                                     max_size=3))  # fmt: skip
def test_placed_boxes_never_overlap(boxes, fixed):
    placed = place_boxes(boxes, fixed, gap=2.0)
    assert len(placed) == len(boxes)
    for before, after in zip(boxes, placed, strict=True):
        assert after[2] - after[0] == before[2] - before[0]  # same size
        assert abs((after[3] - after[1]) - (before[3] - before[1])) < 1e-9
        assert after[0] == before[0]  # moved vertically only
    for a, b in itertools.combinations(placed, 2):
        assert not boxes_overlap(a, b)
    for a in placed:
        assert not any(boxes_overlap(a, f) for f in fixed)


@settings(max_examples=100, deadline=None)
@given(boxes=boxes_st)
def test_merged_boxes_cover_every_box_and_do_not_overlap(boxes):
    merged = merge_boxes(boxes)
    for a, b in itertools.combinations(merged, 2):
        assert not boxes_overlap(a, b)
    for box in boxes:
        assert any(m[0] <= box[0] and m[1] <= box[1] and box[2] <= m[2] and box[3] <= m[3]
                   for m in merged)  # fmt: skip
