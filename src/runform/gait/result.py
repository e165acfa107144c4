"""``analyze_gait``: from a poses dataset to one immutable gait result.

The steps, each a pure function from its own module:

1. gate low-confidence landmarks (:mod:`runform.processing.clean`);
2. classify the view and the direction of travel (:mod:`runform.scene.view`);
3. in a side view, repair left/right leg swaps and down-weight the far leg
   (:mod:`runform.processing.legswap`);
4. reject outliers, fill short gaps, low-pass filter;
5. scale, foot contacts, steps and strides (:mod:`runform.gait.events`,
   :mod:`runform.gait.strides`);
6. setting and activity (:mod:`runform.scene.setting`);
7. spatiotemporal metrics, kinematics and centre of mass;
8. capture-quality warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.gait.events import Contact, EventSettings
from runform.gait.metrics import Metric
from runform.gait.stride_kinematics import StrideAngles
from runform.gait.strides import GaitEvent, Stride
from runform.processing.clean import CleaningSettings
from runform.scene.quality import CaptureWarning
from runform.scene.runner import RunnerChoice
from runform.scene.scale import Scale
from runform.scene.view import Classified
from runform.serialize import to_json_safe

FloatArray = NDArray[np.float64]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class GaitSettings:
    """Everything that changes the gait analysis.

    Attributes
    ----------
    cleaning
        Gating, outlier, gap and filter parameters.
    events
        Contact-detection parameters.
    repair_leg_swaps
        Repair left/right leg swaps in side views.
    far_leg_weight
        Factor on the far leg's confidence in side views (its landmarks are
        guessed behind the body); it weights that leg's strides in averages.
    """

    cleaning: CleaningSettings = field(default_factory=CleaningSettings)
    events: EventSettings = field(default_factory=EventSettings)
    repair_leg_swaps: bool = True
    far_leg_weight: float = 0.5

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "cleaning": self.cleaning.to_dict(),
            "events": self.events.to_dict(),
            "repair_leg_swaps": self.repair_leg_swaps,
            "far_leg_weight": self.far_leg_weight,
        }


@dataclass(frozen=True)
class CaptureInfo:
    """What kind of footage this is, and how good.

    Attributes
    ----------
    view, direction, setting, activity
        Each a label with a confidence and its evidence.
    scale
        Leg length in pixels and, with a body height, pixels per metre.
    fps
        Real-world frame rate, frames per second.
    duration_s
        Time from the first to the last frame, seconds.
    frame_size_px
        ``(width, height)`` of the analysed frames.
    detection_rate
        Fraction of frames with the runner found.
    near_side
        Leg nearer the camera in a side view, else ``None``.
    warnings
        Capture-quality warnings.
    """

    view: Classified
    direction: Classified
    setting: Classified
    activity: Classified
    scale: Scale
    fps: float
    duration_s: float
    frame_size_px: tuple[int, int]
    detection_rate: float
    near_side: str | None
    warnings: tuple[CaptureWarning, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (labels at top level, details beside them)."""
        out: dict[str, Any] = {}
        for name in ("view", "direction", "setting", "activity"):
            item: Classified = getattr(self, name)
            out[name] = item.label
            out[f"{name}_confidence"] = round(item.confidence, 3)
        out["evidence"] = {
            name: getattr(self, name).evidence
            for name in ("view", "direction", "setting", "activity")
        }
        out["scale"] = self.scale.to_dict()
        out["fps"] = round(self.fps, 4)
        out["duration_s"] = round(self.duration_s, 3)
        out["frame_size_px"] = list(self.frame_size_px)
        out["detection_rate"] = round(self.detection_rate, 4)
        out["near_side"] = self.near_side
        out["warnings"] = [w.to_dict() for w in self.warnings]
        return out


@dataclass(frozen=True, eq=False)
class GaitAnalysis:
    """The result of :func:`analyze_gait`.

    Attributes
    ----------
    capture
        View, direction, setting, activity, scale and quality warnings.
    events
        Initial contacts and toe-offs of both feet, in time order.
    contacts
        Contacts of both feet (an initial contact with its toe-off).
    strides
        Complete strides of both feet, in time order.
    metrics
        Named metrics (read-only mapping); see :meth:`summary`.
    stride_angles
        Angles at the events of each stride (side views only).
    cycle_curves
        ``{side: {angle: (mean, sd)}}`` over the normalised gait cycle
        (101 points, 0-100 %), degrees.
    poses
        The cleaned poses dataset of the analysed individual.
    angles
        Per-frame angles (dims ``time``), degrees; ``None`` outside side views.
    center_of_mass
        Whole-body centre of mass per frame, pixels (dims ``time, space``).
    settings
        The settings used.
    person
        Who was analysed and how they were chosen among the people in view.
    """

    capture: CaptureInfo
    events: tuple[GaitEvent, ...]
    contacts: tuple[Contact, ...]
    strides: tuple[Stride, ...]
    metrics: MappingProxyType[str, Metric]
    stride_angles: tuple[StrideAngles, ...]
    cycle_curves: MappingProxyType[str, Mapping[str, tuple[FloatArray, FloatArray]]]
    poses: xr.Dataset
    angles: xr.Dataset | None
    center_of_mass: xr.DataArray
    settings: GaitSettings
    person: RunnerChoice | None = None

    def summary(self) -> dict[str, float | int | None]:
        """Flat ``{name: value}`` of the metrics, plus ``strides`` (the count)."""
        out: dict[str, float | int | None] = {
            name: metric.value for name, metric in self.metrics.items()
        }
        out["strides"] = len(self.strides)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (``gait.json``): strict JSON, NaN becomes ``None``."""
        summary = {
            k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.summary().items()
        }
        return to_json_safe(
            {
                "schema_version": SCHEMA_VERSION,
                "capture": self.capture.to_dict(),
                "summary": summary,
                "metrics": {name: m.to_dict() for name, m in self.metrics.items()},
                "events": [e.to_dict() for e in self.events],
                "strides": [s.to_dict() for s in self.strides],
                "stride_angles": [a.to_dict() for a in self.stride_angles],
                "cycle_curves": {
                    side: {
                        name: {
                            "mean": _rounded_list(mean),
                            "sd": _rounded_list(sd),
                        }
                        for name, (mean, sd) in curves.items()
                    }
                    for side, curves in self.cycle_curves.items()
                },
                "settings": self.settings.to_dict(),
                "person": None if self.person is None else self.person.to_dict(),
            }
        )


def _rounded_list(values: FloatArray) -> list[float | None]:
    return [round(float(v), 2) if np.isfinite(v) else None for v in values]
