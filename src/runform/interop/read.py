"""Read poses another tool made: one dispatch on the file's suffix, then its content.

:func:`read_poses_source` is what ``runform analyze``, ``gait`` and
``pose`` call for every input that is not a video:

==========  ===================================================================
suffix      read as
==========  ===================================================================
``.nc``     runform's own poses file as it is; any other netCDF of movement's
            poses schema (DeepLabCut, SLEAP, LightningPose, ... loaded and
            saved by movement) through :func:`~runform.interop.tracks.tracks_to_poses`
``.trc``    Sports2D, Pose2Sim, OpenSim or runform markers: 2D (pixels or
            metres) or 3D (projected on a side view)
``.csv``    DeepLabCut's pose table
``.h5``     DeepLabCut's pose table (needs pandas and PyTables)
==========  ===================================================================

A DeepLabCut table has no frame rate: it is taken from the video beside it
(DeepLabCut names its output after the video, ``<video>DLC_<scorer>.csv``).
Every problem with a file is a :class:`~runform.errors.PoseFormatError`
naming it (or an :class:`~runform.errors.InputFileError` when it is missing).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from runform.errors import InputFileError, PoseFormatError
from runform.interop.dlc import DlcTable, parse_dlc_csv, read_dlc_h5
from runform.interop.tracks import NamedTracks, tracks_to_poses
from runform.interop.trc import parse_trc
from runform.io.poses import append_log, load_poses
from runform.skeleton import KEYPOINT_NAMES

__all__ = ["POSES_SUFFIXES", "VIDEO_SUFFIXES", "is_poses_source", "read_poses_source"]

#: Suffixes of files read as poses rather than as videos.
POSES_SUFFIXES = frozenset({".nc", ".trc", ".csv", ".h5"})
#: Suffixes of a video a DeepLabCut table may lie beside.
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm")
#: Largest text file read as a poses table, bytes.
MAX_TEXT_BYTES = 512 * 1024 * 1024


def is_poses_source(path: Path | str) -> bool:
    """Whether ``path`` is read as poses (by its suffix) rather than as a video."""
    return Path(path).suffix.lower() in POSES_SUFFIXES


def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise PoseFormatError(f"{path.name} is larger than {MAX_TEXT_BYTES >> 20} MiB")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise PoseFormatError(
            f"{path.name} is not a text file (byte {error.start} is not UTF-8)",
            hint="give a .trc or DeepLabCut .csv as its tool wrote it",
        ) from None


def _trc_tracks(path: Path) -> NamedTracks:
    table = parse_trc(_read_text(path), path.name)
    xyz = table.coords  # (time, marker, 3)
    with np.errstate(all="ignore"):
        depth = np.nanmax(xyz[..., 2]) - np.nanmin(xyz[..., 2]) if np.isfinite(xyz[..., 2]).any() \
            else 0.0  # fmt: skip
        size = float(np.nanmax(np.abs(xyz[..., :2]))) if np.isfinite(xyz[..., :2]).any() else 0.0
    three_d = bool(depth > 1e-6 * max(size, 1e-12))
    position = np.moveaxis(xyz if three_d else xyz[..., :2], 2, 1)[..., None]
    # Sports2D names its pixel files *_px.trc and writes "m" in their header
    units = "px" if path.stem.lower().endswith("_px") else table.units
    frames = table.frames - min(int(table.frames[0]), 1) if table.frames.size else table.frames
    return NamedTracks(
        source=path.name,
        software=".trc (Sports2D, Pose2Sim, OpenSim)",
        names=table.markers,
        position=position,
        time_s=table.times_s,
        frame=frames,
        units=units,
        fps=table.rate_hz,
    )


def _video_beside(path: Path) -> Path | None:
    """Find the video a DeepLabCut table was made from, when it lies beside it."""
    stems = dict.fromkeys([path.stem.split("DLC", 1)[0], path.stem])
    for stem in stems:
        for candidate in sorted(path.parent.glob(f"{stem}.*")):
            if candidate.suffix.lower() in VIDEO_SUFFIXES and candidate.is_file():
                return candidate
    return None


def _dlc_tracks(path: Path, table: DlcTable) -> NamedTracks:
    from runform.io.video import probe_video

    video = _video_beside(path)
    if video is None:
        raise PoseFormatError(
            f"{path.name}: a DeepLabCut table holds no frame rate, and no video it was made "
            "from lies beside it",
            hint="put the video beside the file (DeepLabCut names its output "
            "<video>DLC_<scorer>.csv), or load it with movement "
            "(load_poses.from_dlc_file(file, fps=...)) and give runform its netCDF",
        )
    props = probe_video(video)
    fps = float(props.fps)
    if table.frames.size > 1 and not np.all(np.diff(table.frames) > 0):
        raise PoseFormatError(f"{path.name}: the frame numbers must increase from row to row")
    return NamedTracks(
        source=path.name,
        software="DeepLabCut",
        names=table.bodyparts,
        position=table.position,
        time_s=table.frames / fps,
        frame=table.frames,
        confidence=table.likelihood,
        individuals=table.individuals,
        frame_size=(int(props.width), int(props.height)),
        fps=fps,
        notes=(f"frame rate and size from {video.name}",),
    )


def _open_netcdf(path: Path) -> xr.Dataset:
    errors = []
    for engine in ("h5netcdf", "scipy"):
        try:
            with xr.open_dataset(path, engine=engine) as ds:
                return ds.load()
        except (OSError, ValueError, TypeError) as error:
            errors.append(f"{engine}: {error}")
    raise PoseFormatError(
        f"{path.name} is not a readable netCDF file ({'; '.join(errors)})",
        hint="give runform's poses.nc or a poses dataset saved by movement",
    )


def _is_runform(ds: xr.Dataset) -> bool:
    names = tuple(str(k) for k in ds.coords["keypoint"].values) if "keypoint" in ds.coords else ()
    return names == KEYPOINT_NAMES and "frame_width" in ds.attrs


def _movement_times(ds: xr.Dataset, name: str) -> tuple[np.ndarray, np.ndarray, float | None]:
    fps_attr = ds.attrs.get("fps")
    fps = float(fps_attr) if fps_attr is not None and np.isfinite(float(fps_attr)) else None
    fps = fps if fps and fps > 0 else None
    values = np.asarray(ds["time"].values, dtype=np.float64)
    if str(ds.attrs.get("time_unit", "seconds")) == "frames":
        if fps is None:
            raise PoseFormatError(
                f"{name}: its times are frame numbers and it states no fps",
                hint="load it with movement giving fps=..., save it again, and give runform that",
            )
        return values / fps, np.round(values).astype(np.int64), fps
    frames = np.round(values * fps) if fps else np.arange(values.size)
    return values, np.asarray(frames, dtype=np.int64), fps


def _movement_tracks(path: Path, ds: xr.Dataset) -> NamedTracks:
    legacy = {"keypoints": "keypoint", "individuals": "individual"}  # movement < 0.17
    ds = ds.rename({old: new for old, new in legacy.items() if old in ds.dims})
    if ds.attrs.get("ds_type", "poses") != "poses" or "position" not in ds:
        raise PoseFormatError(
            f"{path.name} is not a poses dataset (ds_type {ds.attrs.get('ds_type')!r})",
            hint="give a movement poses dataset (bounding boxes cannot be analysed)",
        )
    missing = {"time", "space", "keypoint", "individual"} - set(ds["position"].dims)
    if missing:
        raise PoseFormatError(f"{path.name}: its position has no {', '.join(sorted(missing))} dim")
    time_s, frames, fps = _movement_times(ds, path.name)
    space = [str(s) for s in ds["space"].values]
    if space not in (["x", "y"], ["x", "y", "z"]):
        raise PoseFormatError(f"{path.name}: expected space x, y (or x, y, z), got {space}")
    position = np.asarray(ds["position"].transpose("time", "space", "keypoint", "individual"),
                          dtype=np.float64)  # fmt: skip
    confidence = None
    if "confidence" in ds:
        conf = ds["confidence"]
        if "keypoint" not in conf.dims:
            conf = conf.expand_dims(keypoint=ds["keypoint"].values)
        values = np.asarray(conf.transpose("time", "keypoint", "individual"), dtype=np.float64)
        confidence = values if np.isfinite(values).any() else None
    return NamedTracks(
        source=path.name,
        software=f"movement ({ds.attrs.get('source_software') or 'unknown source'})",
        names=tuple(str(k) for k in ds["keypoint"].values),
        position=position,
        time_s=time_s,
        frame=frames,
        confidence=confidence,
        individuals=tuple(str(i) for i in ds["individual"].values),
        fps=fps,
    )


def read_poses_source(path: Path | str) -> xr.Dataset:
    """Read a poses file of runform or another tool into runform's poses dataset.

    Parameters
    ----------
    path
        A file with a suffix in :data:`POSES_SUFFIXES`.

    Returns
    -------
    xarray.Dataset
        A poses dataset (:mod:`runform.io.poses`); a runform ``poses.nc``
        exactly as :func:`runform.io.poses.load_poses` reads it.

    Raises
    ------
    InputFileError
        If the file is missing.
    PoseFormatError
        If it is malformed or lacks the points runform needs (naming what
        and where).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in POSES_SUFFIXES:
        raise PoseFormatError(f"{path.name}: runform reads poses from {sorted(POSES_SUFFIXES)}")
    if not path.is_file():
        raise InputFileError(f"poses file {path} does not exist")
    if suffix == ".nc":
        ds = _open_netcdf(path)
        if _is_runform(ds):
            return load_poses(path)
        tracks = _movement_tracks(path, ds)
    elif suffix == ".trc":
        tracks = _trc_tracks(path)
    elif suffix == ".csv":
        tracks = _dlc_tracks(path, parse_dlc_csv(_read_text(path), path.name))
    else:
        tracks = _dlc_tracks(path, read_dlc_h5(path))
    poses = tracks_to_poses(tracks)
    return _with_provenance(poses, path)


def _with_provenance(poses: xr.Dataset, path: Path) -> xr.Dataset:
    attrs: dict[str, Any] = {**poses.attrs, "source_file": str(path.resolve())}
    out = poses.copy()
    out.attrs = attrs
    return append_log(out, "read_poses_source", path=str(path), keypoints=json.loads(
        attrs["source_keypoints"]))  # fmt: skip
