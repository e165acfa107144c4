"""Pose extraction on real running footage (internal clips, never committed).

Skipped cleanly when ../shared/videos is absent, as on users' machines.
"""

from __future__ import annotations

import av
import numpy as np
import pytest

from runform.io.poses import load_poses
from runform.io.video import count_frames, iter_frames, probe_video
from runform.pose.extract import ExtractionSettings, extract_poses

pytestmark = pytest.mark.realclips

# (clip, minimum share of frames with a detection while the runner is in view)
SIDE_VIEW_CLIPS = [
    ("run03_side_treadmill_male_lab_360p.mp4", 0.95),
    ("run05_side_outdoor_street_female_1080p50.mp4", 0.95),
    ("run07_side_outdoor_grass_female_short.mp4", 0.95),
    ("walk01_side_indoor_female_walking.mp4", 0.95),
    # the athlete crouched in the blocks, ~70 px tall, is lost for 3 frames, and a
    # false detection in the empty scene after the exit stretches the span
    ("sprint01_side_block_start_athleteA.mp4", 0.90),
]


@pytest.mark.parametrize(("name", "min_rate"), SIDE_VIEW_CLIPS)
def test_side_view_clips_are_tracked_while_in_view(name, min_rate, real_clip, pose_model, tmp_path):
    from runform.cli import main

    video = real_clip(name)
    assert main(["pose", str(video), "-o", str(tmp_path), "--quiet"]) == 0
    ds = load_poses(tmp_path / "poses.nc")
    props = probe_video(video)
    assert ds.sizes["time"] == count_frames(video)  # every frame, not an estimate
    assert ds.attrs["detection_rate_in_view"] >= min_rate
    assert np.all(np.diff(ds.time.values) > 0)
    assert ds.attrs["fps"] == pytest.approx(float(props.fps))
    hips = ds.position.sel(keypoint="left_hip").dropna("time")
    assert float(hips.sel(space="x").min()) >= -0.05 * props.width
    assert float(hips.sel(space="y").max()) <= 1.05 * props.height


def _reencode(src, dest, transform, rotation=None, n_frames=90):
    """Re-encode the first frames of a clip with a pixel transform and rotation tag."""
    props = probe_video(src)
    with av.open(str(dest), "w") as out:
        stream = out.add_stream("libx264", rate=props.fps, options={"crf": "18"})
        first = True
        for frame in iter_frames(src):
            if frame.index >= n_frames:
                break
            image = np.ascontiguousarray(transform(frame.image))
            if first:
                stream.height, stream.width = image.shape[:2]
                stream.pix_fmt = "yuv420p"
                if rotation is not None:
                    stream.set_display_rotation(rotation)
                first = False
            out.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        out.mux(stream.encode(None))
    return dest


def test_portrait_phone_video_matches_upright_clip(real_clip, pose_model, tmp_path):
    """A phone stores portrait video as landscape pixels plus a rotation tag."""
    src = real_clip("run03_side_treadmill_male_lab_360p.mp4")
    upright = _reencode(src, tmp_path / "upright.mp4", lambda im: im[:, 60:300])
    # pixels turned 90 deg clockwise on disk, tagged to be shown turned back
    phone = _reencode(src, tmp_path / "phone.mp4", lambda im: np.rot90(im[:, 60:300], -1), 90)
    props = probe_video(phone)
    assert (props.width, props.height) == (240, 360)
    settings = ExtractionSettings(max_side=None)
    a = extract_poses(upright, pose_model, settings)
    b = extract_poses(phone, pose_model, settings)
    assert b.attrs["detection_rate"] >= 0.95
    err = np.linalg.norm(a.position.values - b.position.values, axis=1)
    assert np.nanmedian(err) < 0.02 * 360  # same landmarks, within 2 % of frame height


def test_odd_width_real_clip(real_clip, pose_model, tmp_path):
    src = real_clip("run03_side_treadmill_male_lab_360p.mp4")
    odd = _reencode(src, tmp_path / "odd.mp4", lambda im: im[:, 34:446], n_frames=60)
    props = probe_video(odd)
    assert props.width == 412
    ds = extract_poses(odd, pose_model)
    assert ds.attrs["detection_rate"] >= 0.95
    assert ds.attrs["frame_width"] == 412
