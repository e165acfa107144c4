"""The runner's own time base: events detected in units of their step (slow motion, walking).

Contact detection has thresholds in leg lengths per second and durations in
seconds (:class:`runform.gait.events.EventSettings`), set for real-time
running at about 180 steps/min. A clip filmed or played in slow motion
(common on phones: 2-10x) or a slow walk stretches every movement: the toes
never reach the take-off velocity until late, a 3 s "contact" of a 10x slow
clip is longer than any plausible stance, and events come out several frames
off or not at all.

So when the steps found on the clip's clock are slower than any running
or brisk walking (:func:`reads_as_real_time`), the detector runs again on a
*canonical* clock: frame times divided by
``time_scale = max(1, step period / NOMINAL_STEP_S)``, where the step
period comes from the legs' own rhythm: a Lomb-Scargle periodogram of the
distance between the ankles along their swing, which peaks twice a stride
(once per step), needs no detected events and does not care which leg the
pose model calls left. A clip at
180 steps/min or faster is left as it is (``time_scale = 1``), so real-time
running is unchanged; event times are mapped back to the clip's clock.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from numpy.typing import NDArray
from scipy.signal import lombscargle

FloatArray = NDArray[np.float64]

#: Step period of real-time running that the detection thresholds assume, s (180 steps/min).
NOMINAL_STEP_S = 60.0 / 180.0
#: Step rates searched, steps per second (a 10x slow run to a sprint).
STEP_HZ_RANGE = (0.1, 8.0)
#: Largest stretch of the clock accepted (slower clips are not running footage).
MAX_TIME_SCALE = 15.0
#: Slowest real-time step accepted without stretching the clock, s (100 steps/min): walking
#: at 100-120 steps/min is ordinary real-time walking (100 steps/min is about where walking
#: becomes moderately intense: Tudor-Locke et al. 2019, Int J Behav Nutr Phys Act 16:8), not
#: slow motion. At 0.5 s (120 steps/min) a walker at 117 steps/min was stretched to a
#: running clock and read as running.
MAX_REAL_TIME_STEP_S = 0.6
#: Fewest steps that show a real-time rhythm.
MIN_STEPS = 3


def reads_as_real_time(landings_s: FloatArray) -> bool:
    """Whether landings found on the clip's clock step like real-time running or walking.

    Parameters
    ----------
    landings_s
        Landing times of both feet, seconds (NaN allowed, any order).

    Returns
    -------
    bool
        True with at least :data:`MIN_STEPS` steps whose median is at most
        :data:`MAX_REAL_TIME_STEP_S`. A clip that starts still (a block
        start) has a low-frequency rhythm that would stretch the clock;
        this check keeps it on its own clock when its steps are real-time.
    """
    times = np.sort(landings_s[np.isfinite(landings_s)])
    steps = np.diff(times)
    steps = steps[steps > 0]
    return bool(steps.size >= MIN_STEPS and np.median(steps) <= MAX_REAL_TIME_STEP_S)


def estimate_step_hz(time_s: FloatArray, ankle_distance: FloatArray) -> float:
    """Strongest rate of the distance between the ankles, steps per second.

    Parameters
    ----------
    time_s
        Frame times, seconds.
    ankle_distance
        Absolute distance between the two ankles along the direction they
        swing in (any unit), NaN where unknown.

    Returns
    -------
    float
        Steps per second; NaN with fewer than 16 known samples or when the
        clip is shorter than 1.5 periods of the slowest rate searched.
    """
    ok = np.isfinite(ankle_distance) & np.isfinite(time_s)
    if ok.sum() < 16:
        return float("nan")
    t, values = time_s[ok], ankle_distance[ok] - np.mean(ankle_distance[ok])
    span = float(t[-1] - t[0])
    low = max(STEP_HZ_RANGE[0], 1.5 / span) if span > 0 else STEP_HZ_RANGE[1]
    if low >= STEP_HZ_RANGE[1] or not np.any(values):
        return float("nan")
    freqs = np.geomspace(low, STEP_HZ_RANGE[1], 600)
    power = lombscargle(t, values, 2 * np.pi * freqs)
    return float(freqs[int(np.argmax(power))])


def estimate_time_scale(position: xr.DataArray, direction: int, view: str) -> float:
    """How much slower than real-time running the clip moves (1 = not slower).

    Parameters
    ----------
    position
        Pixel positions, dims ``(time, space, keypoint)``.
    direction
        +1 running right on screen, -1 left (the distance does not need it;
        kept so that callers pass what the other signals take).
    view
        ``"side"``, ``"oblique"``, ``"front"``, ``"rear"`` or ``"unknown"``.

    Returns
    -------
    float
        ``max(1, step period / NOMINAL_STEP_S)``, at most :data:`MAX_TIME_SCALE`;
        1 when no rhythm is found.
    """
    space = "y" if view in ("front", "rear") else "x"
    left = np.asarray(position.sel(keypoint="left_ankle", space=space), dtype=float)
    right = np.asarray(position.sel(keypoint="right_ankle", space=space), dtype=float)
    time = np.asarray(position["time"], dtype=float)
    step_hz = estimate_step_hz(time, np.abs(left - right))
    if not np.isfinite(step_hz) or step_hz <= 0:
        return 1.0
    step_s = 1.0 / step_hz
    return float(np.clip(step_s / NOMINAL_STEP_S, 1.0, MAX_TIME_SCALE))
