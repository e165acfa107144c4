"""Contacts of both feet in a poses dataset, on the clip's clock or the runner's own.

The per-frame foot signals (:mod:`runform.gait.signals`) of each side go to
:func:`runform.gait.foot_contacts.detect_foot_contacts`; a clip that reads
slower than any running is searched again on a faster clock
(:mod:`runform.gait.timebase`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.gait.events import Contact, rescale_contact
from runform.gait.foot_contacts import detect_foot_contacts
from runform.gait.prepare import _position
from runform.gait.result import GaitSettings
from runform.gait.signals import (
    compute_foot_height,
    compute_foot_rise_velocity,
    compute_foot_slide_velocity,
    compute_toe_velocity,
)
from runform.gait.timebase import estimate_time_scale, reads_as_real_time
from runform.skeleton import SIDES

FloatArray = NDArray[np.float64]


def _detect_contacts(
    ds: xr.Dataset, leg_px: FloatArray, direction: int, settings: GaitSettings, view: str
) -> tuple[list[Contact], float]:
    """Contacts of both feet: on the clip's clock, or on the runner's own when that reads slow.

    See :mod:`runform.gait.timebase`: only when the steps found in real time
    are slower than any running (or there are too few) is the clock
    stretched by the legs' rhythm and the detection run again. Returns the
    contacts (on the clip's clock) and the stretch used (1 = none).
    """
    contacts = _detect_on_clock(ds, leg_px, direction, settings, view, 1.0)
    steps = [c.initial_contact_s for c in contacts]
    if reads_as_real_time(np.asarray(steps, dtype=float)):
        return contacts, 1.0
    scale = estimate_time_scale(_position(ds), direction, view)
    if scale <= 1.0:
        return contacts, 1.0
    return _detect_on_clock(ds, leg_px, direction, settings, view, scale), scale


def _detect_on_clock(
    ds: xr.Dataset,
    leg_px: FloatArray,
    direction: int,
    settings: GaitSettings,
    view: str,
    scale: float,
) -> list[Contact]:
    """Contacts of both feet found with the clock sped up ``scale`` times, on the clip's clock."""
    ds = ds.assign_coords(time=np.asarray(ds["time"], dtype=float) / scale)
    position = _position(ds)
    events = settings.events
    if view in ("front", "rear"):
        events = replace(events, to_method="height")
    time = np.asarray(ds["time"], dtype=float)
    contacts: list[Contact] = []
    for side in SIDES:
        height = compute_foot_height(position, side, leg_px, events)
        slide: FloatArray | None = None
        if view in ("front", "rear"):  # travel is along the camera axis: use the image rise
            velocity = compute_foot_rise_velocity(position, side, leg_px)
        else:
            velocity = compute_toe_velocity(position, side, direction, leg_px)
            slide = compute_foot_slide_velocity(position, side, direction, leg_px)
        conf = (
            ds["confidence"].isel(individual=0).sel(keypoint=[f"{side}_heel", f"{side}_foot_index"])
        )
        confidence = np.asarray(conf.mean("keypoint"), dtype=float)
        found = detect_foot_contacts(time, height, velocity, confidence, side, events, slide)
        contacts += [rescale_contact(c, scale) for c in found]
    return sorted(contacts, key=lambda c: np.nan_to_num(c.start_s))
