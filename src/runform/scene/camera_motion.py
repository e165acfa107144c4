"""Camera motion from the background: tell a panning camera from a static one.

From the landmarks alone a treadmill clip (static camera, runner in place)
and a tracking shot (the camera pans to follow an overground runner) look the
same: the hips stay put in the image and the stance foot slides backwards.
Only the background differs: it is still on a treadmill and scrolls
backwards at the running speed in a tracking shot. This module measures that
background motion.

* :func:`~runform.scene.phase_correlation.estimate_background_shift`
  (pure, in :mod:`runform.scene.phase_correlation`): the shift of the
  background between two grayscale frames, by phase correlation with the
  person masked out.
* :func:`measure_camera_motion` (edge): decodes a video again at low
  resolution, masks the person with the poses' landmark box and returns the
  background velocity per frame, in pixels per second of the poses' pixel
  coordinates.

Conventions
-----------
Image pixels, ``x`` right and ``y`` down. A shift or velocity is that of the
background *content* in the image: a camera panning right (following a
runner who moves right) makes the background move left, negative ``x``.
The velocity of the camera itself is the opposite.

Phase correlation
-----------------
The shift between two frames comes from masked, Hanning-windowed phase
correlation with a Gaussian-tapered spectrum and a three-point Gaussian peak
fit, refined twice; :mod:`runform.scene.phase_correlation` explains why
rather than ``cv2.phaseCorrelate``.

Treadmill belt
--------------
A treadmill belt moves backwards under a static camera. On the synthetic
treadmill the belt is a thin strip at the runner's feet whose markings are
partly outside the padded person box. The estimate stays robust because the
belt's share of the textured background is small (the highest peak is the
static scene's) and because :func:`measure_camera_motion` also masks a band
around the contact surface across the whole frame width (from just above
the lowest landmark down to the padded box's bottom, see
:func:`compute_person_mask`), so a belt never enters the correlation; the
scene above that band (walls, equipment, trees, buildings) and the ground
below it still carry the camera motion. A summary
over a clip should use the median over frames, which ignores the occasional
frame where the belt, motion blur or a featureless view wins.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.io.video import iter_frames
from runform.scene.phase_correlation import correlate_background

__all__ = [
    "GROUND_BAND_FRAC",
    "MIN_RESPONSE",
    "PAD_FRAC",
    "compute_person_mask",
    "measure_camera_motion",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Padding added on every side of the landmark box, as a fraction of the
#: box's width and height (covers hair, shoes, clothing and motion blur).
PAD_FRAC = 0.15
#: The band masked across the whole frame around the contact surface (e.g. a
#: treadmill belt) starts this fraction of the landmark box height above the
#: lowest landmark and ends at the padded box's bottom.
GROUND_BAND_FRAC = 0.06
#: Correlation peaks below this (1 = identical backgrounds) give NaN in
#: :func:`measure_camera_motion`: the background is too plain or changed.
#: Two unrelated 320×180 noise frames peak at about 0.05–0.065.
MIN_RESPONSE = 0.15
#: Fewest background pixels (as a fraction of the frame) worth correlating.
_MIN_BACKGROUND_FRAC = 0.05


# ---------------------------------------------------------------------------
# Edge: decode a video and measure the background velocity per pose frame
# ---------------------------------------------------------------------------


def _landmark_boxes(poses: xr.Dataset) -> FloatArray:
    """Landmark bounding box per frame and person, pose pixels: (time, individual, 4).

    ``x0, y0, x1, y1`` of each individual's keypoints; NaN where that
    individual was not found.
    """
    position = poses["position"].transpose("time", "individual", "space", "keypoint").values
    xy = np.asarray(position, dtype=np.float64)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: nobody there
        low, high = np.nanmin(xy, axis=3), np.nanmax(xy, axis=3)  # (time, individual, 2)
    return np.concatenate([low, high], axis=-1)


def compute_person_mask(
    boxes: FloatArray, shape: tuple[int, int], scale: tuple[float, float]
) -> BoolArray:
    """Mask the person (padded landmark boxes) and the contact band of a frame.

    Parameters
    ----------
    boxes
        Shape ``(K, 4)``: landmark boxes ``x0, y0, x1, y1`` in pose pixels,
        e.g. of the previous and the current frame; NaN rows are ignored.
    shape
        ``(rows, columns)`` of the decoded frame.
    scale
        ``(sx, sy)``: decoded pixels per pose pixel.

    Returns
    -------
    numpy.ndarray
        Boolean ``shape``: True inside each box padded by :data:`PAD_FRAC`
        of its size on every side, and across the full width in the rows
        from :data:`GROUND_BAND_FRAC` box heights above the lowest landmark
        down to the padded box's bottom (the contact surface, e.g. a moving
        treadmill belt, even when both feet are off the ground).
    """
    rows, cols = shape
    mask = np.zeros(shape, dtype=bool)
    sx, sy = scale
    for x0, y0, x1, y1 in np.asarray(boxes, dtype=np.float64).reshape(-1, 4):
        if not np.isfinite([x0, y0, x1, y1]).all():
            continue
        pad_x, pad_y = PAD_FRAC * (x1 - x0), PAD_FRAC * (y1 - y0)
        c0, c1 = _pixel_span((x0 - pad_x) * sx, (x1 + pad_x) * sx, cols)
        r0, r1 = _pixel_span((y0 - pad_y) * sy, (y1 + pad_y) * sy, rows)
        mask[r0:r1, c0:c1] = True
        g0, _ = _pixel_span((y1 - GROUND_BAND_FRAC * (y1 - y0)) * sy, 0.0, rows)
        mask[g0:r1, :] = True
    return mask


def _pixel_span(low: float, high: float, size: int) -> tuple[int, int]:
    """Pixel index range ``[a, b)`` covering ``[low, high]``, clipped to ``[0, size]``."""
    a = int(np.clip(math.floor(low), 0, size))
    b = int(np.clip(math.ceil(high), 0, size))
    return a, b


def _decode_max_side(poses: xr.Dataset, width_px: int) -> int:
    """``max_side`` for :func:`iter_frames` giving frames ``width_px`` wide."""
    width = float(poses.attrs["frame_width"])
    height = float(poses.attrs["frame_height"])
    return max(1, round(width_px * max(width, height) / width))


def _match_times(frame_times: FloatArray, pose_times: FloatArray) -> NDArray[np.int64]:
    """Index of the pose time nearest each frame time, -1 if none within half a frame."""
    n = pose_times.size
    if n == 0:
        return np.full(frame_times.shape, -1, dtype=np.int64)
    steps = np.diff(pose_times)
    tolerance = 0.5 * float(np.median(steps)) if steps.size else 1e-3
    after = np.clip(np.searchsorted(pose_times, frame_times), 0, n - 1)
    before = np.clip(after - 1, 0, n - 1)
    nearer_before = np.abs(pose_times[before] - frame_times) <= np.abs(
        pose_times[after] - frame_times
    )
    pick = np.where(nearer_before, before, after)
    close = np.abs(pose_times[pick] - frame_times) < tolerance
    return np.where(close, pick, -1).astype(np.int64)


def _pair_velocity(
    previous: FloatArray,
    current: FloatArray,
    mask: BoolArray,
    dt_s: float,
    scale: tuple[float, float],
) -> tuple[float, float]:
    """Background velocity between two decoded frames, pose pixels per second."""
    if mask.mean() > 1.0 - _MIN_BACKGROUND_FRAC or dt_s <= 0:
        return math.nan, math.nan
    dx, dy, response = correlate_background(previous, current, mask)
    if not response >= MIN_RESPONSE:
        return math.nan, math.nan
    return dx / scale[0] / dt_s, dy / scale[1] / dt_s


def measure_camera_motion(
    video: Path,
    poses: xr.Dataset,
    *,
    width_px: int = 320,
    slowmo: float = 1.0,
    pair_step: int = 1,
    decode_from_s: float | None = None,
) -> xr.DataArray:
    """Background velocity per pose frame, from the video decoded at low resolution.

    Parameters
    ----------
    video
        The video the poses were extracted from.
    poses
        Poses dataset (:mod:`runform.io.poses`): ``position`` in pixels of a
        ``attrs['frame_width']`` × ``attrs['frame_height']`` frame, times in
        seconds (the same real-world times :func:`iter_frames` gives with
        ``slowmo``).
    width_px
        Width to decode at, pixels (never upscaled); 320 is plenty for a
        pan of a few pixels per frame and keeps decoding cheap.
    slowmo
        Slow-motion factor used for the poses (frame times are divided by it).
    pair_step
        Measure every ``pair_step``-th pair of consecutive frames only (the
        others stay NaN). Matching the background is most of the cost, and a
        median over clip needs fewer pairs than a 60 fps clip has.
    decode_from_s
        Real-world time (s) to start decoding from, as ``start_s`` of
        :func:`~runform.io.video.iter_frames` (decoding begins at the
        keyframe at or before it); default half a frame before the first
        pose time. A caller that placed the poses just after a keyframe
        passes a time between the two, so the seek lands on that keyframe.

    Returns
    -------
    xarray.DataArray
        ``background_velocity``, dims ``(time, space)``, coords ``time`` (the
        poses' times) and ``space`` = ``("x", "y")``: velocity of the
        background content in the image, in pixels per second of the poses'
        pixel coordinates, ``x`` right, ``y`` down. A camera panning right
        gives negative ``x``; a static camera about 0. NaN for the first
        frame, frames not decoded or not matched to a pose time, and frames
        whose background could not be matched (see :data:`MIN_RESPONSE`).
        Between two matched frames ``dt`` apart the shift is divided by
        ``dt``.

    Raises
    ------
    ValueError
        If ``width_px`` < 16 or the poses lack the frame size attributes.
    runform.errors.InputFileError
        If the video cannot be read.

    Notes
    -----
    Each frame pair is masked with the padded landmark boxes of every
    individual in both frames and a full-width band around each one's lowest
    landmark (:func:`compute_person_mask`). Frames without an individual's
    landmarks reuse their last box seen. Summarise a clip with the median over frames.
    """
    if width_px < 16:
        raise ValueError(f"width_px must be at least 16, got {width_px}")
    if pair_step < 1:
        raise ValueError(f"pair_step must be at least 1, got {pair_step}")
    for key in ("frame_width", "frame_height"):
        if key not in poses.attrs:
            raise ValueError(f"poses lack the '{key}' attribute (pose frame size)")
    pose_times = np.asarray(poses["time"].values, dtype=np.float64)
    people = _landmark_boxes(poses)
    boxes = np.stack([_fill_missing_boxes(people[:, k]) for k in range(people.shape[1])], 1)
    velocity = np.full((pose_times.size, 2), np.nan)
    steps = np.diff(pose_times)
    half_frame = 0.5 * float(np.median(steps)) if steps.size else 1e-3
    if decode_from_s is None and pose_times.size:
        decode_from_s = float(pose_times[0]) - half_frame
    frames = iter_frames(
        video,
        max_side=_decode_max_side(poses, width_px),
        slowmo=slowmo,
        start_s=decode_from_s,
        end_s=float(pose_times[-1]) + half_frame if pose_times.size else None,
        gray=True,  # the luma plane alone: the correlation needs no colour
    )
    last: tuple[int, float, FloatArray] | None = None
    for count, frame in enumerate(frames):
        index = int(_match_times(np.array([frame.time_s]), pose_times)[0])
        if index < 0:
            continue
        gray = np.asarray(frame.image, dtype=np.float64)
        wanted = count % pair_step == 0
        if wanted and last is not None and last[2].shape == gray.shape:
            scale = (
                gray.shape[1] / float(poses.attrs["frame_width"]),
                gray.shape[0] / float(poses.attrs["frame_height"]),
            )
            mask = compute_person_mask(boxes[[last[0], index]].reshape(-1, 4), gray.shape, scale)
            dt = frame.time_s - last[1]
            velocity[index] = _pair_velocity(last[2], gray, mask, dt, scale)
        last = (index, frame.time_s, gray)
    return xr.DataArray(
        velocity,
        dims=("time", "space"),
        coords={"time": pose_times, "space": ["x", "y"]},
        name="background_velocity",
        attrs={
            "units": "px/s",
            "long_name": "velocity of the background content in the image",
            "sign": "x right, y down; a camera panning right gives negative x",
            "decoded_width_px": width_px,
        },
    )


def _fill_missing_boxes(boxes: FloatArray) -> FloatArray:
    """Carry the last seen box forward (and the first one back) over NaN rows."""
    out = boxes.copy()
    valid = np.flatnonzero(np.isfinite(out).all(axis=1))
    if valid.size == 0:
        return out
    source = np.maximum.accumulate(np.where(np.isfinite(out).all(axis=1), np.arange(len(out)), -1))
    source = np.where(source < 0, valid[0], source)
    return out[source]
