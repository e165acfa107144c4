"""The Pose Method rubric as typed data: load, validate and override it.

The default rubric is ``rubric.toml`` beside this module. A coach's file
passed to :func:`load_rubric` overrides it by checkpoint ``id``: only the
fields it gives change, a new ``id`` adds a checkpoint, and
``enabled = false`` removes one. Drills merge the same way by name.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

ELEMENTS = ("pose", "fall", "pull", "landing", "timing", "cadence")
VIEWS = ("side", "front", "rear", "oblique")
RUNNING_SETTINGS = ("overground", "treadmill", "tracking")
#: The in-place drills runform can score (``applies`` names and ``--drill`` choices).
DRILL_NAMES = (
    "pose_stance",
    "pony",
    "change_of_support",
    "foot_tap",
    "hamstring_pull",
    "wall_fall",
    "timber_fall",
    "front_lean",
)


class RubricError(ValueError):
    """A rubric file that cannot be used, with what is wrong and where."""


@dataclass(frozen=True)
class Band:
    """A target range with its tolerances, in the unit of ``metric``.

    Attributes
    ----------
    metric
        Name of the measure or gait metric it reads.
    target
        ``(low, high)``: inside is a pass (use ``-inf``/``inf`` for one side).
    warn
        Distance outside the target still counted a warning (score 50 at it).
    fail
        Distance outside the target where the score reaches 0 (> ``warn``).
    floor
        Measurement floor of the landmarks, same unit, added to the
        stride-to-stride uncertainty in quadrature.
    floor_frames
        Extra floor in video frames (timing metrics in ms only).
    message
        Focus message template; fields ``value``, ``target_low``,
        ``target_high``, ``uncertainty``, ``frames``.
    """

    metric: str
    target: tuple[float, float]
    warn: float
    fail: float
    floor: float = 0.0
    floor_frames: float = 0.0
    message: str = ""


@dataclass(frozen=True)
class Checkpoint:
    """One Pose Method checkpoint.

    Attributes
    ----------
    id, name
        Stable identifier and display name.
    element
        One of :data:`ELEMENTS`.
    band
        The metric and how it is scored.
    fallback
        Band used when ``band.metric`` is not measured (e.g. vertical
        oscillation in % of leg length without a body height).
    weight
        Importance in the focus ranking (0-1).
    applies
        Settings (:data:`RUNNING_SETTINGS`) and drill names where it is scored.
    views
        Camera views (:data:`VIEWS`) it can be measured from (default: side).
    cue
        Short coaching cue.
    drills
        Drill names (keys of :attr:`Rubric.drills`) that train it.
    baseline_relative_pct
        When set and the runner has a baseline value, the target becomes
        ``baseline * (1 + pct / 100)`` for the two bounds.
    scored
        ``False`` makes it an observation: measured and shown with its value,
        never scored, never a focus item (status ``observed``).
    """

    id: str
    name: str
    element: str
    band: Band
    weight: float
    applies: tuple[str, ...]
    cue: str
    drills: tuple[str, ...]
    fallback: Band | None = None
    baseline_relative_pct: tuple[float, float] | None = None
    views: tuple[str, ...] = ("side",)
    scored: bool = True


@dataclass(frozen=True)
class Drill:
    """A drill the rubric can recommend."""

    id: str
    name: str
    trains: tuple[str, ...]
    how: str


@dataclass(frozen=True)
class Rubric:
    """Checkpoints and drills, validated."""

    name: str
    checkpoints: tuple[Checkpoint, ...]
    drills: Mapping[str, Drill] = field(default_factory=lambda: MappingProxyType({}))
    source: str = "default"

    def __post_init__(self) -> None:
        object.__setattr__(self, "drills", MappingProxyType(dict(self.drills)))

    def get(self, checkpoint_id: str) -> Checkpoint:
        """Return the checkpoint with this id (``KeyError`` if absent)."""
        for checkpoint in self.checkpoints:
            if checkpoint.id == checkpoint_id:
                return checkpoint
        raise KeyError(checkpoint_id)


def _number(raw: Mapping[str, Any], key: str, where: str, default: float | None = None) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise RubricError(f"{where}: '{key}' must be a number, got {value!r}")
    return float(value)


def _pair(raw: Mapping[str, Any], key: str, where: str) -> tuple[float, float]:
    value = raw.get(key)
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise RubricError(f"{where}: '{key}' must be [low, high] numbers, got {value!r}")
    low, high = float(value[0]), float(value[1])
    if not low <= high:
        raise RubricError(f"{where}: '{key}' low {low} is above high {high}")
    return low, high


def _strings(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RubricError(f"{where}: '{key}' must be a list of strings, got {value!r}")
    return tuple(value)


def _text(raw: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise RubricError(f"{where}: '{key}' must be text, got {value!r}")
    return value


def _check_message(template: str, where: str) -> None:
    sample = {
        "value": 1.0,
        "target_low": 0.0,
        "target_high": 2.0,
        "uncertainty": 0.5,
        "frames": 3.0,
    }
    try:
        template.format(**sample)
    except (KeyError, IndexError, ValueError) as error:
        raise RubricError(
            f"{where}: 'message' cannot be filled ({error!s}); it may use "
            f"{{value}}, {{target_low}}, {{target_high}}, {{uncertainty}}, {{frames}}"
        ) from None


def parse_band(raw: Mapping[str, Any], where: str) -> Band:
    """Build a :class:`Band` from a TOML table, checking every field."""
    band = Band(
        metric=_text(raw, "metric", where),
        target=_pair(raw, "target", where),
        warn=_number(raw, "warn", where),
        fail=_number(raw, "fail", where),
        floor=_number(raw, "floor", where, 0.0),
        floor_frames=_number(raw, "floor_frames", where, 0.0),
        message=_text(raw, "message", where, ""),
    )
    if not 0 < band.warn < band.fail:
        raise RubricError(f"{where}: need 0 < warn < fail, got warn={band.warn}, fail={band.fail}")
    if band.floor < 0 or band.floor_frames < 0:
        raise RubricError(f"{where}: 'floor' and 'floor_frames' must be >= 0")
    _check_message(band.message, where)
    return band


def parse_checkpoint(raw: Mapping[str, Any], drills: Mapping[str, Drill]) -> Checkpoint:
    """Build a :class:`Checkpoint` from a TOML table, checking every field."""
    cid = _text(raw, "id", "checkpoint")
    where = f"checkpoint '{cid}'"
    element = _text(raw, "element", where)
    if element not in ELEMENTS:
        raise RubricError(f"{where}: element must be one of {ELEMENTS}, got {element!r}")
    weight = _number(raw, "weight", where, 1.0)
    if not 0 <= weight <= 1:
        raise RubricError(f"{where}: weight must be in [0, 1], got {weight}")
    names = _strings(raw, "drills", where)
    unknown = [d for d in names if d not in drills]
    if unknown:
        raise RubricError(f"{where}: unknown drills {unknown}; the rubric has {sorted(drills)}")
    fallback = raw.get("fallback")
    relative = raw.get("baseline_relative_pct")
    views = _strings(raw, "views", where) if "views" in raw else ("side",)
    scored = raw.get("scored", True)
    if not isinstance(scored, bool):
        raise RubricError(f"{where}: scored must be true or false, got {scored!r}")
    bad_views = [v for v in views if v not in VIEWS]
    if bad_views:
        raise RubricError(f"{where}: unknown views {bad_views}; use {VIEWS}")
    return Checkpoint(
        id=cid,
        name=_text(raw, "name", where),
        element=element,
        band=parse_band(raw, where),
        weight=weight,
        applies=_strings(raw, "applies", where),
        cue=_text(raw, "cue", where, ""),
        drills=names,
        fallback=None if fallback is None else parse_band(fallback, f"{where} fallback"),
        baseline_relative_pct=None
        if relative is None
        else _pair(raw, "baseline_relative_pct", where),
        views=views,
        scored=scored,
    )


def _parse_drills(raw: Mapping[str, Any]) -> dict[str, Drill]:
    out = {}
    for did, table in raw.items():
        where = f"drill '{did}'"
        if not isinstance(table, dict):
            raise RubricError(f"{where}: must be a table")
        out[did] = Drill(
            id=did,
            name=_text(table, "name", where),
            trains=_strings(table, "trains", where),
            how=_text(table, "how", where, ""),
        )
    return out


def _merge_tables(base: list[dict[str, Any]], extra: list[Any]) -> list[dict[str, Any]]:
    """Merge checkpoint tables by id: update fields, add new, drop ``enabled = false``."""
    merged = {str(t.get("id")): dict(t) for t in base}
    order = list(merged)
    for table in extra:
        if not isinstance(table, dict) or not isinstance(table.get("id"), str):
            raise RubricError(f"every [[checkpoints]] entry needs a text 'id', got {table!r}")
        cid = table["id"]
        if cid not in merged:
            order.append(cid)
            merged[cid] = {}
        fallback = table.get("fallback")
        merged[cid].update(table)
        if isinstance(fallback, dict) and isinstance(merged[cid].get("fallback"), dict):
            merged[cid]["fallback"] = {**merged[cid]["fallback"], **fallback}
    return [merged[c] for c in order if merged[c].get("enabled", True) is not False]


def build_rubric(raw: Mapping[str, Any], source: str = "default") -> Rubric:
    """Validate a parsed rubric document and return the :class:`Rubric`."""
    drills = _parse_drills(raw.get("drills", {}))
    tables = raw.get("checkpoints", [])
    if not isinstance(tables, list) or not tables:
        raise RubricError("the rubric has no [[checkpoints]]")
    checkpoints = tuple(parse_checkpoint(t, drills) for t in tables)
    ids = [c.id for c in checkpoints]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise RubricError(f"checkpoint ids appear twice: {duplicated}")
    return Rubric(_text(raw, "name", "rubric", "unnamed"), checkpoints, drills, source)


def merge_rubric_documents(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Overlay a coach's rubric document on the default one (both parsed TOML)."""
    out = dict(base)
    if "name" in override:
        out["name"] = override["name"]
    extra = override.get("checkpoints", [])
    if not isinstance(extra, list):
        raise RubricError("'checkpoints' must be an array of tables ([[checkpoints]])")
    out["checkpoints"] = _merge_tables(list(base.get("checkpoints", [])), extra)
    drills = {k: dict(v) for k, v in base.get("drills", {}).items()}
    for did, table in override.get("drills", {}).items():
        if not isinstance(table, dict):
            raise RubricError(f"drill '{did}': must be a table")
        drills[did] = {**drills.get(did, {}), **table}
    out["drills"] = drills
    return out


def read_default_rubric_document() -> dict[str, Any]:
    """Return the packaged ``rubric.toml`` parsed."""
    text = resources.files("runform.checkpoints").joinpath("rubric.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Load the default rubric, overridden by a coach's TOML file if given.

    Parameters
    ----------
    path
        A TOML file with the checkpoints (by ``id``) and drills to change.

    Raises
    ------
    RubricError
        If the file is missing, not TOML, or leaves the rubric invalid; the
        message names the file, the checkpoint and the field.
    """
    base = read_default_rubric_document()
    if path is None:
        return build_rubric(base)
    file = Path(path)
    try:
        override = tomllib.loads(file.read_text("utf-8"))
    except FileNotFoundError:
        raise RubricError(f"rubric file not found: {file}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RubricError(f"cannot read rubric file {file}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise RubricError(f"rubric file {file} is not valid TOML: {error}") from None
    try:
        return build_rubric(merge_rubric_documents(base, override), source=str(file))
    except RubricError as error:
        raise RubricError(f"rubric file {file}: {error}") from None


def with_band(checkpoint: Checkpoint, band: Band) -> Checkpoint:
    """Return the checkpoint scored with another band (e.g. a baseline target)."""
    return replace(checkpoint, band=band)
