from __future__ import annotations

import av
import numpy as np
import pytest

from runform.synth import PRESETS, read_truth_json, write_synthetic_clip


def test_write_synthetic_clip_writes_video_and_truth(tmp_path):
    params = PRESETS["ntsc_portrait"].with_overrides(width_px=161, height_px=97, duration_s=0.3)
    clip = write_synthetic_clip(params, tmp_path, name="tiny")
    assert clip.video_path == tmp_path / "tiny.mp4"
    assert clip.truth_path == tmp_path / "tiny.truth.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.mp4", "tiny.truth.json"]
    with av.open(str(clip.video_path)) as container:
        stream = container.streams.video[0]
        assert stream.average_rate == params.frame_rate
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(frames) == clip.truth.n_frames == 9
    assert frames[0].shape[:2] == (98, 162)  # padded to even by the writer
    truth = read_truth_json(clip.truth_path)
    np.testing.assert_allclose(truth.keypoints_px, clip.truth.keypoints_px, atol=1e-4)


def test_default_name_and_bad_names(tmp_path):
    params = PRESETS["slow_fps"].with_overrides(width_px=96, height_px=64, duration_s=0.1)
    clip = write_synthetic_clip(params, tmp_path)
    assert clip.video_path.name == "synth_overground_right_30fps_s4.mp4"
    with pytest.raises(ValueError, match="name must use"):
        write_synthetic_clip(params, tmp_path, name="../evil")
    with pytest.raises(ValueError, match="existing folder"):
        write_synthetic_clip(params, tmp_path / "missing")
