"""The central poses dataset: build, validate, save, load and export.

Every stage after pose extraction reads one ``xarray.Dataset`` that follows
the poses schema of the ``movement`` package (neuroinformatics-unit/movement):

========================  ==========================================  =======
variable                  dims                                        units
========================  ==========================================  =======
``position``              (time, space, keypoint, individual)         pixels
``confidence``            (time, keypoint, individual)                0-1
``presence``              (time, keypoint, individual)                0-1
``world_position``        (time, world_space, keypoint, individual)   metres
========================  ==========================================  =======

Coordinates: ``time`` in seconds from the frames' presentation timestamps
(divided by the slow-motion factor, so it is real-world time), ``frame`` (the
decoded frame index, along ``time``), ``space`` = (x, y) with x to the right
and y *down* (image convention, origin at the top-left pixel corner of the
displayed, rotation-corrected frame), ``world_space`` = (x, y, z) as MediaPipe
gives it (metres, origin between the hips, y down), ``keypoint`` = the 33
BlazePose names and ``individual``.

``confidence`` is MediaPipe's *visibility* (likelihood the point is visible,
not occluded); ``presence`` is the likelihood it is inside the frame. Positions
are NaN in frames where nobody was detected.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import xarray as xr

from runform.errors import InputFileError
from runform.skeleton import KEYPOINT_NAMES

DS_TYPE = "poses"
SCHEMA_VERSION = 1
SPACE = ("x", "y")
WORLD_SPACE = ("x", "y", "z")
DEFAULT_INDIVIDUAL = "runner"
_NETCDF_ENGINE: Final = "h5netcdf"


def create_poses_dataset(
    position: np.ndarray,
    confidence: np.ndarray,
    time_s: np.ndarray,
    *,
    presence: np.ndarray | None = None,
    world_position: np.ndarray | None = None,
    frame: np.ndarray | None = None,
    individuals: Sequence[str] = (DEFAULT_INDIVIDUAL,),
    keypoints: Sequence[str] = KEYPOINT_NAMES,
    attrs: Mapping[str, Any] | None = None,
) -> xr.Dataset:
    """Build a validated poses dataset from arrays.

    Parameters
    ----------
    position
        Pixel positions, shape ``(n_time, 2, n_keypoints, n_individuals)``;
        x right, y down; NaN where not detected.
    confidence
        Visibility in 0-1, shape ``(n_time, n_keypoints, n_individuals)``.
    time_s
        Strictly increasing times in seconds, shape ``(n_time,)``.
    presence
        In-frame likelihood in 0-1, same shape as ``confidence``.
    world_position
        Metric positions, shape ``(n_time, 3, n_keypoints, n_individuals)``.
    frame
        Decoded frame index of each time, default ``0..n_time-1``.
    individuals, keypoints
        Labels of those dims.
    attrs
        Provenance attributes; ``ds_type``, ``time_unit``, ``space_unit``,
        ``schema_version`` and an empty ``log`` are added when missing.

    Returns
    -------
    xarray.Dataset
        The poses dataset.

    Raises
    ------
    ValueError
        If a shape does not match, naming the expected and received shapes,
        or if ``time_s`` is not strictly increasing.
    """
    n_time, n_kp, n_ind = len(time_s), len(keypoints), len(individuals)
    _check_shape("position", position, (n_time, 2, n_kp, n_ind))
    _check_shape("confidence", confidence, (n_time, n_kp, n_ind))
    time_s = np.asarray(time_s, dtype=np.float64)
    if n_time > 1 and not np.all(np.diff(time_s) > 0):
        raise ValueError("Expected 'time_s' to be strictly increasing.")
    frame = np.arange(n_time) if frame is None else np.asarray(frame)
    coords = {
        "time": ("time", time_s, {"units": "s"}),
        "frame": ("time", frame.astype(np.int64)),
        "space": list(SPACE),
        "keypoint": list(keypoints),
        "individual": list(individuals),
    }
    data_vars: dict[str, Any] = {
        "position": (("time", "space", "keypoint", "individual"),
                     position.astype(np.float32), {"units": "px"}),
        "confidence": (("time", "keypoint", "individual"), confidence.astype(np.float32)),
    }  # fmt: skip
    if presence is not None:
        _check_shape("presence", presence, (n_time, n_kp, n_ind))
        data_vars["presence"] = (
            ("time", "keypoint", "individual"),
            presence.astype(np.float32),
        )
    if world_position is not None:
        _check_shape("world_position", world_position, (n_time, 3, n_kp, n_ind))
        coords["world_space"] = list(WORLD_SPACE)
        data_vars["world_position"] = (
            ("time", "world_space", "keypoint", "individual"),
            world_position.astype(np.float32),
            {"units": "m"},
        )
    base = {"ds_type": DS_TYPE, "schema_version": SCHEMA_VERSION,
            "time_unit": "seconds", "space_unit": "pixels", "log": "[]"}  # fmt: skip
    return xr.Dataset(data_vars, coords=coords, attrs={**base, **(attrs or {})})


def _check_shape(name: str, array: np.ndarray, expected: tuple[int, ...]) -> None:
    if array.shape != expected:
        raise ValueError(f"Expected '{name}' to have shape {expected}, but got {array.shape}.")


def validate_poses(ds: xr.Dataset) -> xr.Dataset:
    """Check that ``ds`` is a poses dataset; return it unchanged.

    Raises
    ------
    ValueError
        Naming the missing dims, variables or the wrong ``ds_type``.
    """
    if ds.attrs.get("ds_type") != DS_TYPE:
        raise ValueError(
            f"Expected a dataset with ds_type='{DS_TYPE}', got {ds.attrs.get('ds_type')!r}."
        )
    missing_dims = {"time", "space", "keypoint", "individual"} - set(ds.dims)
    if missing_dims:
        raise ValueError(f"Poses dataset must contain {sorted(missing_dims)} as dimensions.")
    missing_vars = {"position", "confidence"} - set(ds.data_vars)
    if missing_vars:
        raise ValueError(f"Poses dataset must contain variables {sorted(missing_vars)}.")
    return ds


def append_log(ds: xr.Dataset, operation: str, **params: Any) -> xr.Dataset:
    """Return a copy of ``ds`` whose provenance log records one more step.

    Parameters
    ----------
    ds
        A poses dataset.
    operation
        Name of the step (usually the function name).
    **params
        JSON-serialisable parameters of the step.

    Returns
    -------
    xarray.Dataset
        A shallow copy with ``attrs["log"]`` (a JSON list) extended.
    """
    entries = json.loads(ds.attrs.get("log", "[]"))
    entries.append({"operation": operation, "datetime": datetime.now(UTC).isoformat(), **params})
    out = ds.copy()
    out.attrs = {**ds.attrs, "log": json.dumps(entries, default=str)}
    return out


def read_log(ds: xr.Dataset) -> list[dict[str, Any]]:
    """Return the provenance log of a poses dataset as a list of dicts."""
    entries: list[dict[str, Any]] = json.loads(ds.attrs.get("log", "[]"))
    return entries


def save_poses(ds: xr.Dataset, path: Path | str) -> Path:
    """Write a poses dataset to netCDF (HDF5), atomically.

    The file is written under a temporary name in the same folder and renamed
    when complete, so an interrupted save never leaves a file that looks done.

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    validate_poses(ds)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        encoding = {v: {"zlib": True, "complevel": 4} for v in ds.data_vars}
        ds.to_netcdf(tmp, engine=_NETCDF_ENGINE, encoding=encoding)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_poses(path: Path | str) -> xr.Dataset:
    """Load a poses dataset written by :func:`save_poses`.

    Raises
    ------
    InputFileError
        If the file is missing or is not a runform poses file.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"poses file {path} does not exist")
    try:
        with xr.open_dataset(path, engine=_NETCDF_ENGINE) as ds:
            loaded = ds.load()
    except (OSError, ValueError) as err:
        raise InputFileError(
            f"{path} is not a readable netCDF poses file ({err})",
            hint="create one with `runform pose VIDEO -o OUT`",
        ) from err
    try:
        return validate_poses(loaded)
    except ValueError as err:
        raise InputFileError(f"{path} is not a runform poses file: {err}") from err


def export_poses_csv(ds: xr.Dataset, path: Path | str) -> Path:
    """Write positions and confidences as a wide CSV, one row per frame.

    Columns: ``frame, time_s``, then for each individual and keypoint
    ``<individual>.<keypoint>.x_px``, ``.y_px`` and ``.confidence``
    (empty cells where nothing was detected). Written atomically.

    Returns
    -------
    Path
        The written file.
    """
    validate_poses(ds)
    path = Path(path)
    position = ds["position"].transpose("time", "individual", "keypoint", "space").values
    confidence = ds["confidence"].transpose("time", "individual", "keypoint").values
    n_time = position.shape[0]
    stacked = np.concatenate([position, confidence[..., None]], axis=-1).reshape(n_time, -1)
    header = ["frame", "time_s"] + [
        f"{ind}.{kp}.{col}"
        for ind in ds["individual"].values
        for kp in ds["keypoint"].values
        for col in ("x_px", "y_px", "confidence")
    ]
    table = np.column_stack([ds["frame"].values, ds["time"].values, stacked])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(",".join(header) + "\n")
            for row in table:
                cells = [str(int(row[0])), f"{row[1]:.6f}"]
                cells += ["" if np.isnan(v) else f"{v:.3f}" for v in row[2:]]
                handle.write(",".join(cells) + "\n")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
