"""Camera motion from the background: tell a panning camera from a static one.

From the landmarks alone a treadmill clip (static camera, runner in place)
and a tracking shot (the camera pans to follow an overground runner) look the
same: the hips stay put in the image and the stance foot slides backwards.
Only the background differs: it is still on a treadmill and scrolls
backwards at the running speed in a tracking shot. This module measures that
background motion.

* :func:`estimate_background_shift` (pure): the shift of the background
  between two grayscale frames, by phase correlation with the person masked
  out.
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
Both frames are made zero-mean over the background, multiplied by a Hanning
window (``cv2.createHanningWindow``) and by a feathered "not the person"
weight (the same as filling the person with the background mean before
windowing), and their normalised cross-power spectrum is inverted to a
correlation surface whose highest peak sits at the shift.
``cv2.phaseCorrelate`` itself is not used: it whitens every frequency
equally and takes a weighted centroid of the raw peak, which on fine
textures is biased towards whole pixels by up to 0.3 px (measured on a
shifted noise texture and on the synthetic backgrounds). Here the whitened
spectrum is tapered with a Gaussian (a correlation peak of
:data:`PEAK_SIGMA_PX`), so the near-Nyquist frequencies, where sub-pixel
shifts are ill defined, no longer dominate, and the peak is located with a
three-point Gaussian fit. A window or mask that is the same in both frames
still pulls the peak a few per cent towards zero, so the estimate is
refined twice: the current frame is moved back by the shift found so far
and the remaining shift measured, where that pull vanishes. On the test
textures the error is about 0.01–0.05 px. The highest peak wins, so a
smaller region that moves differently (a treadmill belt, another person)
does not pull the estimate as it would a least-squares fit.

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

import functools
import math
import warnings
from pathlib import Path

import cv2
import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.io.video import iter_frames

__all__ = [
    "GROUND_BAND_FRAC",
    "MIN_RESPONSE",
    "PAD_FRAC",
    "PEAK_SIGMA_PX",
    "compute_person_mask",
    "correlate_background",
    "estimate_background_shift",
    "measure_camera_motion",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Width (standard deviation) of the correlation peak after tapering the
#: whitened cross-power spectrum, pixels.
PEAK_SIGMA_PX = 1.5
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
#: Feathering of the mask edge, as a fraction of the frame's shorter side.
_FEATHER_FRAC = 0.01
#: Fewest background pixels (as a fraction of the frame) worth correlating.
_MIN_BACKGROUND_FRAC = 0.05


@functools.lru_cache(maxsize=8)
def _hanning(shape: tuple[int, int]) -> FloatArray:
    """Return a 2-D Hanning window of ``shape`` (rows, columns), read-only."""
    window = np.asarray(cv2.createHanningWindow((shape[1], shape[0]), cv2.CV_64F), np.float64)
    window.flags.writeable = False
    return window


def _background_weight(mask: BoolArray, shape: tuple[int, int]) -> FloatArray:
    """Return 1 on the background, 0 on the person, with a feathered edge."""
    if not mask.any():
        return np.ones(shape)
    person = np.asarray(mask, dtype=np.float64)
    sigma = max(1.0, _FEATHER_FRAC * min(shape))
    blurred = cv2.GaussianBlur(person, (0, 0), sigma)
    return np.asarray(np.clip(1.0 - np.maximum(blurred, person), 0.0, 1.0))


def _prepare(image: FloatArray, weight: FloatArray) -> FloatArray:
    """Make ``image`` zero-mean over the background and apply the weight.

    Filling the person with the background mean, then windowing, equals
    this: the masked area contributes nothing.
    """
    total = float(weight.sum())
    mean = float((image * weight).sum() / total) if total > 0 else float(image.mean())
    return (image - mean) * weight


def _gaussian_fit(minus: float, centre: float, plus: float) -> float:
    """Sub-pixel offset of a peak from three samples (Gaussian, else parabola)."""
    if min(minus, centre, plus) > 0:
        minus, centre, plus = math.log(minus), math.log(centre), math.log(plus)
    denominator = minus - 2.0 * centre + plus
    if denominator >= 0:
        return 0.0
    return float(np.clip(0.5 * (minus - plus) / denominator, -0.5, 0.5))


def _locate_peak(surface: FloatArray) -> tuple[float, float, float]:
    """Return the (x, y) of the highest peak, signed (wrapped), and its height."""
    rows, cols = surface.shape
    iy, ix = np.unravel_index(int(np.argmax(surface)), surface.shape)
    peak = float(surface[iy, ix])
    dx = ix + _gaussian_fit(surface[iy, (ix - 1) % cols], peak, surface[iy, (ix + 1) % cols])
    dy = iy + _gaussian_fit(surface[(iy - 1) % rows, ix], peak, surface[(iy + 1) % rows, ix])
    dx = dx - cols if dx > cols / 2 else dx
    dy = dy - rows if dy > rows / 2 else dy
    return float(dx), float(dy), peak


@functools.lru_cache(maxsize=8)
def _spectral_taper(shape: tuple[int, int]) -> tuple[FloatArray, float]:
    """Gaussian taper of a real-FFT spectrum giving a peak of ``PEAK_SIGMA_PX``.

    Returns the taper (read-only) and the peak height it gives two identical
    frames, which normalises the response to 1.
    """
    fy = np.fft.fftfreq(shape[0])[:, None]
    fx = np.fft.rfftfreq(shape[1])[None, :]
    taper = np.exp(-2.0 * math.pi**2 * PEAK_SIGMA_PX**2 * (fx**2 + fy**2))
    taper.flags.writeable = False
    return taper, float(np.fft.irfft2(taper, s=shape)[0, 0])


def _check_frames(previous: FloatArray, current: FloatArray, mask: BoolArray) -> None:
    """Raise ValueError unless the frames (and mask) are equal-shaped 2-D arrays."""
    if previous.ndim != 2 or previous.shape != current.shape:
        raise ValueError(
            "expected two grayscale frames of the same 2-D shape, got "
            f"{previous.shape} and {current.shape}"
        )
    if min(previous.shape) < 8:
        raise ValueError(f"frames must be at least 8×8 px, got {previous.shape}")
    if mask.shape != previous.shape:
        raise ValueError(f"mask shape {mask.shape} differs from the frames' {previous.shape}")


def _is_flat(image: FloatArray, weight: FloatArray) -> bool:
    """Whether the weighted background of ``image`` has no detail at all."""
    seen = image[weight > 0]
    return seen.size == 0 or float(np.ptp(seen)) <= 1e-9 * (1.0 + float(np.abs(seen).max()))


def _spectrum(image: FloatArray, weight: FloatArray) -> NDArray[np.complex128]:
    """Real 2-D FFT of the background-weighted, zero-mean image."""
    return np.fft.rfft2(_prepare(image, weight))


def _correlate(
    spectrum_a: NDArray[np.complex128], spectrum_b: NDArray[np.complex128], shape: tuple[int, int]
) -> tuple[float, float, float]:
    """Phase correlation of two frame spectra: ``(dx, dy, response)`` of b relative to a."""
    cross = spectrum_b * np.conj(spectrum_a)
    magnitude = np.abs(cross)
    floor = 1e-12 * float(magnitude.max())
    if floor == 0.0:
        return math.nan, math.nan, 0.0
    taper, identical_peak = _spectral_taper(shape)
    surface = np.fft.irfft2(cross / (magnitude + floor) * taper, s=shape)
    dx, dy, peak = _locate_peak(surface)
    return dx, dy, peak / identical_peak


def _translate(image: FloatArray, dx: float, dy: float) -> FloatArray:
    """Move the content of ``image`` by ``(dx, dy)`` pixels (bicubic, mirrored edges)."""
    matrix = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]], dtype=np.float64)
    rows, cols = image.shape
    moved = cv2.warpAffine(
        image.astype(np.float32),
        matrix,
        (cols, rows),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_REFLECT,
    )
    return np.asarray(moved, dtype=np.float64)


def _shift_mask(mask: BoolArray, dx: float, dy: float) -> BoolArray:
    """Move a mask by ``(dx, dy)`` pixels, covering every pixel it touches."""
    rows, cols = mask.shape
    out = np.zeros_like(mask)
    for ix in {math.floor(dx), math.ceil(dx)}:
        for iy in {math.floor(dy), math.ceil(dy)}:
            if abs(ix) >= cols or abs(iy) >= rows:
                continue
            src = mask[max(0, -iy) : rows - max(0, iy), max(0, -ix) : cols - max(0, ix)]
            out[max(0, iy) : rows - max(0, -iy), max(0, ix) : cols - max(0, -ix)] |= src
    return out


def correlate_background(
    previous: np.ndarray,
    current: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    refinements: int = 2,
) -> tuple[float, float, float]:
    """Shift of the background between two frames, with the peak's strength.

    Parameters
    ----------
    previous, current
        Grayscale frames, 2-D, same shape, any real dtype (e.g. 0–255).
    mask
        Boolean, same shape, True where the person (or anything else that
        does not move with the background) is, in *either* frame; None uses
        the whole frame.
    refinements
        Times the estimate is refined: ``current`` is moved back by the
        shift found so far and the small remaining shift is measured and
        added. A window or mask that is the same in both frames pulls a
        phase-correlation peak towards zero by a few per cent of the shift;
        at zero remaining shift that pull vanishes, so two refinements leave
        well under 0.05 px.

    Returns
    -------
    dx, dy : float
        Shift of the background content from ``previous`` to ``current``,
        pixels, ``x`` right and ``y`` down: ``current[y, x] ≈
        previous[y - dy, x - dx]``. A camera panning right gives ``dx < 0``.
        NaN when a frame is perfectly uniform.
    response : float
        Height of the final correlation peak, 1 for identical (shifted)
        backgrounds, near 0 when nothing matches.

    Raises
    ------
    ValueError
        If the shapes differ or are not 2-D.
    """
    a = np.asarray(previous, dtype=np.float64)
    b = np.asarray(current, dtype=np.float64)
    person = np.zeros(a.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    _check_frames(a, b, person)
    shape = (a.shape[0], a.shape[1])
    weight = _hanning(shape) * _background_weight(person, shape)
    if _is_flat(a, weight) or _is_flat(b, weight):
        return math.nan, math.nan, 0.0
    dx, dy, response = _correlate(_spectrum(a, weight), _spectrum(b, weight), shape)
    if refinements < 1 or not (math.isfinite(dx) and math.isfinite(dy)):
        return dx, dy, response
    # moving `current` back also moves its person: mask both places
    weight = _hanning(shape) * _background_weight(person | _shift_mask(person, -dx, -dy), shape)
    spectrum_a = _spectrum(a, weight)
    for _ in range(refinements):
        back = _translate(b, -dx, -dy)
        rx, ry, response = _correlate(spectrum_a, _spectrum(back, weight), shape)
        dx, dy = dx + rx, dy + ry
    return dx, dy, response


def estimate_background_shift(
    previous: np.ndarray, current: np.ndarray, mask: np.ndarray | None
) -> tuple[float, float]:
    """Shift of the background between two grayscale frames, by phase correlation.

    Parameters
    ----------
    previous, current
        Grayscale frames, 2-D, same shape, any real dtype.
    mask
        Boolean, same shape, True where the person is (in either frame), or
        None. Masked pixels are excluded: filled with the background mean
        before windowing, with a feathered edge.

    Returns
    -------
    tuple of float
        ``(dx, dy)``: shift of the background content from ``previous`` to
        ``current``, pixels, ``x`` right and ``y`` down. A camera panning
        right makes the background move left: ``dx < 0``. NaN when a frame is
        perfectly uniform.

    Raises
    ------
    ValueError
        If the shapes differ or are not 2-D.

    Notes
    -----
    Hanning-windowed phase correlation with a Gaussian-tapered whitened
    spectrum and a three-point Gaussian peak fit; see the module docstring
    for why this rather than ``cv2.phaseCorrelate``'s centroid.
    """
    dx, dy, _ = correlate_background(previous, current, mask)
    return dx, dy


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


def _to_gray(image: np.ndarray) -> FloatArray:
    """RGB ``uint8`` image to float64 luma (0–255)."""
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), dtype=np.float64)


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
    video: Path, poses: xr.Dataset, *, width_px: int = 320, slowmo: float = 1.0, pair_step: int = 1
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
    frames = iter_frames(
        video,
        max_side=_decode_max_side(poses, width_px),
        slowmo=slowmo,
        start_s=float(pose_times[0]) - half_frame if pose_times.size else None,
        end_s=float(pose_times[-1]) + half_frame if pose_times.size else None,
    )
    last: tuple[int, float, FloatArray] | None = None
    for count, frame in enumerate(frames):
        index = int(_match_times(np.array([frame.time_s]), pose_times)[0])
        if index < 0:
            continue
        gray = _to_gray(frame.image)
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
