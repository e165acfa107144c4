"""Make result dictionaries strict-JSON ready (no NaN, no numpy scalars)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def to_json_safe(value: Any) -> Any:
    """Return ``value`` with NaN/inf as ``None`` and numpy types as Python ones, recursively.

    Mappings become dicts, tuples and arrays become lists.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): to_json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [to_json_safe(v) for v in value]
    return value
