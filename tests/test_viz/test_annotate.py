"""The text of a frame is one pass, after the geometry, and no label lies on another."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from runform.checkpoints.assess import build_analysis
from runform.checkpoints.rubric import load_rubric
from runform.gait.analyze import analyze_gait
from runform.report.video import read_text_layer, text_layer_path, write_annotated_video
from runform.synth import PRESETS, compute_truth, write_synthetic_clip
from runform.synth.truth_poses import create_truth_poses
from runform.viz.annotate import (
    annotate_frame,
    draw_frame_geometry,
    plan_frame_labels,
    plan_frame_marks,
)
from runform.viz.keyframes import PANEL_HEIGHT, draw_key_frame, plan_key_frames
from runform.viz.placement import boxes_overlap
from runform.viz.text import arrange_labels

WIDE = {"width_px": 1920, "height_px": 1080, "figure_height_frac": 0.42}


def _analysis(params):
    gait = analyze_gait(create_truth_poses(compute_truth(params)), height_cm=175.0)
    return build_analysis(gait, load_rubric())


@pytest.fixture(scope="module")
def overground():
    """An overground runner: the video shows the fall angle as well as the knee at landing."""
    analysis = _analysis(PRESETS["pose_runner"].with_overrides(**WIDE))
    marks = plan_frame_marks(analysis)
    poses = analysis.gait.poses
    points = np.asarray(poses["position"].isel(individual=0)
                        .transpose("time", "keypoint", "space").values, float)  # fmt: skip
    confidence = np.asarray(poses["confidence"].isel(individual=0)
                            .transpose("time", "keypoint").values, float)  # fmt: skip
    return analysis, marks, points, confidence


def test_knee_and_fall_labels_never_overlap(overground):
    _, marks, points, _confidence = overground
    both = [k for k in range(marks.time_s.size)
            if marks.knee[k] is not None and np.isfinite(marks.fall_deg[k])]  # fmt: skip
    assert both, "the clip should show the knee and the fall angle together"
    size = (1920, 1080)
    for k in range(marks.time_s.size):
        labels = arrange_labels(plan_frame_labels(size, k, marks, points[k]), size)
        for a, b in itertools.combinations(labels, 2):
            assert not boxes_overlap(a.box, b.box), (k, a.lines, b.lines)
        for label in labels:
            assert label.x >= 0 and label.x + label.width <= size[0]
            assert label.y >= 0 and label.y + label.height <= size[1]


def test_annotating_is_geometry_then_text(overground):
    _, marks, points, confidence = overground
    k = next(k for k in range(marks.time_s.size) if marks.knee[k] is not None)
    image = np.full((1080, 1920, 3), 128, np.uint8)
    geometry = draw_frame_geometry(image, k, marks, points[k], confidence[k])
    annotated = annotate_frame(image, k, marks, points[k], confidence[k])
    labels = arrange_labels(plan_frame_labels((1920, 1080), k, marks, points[k]), (1920, 1080))
    changed = np.any(annotated != geometry, axis=-1)
    inside = np.zeros_like(changed)
    for label in labels:
        x0, y0, x1, y1 = (round(v) for v in label.box)
        inside[y0:y1, x0:x1] = True
    assert changed.any()
    assert not (changed & ~inside).any()  # the text pass touches only its labels' boxes


def test_key_frames_write_their_text_on_the_panel(overground):
    analysis, marks, points, confidence = overground
    keys = plan_key_frames(analysis, marks)
    assert len(keys) == 4
    image = np.full((1080, 1920, 3), 128, np.uint8)
    for key in keys:
        panel = draw_key_frame(image, key, marks, points[key.index], confidence[key.index], 1.0)
        assert panel.shape[0] == PANEL_HEIGHT and panel.dtype == np.uint8
    assert all("°" in line for key in keys for line in key.lines)


def test_the_annotated_video_keeps_its_text_layer(tmp_path):
    params = PRESETS["pose_runner"].with_overrides(duration_s=1.0, width_px=640, height_px=360,
                                                   seed=5)  # fmt: skip
    clip = write_synthetic_clip(params, tmp_path, name="clip")
    analysis = _analysis(params)
    video = write_annotated_video(clip.video_path, analysis, tmp_path / "annotated.mp4")
    assert text_layer_path(video) == tmp_path / "annotated.text.json"
    data = json.loads(text_layer_path(video).read_text())
    layer = read_text_layer(video)
    assert layer is not None and layer.size == (640, 360)
    assert len(layer.frames) == len(data["frames"]) == analysis.gait.poses.sizes["time"]
    phases = plan_frame_marks(analysis).phase
    assert any(phases), "a running clip names its phases"
    assert all(layer.frames[k] for k, name in enumerate(phases) if name), "phase panels are text"
    for boxes in layer.frames:
        for a, b in itertools.combinations(boxes, 2):
            assert not boxes_overlap(a, b)
        for x0, y0, x1, y1 in boxes:
            assert 0 <= x0 < x1 <= 640 and 0 <= y0 < y1 <= 360
    assert layer.regions_at(0.0) == layer.frames[0] and layer.regions_at(1e6) == ()


def test_a_callout_never_replaces_the_footage(tmp_path):
    """The focus callout stays on the running video; no source frame is dropped or repeated."""
    from runform.io.video import iter_frames
    from runform.report.video import CALLOUT_S
    from runform.viz.annotate import choose_freeze_frames

    params = PRESETS["overstrider"].with_overrides(duration_s=2.0, width_px=640, height_px=360)
    clip = write_synthetic_clip(params, tmp_path, name="clip")
    analysis = _analysis(params)
    starts = [i for i, _t, _m in choose_freeze_frames(analysis, plan_frame_marks(analysis))]
    assert analysis.focus and starts, "the overstrider has a focus item to call out"
    video = write_annotated_video(clip.video_path, analysis, tmp_path / "annotated.mp4")
    frames = [f.image.astype(float) for f in iter_frames(video)]
    source = [f.image.astype(float) for f in iter_frames(clip.video_path)]
    assert len(frames) == len(source) == analysis.gait.poses.sizes["time"]
    hold = round(CALLOUT_S * params.fps)
    start = starts[0]
    # every frame under the callout shows its own moment of the source, not the callout's
    moving = 0
    for i in range(start + 1, min(start + hold, len(frames))):
        if np.abs(source[i] - source[start]).mean() < 1.0:
            continue  # the runner has left the frame: nothing moves
        moving += 1
        own = np.abs(frames[i] - source[i]).mean()
        assert own < np.abs(frames[i] - source[start]).mean(), i
    assert moving >= 5
    # and the callout's text is drawn on the frames after its start too
    layer = read_text_layer(video)
    assert layer is not None
    banner = layer.frames[start][0]
    assert all(banner in layer.frames[i] for i in range(start, min(start + hold, len(frames))))


def test_no_phase_is_named_where_nothing_was_measured(overground):
    """Flight only between contacts; nothing before the first landing or in a missed contact."""
    from dataclasses import replace

    analysis, marks, _points, _confidence = overground
    time = marks.time_s
    contacts = sorted(
        (c for c in analysis.gait.contacts if np.isfinite(c.initial_contact_s + c.toe_off_s)),
        key=lambda c: c.initial_contact_s,
    )
    first, last = contacts[0].initial_contact_s, contacts[-1].toe_off_s
    before = time < first - 1e-9
    assert before.any() and all(marks.phase[k] == "" for k in np.flatnonzero(before))
    assert all(marks.phase[k] in ("", "Pull") for k in np.flatnonzero(time > last + 1e-9))
    assert "Flight" in marks.phase and {"Pose", "Fall", "Pull"} <= set(marks.phase)
    # drop one landing's contact: the gap it leaves is a missed contact, not a flight
    missing = contacts[len(contacts) // 2]
    kept = tuple(c for c in analysis.gait.contacts if c is not missing)
    holed = plan_frame_marks(replace(analysis, gait=replace(analysis.gait, contacts=kept)))
    inside = (time >= missing.initial_contact_s) & (time < missing.toe_off_s)
    assert inside.any() and all(holed.phase[k] == "" for k in np.flatnonzero(inside))


def test_a_key_frame_shows_one_knee_number(overground):
    from dataclasses import replace

    from runform.viz.keyframes import plan_key_labels

    analysis, marks, points, _confidence = overground
    keys = [k for k in plan_key_frames(analysis, marks) if any("knee" in x for x in k.lines)]
    assert keys, "a key frame states its knee angle"
    for key in keys:
        held = list(marks.knee)
        held[key.index] = ("left", 30.0)  # the landing's knee, as the video holds it
        with_held = replace(marks, knee=tuple(held))
        labels = plan_key_labels((600, 400), key, with_held, points[key.index], (0.3, 0.0, 0.0))
        knees = [line for label in labels for line in label.lines if "knee" in line]
        assert len(knees) == 1, knees


def test_each_focus_callout_gets_its_own_time_on_screen():
    """Two focus items start at least CALLOUT_S apart, never on the same frame."""
    from runform.report.video import CALLOUT_S
    from runform.viz.annotate import choose_freeze_frames

    params = PRESETS["overstrider"].with_overrides(duration_s=5.0)
    analysis = _analysis(params)
    marks = plan_frame_marks(analysis)
    assert len(analysis.focus) == 2
    starts = sorted(i for i, _t, _m in choose_freeze_frames(analysis, marks, CALLOUT_S))
    assert len(starts) == 2
    assert marks.time_s[starts[1]] - marks.time_s[starts[0]] >= CALLOUT_S - 1e-9
    # without spacing both may sit on one stride, as before
    close = sorted(i for i, _t, _m in choose_freeze_frames(analysis, marks))
    assert marks.time_s[close[1]] - marks.time_s[close[0]] < CALLOUT_S
