"""Camera view and direction of travel, from the landmarks alone.

* **View.** In a side view the two shoulders (and the two hips) nearly
  overlap in the image; seen from the front or back they lie a torso's width
  apart. The ratio of the shoulder and hip widths to the torso length decides:
  below ``side_max`` is a side view, above ``frontal_min`` front or rear, in
  between oblique. Front and rear differ in the order of the labels: a
  runner facing the camera shows their left shoulder on the image's right
  (MediaPipe labels the person's own left and right).
* **Direction.** In a side view the toes point, and the nose looks, the way
  the runner goes; overground the hips also travel that way. In a front or
  rear view the runner comes ``toward`` or goes ``away`` from the camera.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import xarray as xr
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

VIEWS = ("side", "front", "rear", "oblique")
DIRECTIONS = ("right", "left", "toward", "away")


@dataclass(frozen=True)
class ViewSettings:
    """Width-to-torso ratios separating the views."""

    side_max: float = 0.25
    frontal_min: float = 0.45


@dataclass(frozen=True)
class Classified:
    """A label with a confidence in 0-1 and the evidence behind it.

    Attributes
    ----------
    label
        The class, e.g. ``"side"``.
    confidence
        0-1: how clearly the evidence supports the label.
    evidence
        Read-only ``{name: value}`` of the measurements behind the label;
        names carry their units (``*_speed`` in leg lengths per second,
        ``*_per_s`` per second, ``vote_*`` in -1..1, ratios dimensionless).
    """

    label: str
    confidence: float
    evidence: Mapping[str, float]

    def __post_init__(self) -> None:
        object.__setattr__(self, "evidence", MappingProxyType(dict(self.evidence)))

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {"label": self.label, "confidence": round(self.confidence, 3), **self.evidence}


def _xy(position: xr.DataArray, keypoint: str) -> FloatArray:
    return np.asarray(position.sel(keypoint=keypoint).transpose("time", "space"), dtype=float)


def _midpoint(position: xr.DataArray, name: str) -> FloatArray:
    return 0.5 * (_xy(position, f"left_{name}") + _xy(position, f"right_{name}"))


def compute_width_ratio(position: xr.DataArray) -> FloatArray:
    """Per-frame shoulder-and-hip width over torso length (dimensionless).

    Signed: positive when the person's left side is on the image's right
    (facing the camera), negative when it is on the image's left (back to
    the camera). Near 0 in a side view.
    """
    torso = np.linalg.norm(_midpoint(position, "shoulder") - _midpoint(position, "hip"), axis=1)
    shoulders = _xy(position, "left_shoulder")[:, 0] - _xy(position, "right_shoulder")[:, 0]
    hips = _xy(position, "left_hip")[:, 0] - _xy(position, "right_hip")[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(0.5 * (shoulders + hips) / torso, dtype=float)


def classify_view(position: xr.DataArray, settings: ViewSettings | None = None) -> Classified:
    """Classify the camera view as side, front, rear or oblique.

    Parameters
    ----------
    position
        Pixel positions with dims ``(time, space, keypoint)``.
    settings
        Ratio thresholds.

    Returns
    -------
    Classified
        The view, with the fraction of frames that agree as confidence.
    """
    settings = settings or ViewSettings()
    ratio = compute_width_ratio(position)
    ratio = ratio[np.isfinite(ratio)]
    if ratio.size == 0:
        return Classified("unknown", 0.0, {"width_ratio": float("nan")})
    width = np.abs(ratio)
    median = float(np.median(width))
    if median < settings.side_max:
        label, agree = "side", np.mean(width < settings.side_max)
    elif median > settings.frontal_min:
        facing = float(np.mean(ratio > 0))
        label = "front" if facing >= 0.5 else "rear"
        agree = np.mean(width > settings.frontal_min) * max(facing, 1 - facing)
    else:
        label = "oblique"
        agree = np.mean((width >= settings.side_max) & (width <= settings.frontal_min))
    return Classified(label, float(agree), {"width_ratio": round(median, 3)})


def _vote(values: FloatArray) -> float:
    """Mean sign of the finite values (-1..1), 0 when there are none."""
    values = values[np.isfinite(values)]
    return float(np.mean(np.sign(values))) if values.size else 0.0


def compute_facing(position: xr.DataArray) -> FloatArray:
    """Per-frame facing in a side view, -1..1 (+1 facing right on screen).

    The mean sign of two cues: toes ahead of heels (both feet) and the nose
    ahead of the ears. NaN where no cue is seen.
    """
    cues = [
        _xy(position, f"{s}_foot_index")[:, 0] - _xy(position, f"{s}_heel")[:, 0]
        for s in ("left", "right")
    ]
    ears = 0.5 * (_xy(position, "left_ear")[:, 0] + _xy(position, "right_ear")[:, 0])
    cues.append(_xy(position, "nose")[:, 0] - ears)
    signs = np.sign(np.vstack(cues))
    with np.errstate(invalid="ignore"):
        count = np.sum(np.isfinite(signs), axis=0)
        total = np.nansum(signs, axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def classify_side_direction(position: xr.DataArray, leg_length_px: float) -> Classified:
    """Direction of travel in a side view: ``right`` or ``left`` on screen.

    Three votes in -1..1 (positive = right): toes ahead of heels, nose ahead of
    the ears, and hip travel over the clip when it exceeds one leg length.

    Parameters
    ----------
    position
        Pixel positions, dims ``(time, space, keypoint)``, x right.
    leg_length_px
        Median leg length, pixels (the travel vote needs more than one).

    Returns
    -------
    Classified
        ``right`` or ``left``; confidence is the absolute mean vote; the
        evidence holds each ``vote_*`` in -1..1.
    """
    toes = np.concatenate(
        [
            _xy(position, f"{s}_foot_index")[:, 0] - _xy(position, f"{s}_heel")[:, 0]
            for s in ("left", "right")
        ]
    )
    ears = 0.5 * (_xy(position, "left_ear")[:, 0] + _xy(position, "right_ear")[:, 0])
    nose = _xy(position, "nose")[:, 0] - ears
    hips = _midpoint(position, "hip")[:, 0]
    finite = hips[np.isfinite(hips)]
    travel = float(finite[-1] - finite[0]) if finite.size > 1 else 0.0
    votes = {"toes": _vote(toes), "nose": _vote(nose)}
    if abs(travel) > leg_length_px:
        votes["travel"] = float(np.sign(travel))
    score = float(np.mean(list(votes.values())))
    label = "right" if score >= 0 else "left"
    evidence = {f"vote_{k}": round(v, 3) for k, v in votes.items()}
    return Classified(label, abs(score), evidence)


def classify_depth_direction(position: xr.DataArray, view: str) -> Classified:
    """Direction in a front or rear view: ``toward`` or ``away`` from the camera.

    The view sets it (a runner seen from the front comes toward the camera);
    a growing or shrinking figure confirms it and sets the confidence.

    Parameters
    ----------
    position
        Pixel positions, dims ``(time, space, keypoint)``.
    view
        ``"front"`` or ``"rear"``.

    Returns
    -------
    Classified
        ``toward`` or ``away``; the evidence holds ``size_growth_per_s``, the
        rate of change of the log torso length (1/s, positive = growing).
    """
    torso = np.linalg.norm(_midpoint(position, "shoulder") - _midpoint(position, "hip"), axis=1)
    ok = np.isfinite(torso)
    growth = 0.0
    if ok.sum() > 2:
        times = np.asarray(position["time"], dtype=float)[ok]
        slope = np.polyfit(times, np.log(torso[ok]), 1)[0]
        growth = float(slope)
    label = "toward" if view == "front" else "away"
    expected = 1.0 if label == "toward" else -1.0
    confidence = 0.6 + 0.4 * float(np.clip(expected * growth / 0.2, -1.0, 1.0))
    return Classified(label, float(np.clip(confidence, 0.0, 1.0)), {"size_growth_per_s": growth})
