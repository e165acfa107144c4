"""Camera motion from the background: the phase-correlation core and the video edge."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from runform.scene.camera_motion import compute_person_mask, measure_camera_motion
from runform.scene.phase_correlation import correlate_background, estimate_background_shift
from runform.synth import PRESETS, write_synthetic_clip
from runform.synth.truth_poses import create_truth_poses

# ---------------------------------------------------------------------------
# Pure core on textures shifted by known amounts
# ---------------------------------------------------------------------------

ROWS, COLS = 180, 320


def periodic_texture(seed: int, size: int = 512, sigma_px: float = 1.5) -> np.ndarray:
    """Smooth random texture, periodic, band-limited (so sub-pixel shifts are exact)."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft2(rng.standard_normal((size, size)))
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    spectrum *= np.exp(-2 * np.pi**2 * sigma_px**2 * (fx**2 + fy**2))
    texture = np.fft.irfft2(spectrum, s=(size, size))
    return 128 + 40 * texture / texture.std()


def shift_texture(texture: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """Move the content by (dx, dy) px exactly (Fourier shift theorem)."""
    size_y, size_x = texture.shape
    fy = np.fft.fftfreq(size_y)[:, None]
    fx = np.fft.rfftfreq(size_x)[None, :]
    ramp = np.exp(-2j * np.pi * (fx * dx + fy * dy))
    return np.fft.irfft2(np.fft.rfft2(texture) * ramp, s=texture.shape)


def disc(mask_shape, centre, radius):
    y, x = np.mgrid[: mask_shape[0], : mask_shape[1]]
    return (x - centre[0]) ** 2 + (y - centre[1]) ** 2 <= radius**2


def frame_pair(dx, dy, *, seed=0, person_step=(9.0, 0.0)):
    """Background shifted by (dx, dy); a bright 'person' blob moving differently."""
    texture = periodic_texture(seed)
    window = (slice(100, 100 + ROWS), slice(80, 80 + COLS))
    previous = texture[window].copy()
    current = shift_texture(texture, dx, dy)[window].copy()
    start = (150.0, 95.0)
    end = (start[0] + person_step[0], start[1] + person_step[1])
    blob_a, blob_b = disc(previous.shape, start, 45), disc(previous.shape, end, 45)
    previous[blob_a] = 250 - 0.3 * previous[blob_a]
    current[blob_b] = 250 - 0.3 * current[blob_b]
    return previous, current, blob_a | blob_b


@pytest.mark.parametrize(
    ("dx", "dy"),
    [(0.0, 0.0), (5.0, -3.0), (-12.0, 4.0), (0.3, 0.0), (2.5, -1.25), (-7.7, 0.6), (-3.35, 0.0)],
)
def test_recovers_known_shift_with_the_person_masked(dx, dy):
    previous, current, person = frame_pair(dx, dy)
    got = estimate_background_shift(previous, current, person)
    assert got[0] == pytest.approx(dx, abs=0.2)
    assert got[1] == pytest.approx(dy, abs=0.2)
    # in practice it is much closer than the 0.2 px required
    assert np.hypot(got[0] - dx, got[1] - dy) < 0.05


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_large_moving_person_does_not_pull_the_estimate(seed):
    previous, current, person = frame_pair(-4.4, 0.0, seed=seed, person_step=(0.0, 0.0))
    dx, dy = estimate_background_shift(previous, current, person)
    assert (dx, dy) == pytest.approx((-4.4, 0.0), abs=0.2)


def test_sign_convention_camera_panning_right_gives_negative_x():
    texture = periodic_texture(4)
    previous = texture[:ROWS, :COLS]
    current = texture[:ROWS, 6 : 6 + COLS]  # the camera looked 6 px further right
    dx, dy = estimate_background_shift(previous, current, None)
    assert dx == pytest.approx(-6.0, abs=0.05)
    assert dy == pytest.approx(0.0, abs=0.05)


def test_dtypes_and_response():
    previous, current, person = frame_pair(2.0, 1.0)
    dx, dy, response = correlate_background(
        previous.astype(np.uint8), current.astype(np.uint8), person
    )
    assert (dx, dy) == pytest.approx((2.0, 1.0), abs=0.2)
    assert response > 0.5
    rng = np.random.default_rng(0)
    unrelated = correlate_background(rng.random((ROWS, COLS)), rng.random((ROWS, COLS)))
    assert unrelated[2] < 0.1


def test_uniform_frames_give_nan():
    flat = np.full((60, 80), 7.0)
    dx, dy = estimate_background_shift(flat, flat, None)
    assert np.isnan(dx) and np.isnan(dy)


def test_shape_errors():
    a = np.zeros((40, 50))
    with pytest.raises(ValueError, match="same 2-D shape"):
        estimate_background_shift(a, np.zeros((40, 51)), None)
    with pytest.raises(ValueError, match="same 2-D shape"):
        estimate_background_shift(np.zeros((40, 50, 3)), np.zeros((40, 50, 3)), None)
    with pytest.raises(ValueError, match="mask shape"):
        estimate_background_shift(a, a, np.zeros((10, 10), bool))


def test_person_mask_pads_the_box_and_masks_the_contact_band():
    boxes = np.array([[100.0, 50.0, 200.0, 250.0], [np.nan] * 4])
    mask = compute_person_mask(boxes, (150, 200), (0.5, 0.5))
    # box 50..100 x 25..125 decoded px, padded by 15 % (7.5 px, 15 px)
    assert mask[75, 75] and mask[75, 45] and mask[15, 75]
    assert not mask[75, 40] and not mask[5, 75]
    # full-width band from just above the lowest landmark to the padded bottom
    assert mask[126, 0] and mask[126, 199] and mask[138, 5]
    assert not mask[100, 5] and not mask[145, 5]
    assert not compute_person_mask(boxes[1:], (150, 200), (0.5, 0.5)).any()


# ---------------------------------------------------------------------------
# End to end on rendered synthetic clips (exact poses, no MediaPipe)
# ---------------------------------------------------------------------------

CLIPS = {
    "treadmill": PRESETS["treadmill"],
    "tracking": PRESETS["tracking_shot"],
    "tracking_left": PRESETS["tracking_shot"].with_overrides(direction="left", seed=11),
    "overground": PRESETS["pose_runner"].with_overrides(seed=1),
}


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """Render each clip (480×270, 1 s) and measure its background motion once."""
    folder = tmp_path_factory.mktemp("camera_motion")
    out = {}
    for name, params in CLIPS.items():
        small = params.with_overrides(width_px=480, height_px=270, duration_s=1.0)
        clip = write_synthetic_clip(small, folder, name=name)
        poses = create_truth_poses(clip.truth)
        out[name] = (clip, poses, measure_camera_motion(clip.video_path, poses))
    return out


def leg_length_px(truth):
    return 0.491 * truth.params.body_height_cm / 100 * truth.camera.scale_px_per_m


def test_result_layout(measured):
    _clip, poses, velocity = measured["tracking"]
    assert velocity.dims == ("time", "space")
    assert list(velocity["space"].values) == ["x", "y"]
    np.testing.assert_array_equal(velocity["time"].values, poses["time"].values)
    assert velocity.attrs["units"] == "px/s"
    assert np.isnan(velocity.values[0]).all()
    assert np.isfinite(velocity.values[1:]).all()


@pytest.mark.parametrize("name", ["treadmill", "overground"])
def test_static_camera_gives_a_still_background(measured, name):
    clip, _, velocity = measured[name]
    leg = leg_length_px(clip.truth)
    vx = velocity.sel(space="x").values
    assert abs(np.nanmedian(vx)) < 0.3 * leg
    assert np.nanmax(np.abs(vx)) < 0.05 * leg  # in fact every frame is still
    assert np.nanmax(np.abs(velocity.sel(space="y").values)) < 0.05 * leg


@pytest.mark.parametrize(("name", "sign"), [("tracking", -1), ("tracking_left", 1)])
def test_tracking_shot_background_moves_at_the_running_speed(measured, name, sign):
    clip, _, velocity = measured[name]
    truth = clip.truth
    nominal = sign * truth.params.speed_mps * truth.camera.scale_px_per_m
    vx = velocity.sel(space="x").values
    assert np.nanmedian(vx) == pytest.approx(nominal, rel=0.10)
    # frame by frame it follows the panning camera, pan error included
    exact = truth.camera.pan_velocity_px_per_s(truth.frame_times_s)
    error = np.abs(vx - exact)[1:]
    assert np.median(error) < 0.03 * abs(nominal)
    assert np.abs(np.nanmedian(velocity.sel(space="y").values)) < 0.02 * abs(nominal)


def test_subsampled_poses_and_missing_detections(measured):
    clip, poses, _ = measured["tracking"]
    truth = clip.truth
    every_other = poses.isel(time=slice(None, None, 2))
    position = every_other["position"].values.copy()
    position[5:8] = np.nan  # nobody detected in a few frames: the last box is reused
    every_other = every_other.assign(position=(every_other["position"].dims, position))
    velocity = measure_camera_motion(clip.video_path, every_other)
    assert velocity.sizes["time"] == every_other.sizes["time"]
    nominal = -truth.params.speed_mps * truth.camera.scale_px_per_m
    assert np.nanmedian(velocity.sel(space="x").values) == pytest.approx(nominal, rel=0.10)


def test_poses_without_frame_size_are_rejected(measured):
    clip, poses, _ = measured["treadmill"]
    bare = xr.Dataset(poses.data_vars, coords=poses.coords)
    with pytest.raises(ValueError, match="frame_width"):
        measure_camera_motion(clip.video_path, bare)
    with pytest.raises(ValueError, match="width_px"):
        measure_camera_motion(clip.video_path, poses, width_px=8)


@pytest.mark.parametrize("step", [2, 3, 4])
def test_a_pair_step_measures_the_same_pairs_and_leaves_the_rest_nan(measured, step):
    clip, poses, every = measured["tracking"]
    strided = measure_camera_motion(clip.video_path, poses, pair_step=step).values
    measured_rows = np.isfinite(strided).all(axis=1)
    assert measured_rows.any()
    assert not measured_rows[np.arange(len(strided)) % step != 0].any()
    np.testing.assert_array_equal(strided[measured_rows], every.values[measured_rows])
    with pytest.raises(ValueError, match="pair_step"):
        measure_camera_motion(clip.video_path, poses, pair_step=0)
