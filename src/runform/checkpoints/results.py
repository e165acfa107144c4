"""Immutable results of checkpoint scoring and feedback."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from runform.serialize import to_json_safe


def _round(value: float | None, digits: int = 3) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


@dataclass(frozen=True)
class CheckpointResult:
    """One scored checkpoint.

    Attributes
    ----------
    id, name, element
        From the rubric.
    value
        Weighted mean over strides (or the gait metric), in ``unit``; ``None``
        when not measured.
    unit
        Unit of ``value``, ``uncertainty`` and ``target``.
    uncertainty
        One standard deviation: bootstrap spread over strides combined with
        the measurement floor.
    target
        ``(low, high)`` pass band (infinite bounds are open).
    score
        0-100 (``None`` when not measured).
    status
        ``pass``, ``warn``, ``fail``, ``not_measured`` or ``observed`` (shown, not scored).
    reason
        Why it is ``not_measured``, or why a ``fail`` was softened to ``warn``.
    cue, drills
        Coaching cue and the drills that train it.
    n
        Strides (or steps) behind the value.
    metric
        The measure or gait metric read.
    details
        Extra values (per side, frame counts, secondary measures).
    """

    id: str
    name: str
    element: str
    value: float | None
    unit: str
    uncertainty: float | None
    target: tuple[float, float]
    score: float | None
    status: str
    reason: str
    cue: str
    drills: tuple[str, ...]
    n: int = 0
    metric: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    @property
    def measured(self) -> bool:
        """Whether the checkpoint has a value (a score too, unless it is only observed)."""
        return self.status != "not_measured"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (the issue's contract plus ``n``, ``metric``, ``details``)."""
        return to_json_safe(
            {
                "id": self.id,
                "name": self.name,
                "element": self.element,
                "value": _round(self.value, 4),
                "unit": self.unit,
                "uncertainty": _round(self.uncertainty, 4),
                "target": [_round(self.target[0], 4), _round(self.target[1], 4)],
                "score": _round(self.score, 1),
                "status": self.status,
                "reason": self.reason,
                "cue": self.cue,
                "drills": list(self.drills),
                "n": self.n,
                "metric": self.metric,
                "details": dict(self.details),
            }
        )


@dataclass(frozen=True)
class FocusItem:
    """One thing to work on next.

    Attributes
    ----------
    checkpoint
        Id of the checkpoint.
    name, element, status, score
        Copied from the checkpoint result.
    message
        Plain-language feedback quoting the measured value and what good
        looks like, framed as the next step.
    cue
        The coaching cue.
    drills
        ``({"id", "name", "how"}, ...)`` drills that train it.
    """

    checkpoint: str
    name: str
    element: str
    status: str
    score: float | None
    message: str
    cue: str
    drills: tuple[Mapping[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return to_json_safe(
            {
                "checkpoint": self.checkpoint,
                "name": self.name,
                "element": self.element,
                "status": self.status,
                "score": _round(self.score, 1),
                "message": self.message,
                "cue": self.cue,
                "drills": [dict(d) for d in self.drills],
            }
        )
