"""``runform export``: an analysis folder or a poses file to other tools' files.

What each format holds, and what it needs:

==============  ==================================  ==============================
format          files                               needs
==============  ==================================  ==============================
``trc``         ``<name>_px.trc``; ``<name>_m.trc``  the poses; metres need the
                where the scale is known            scale (``--height-cm``)
``mot``         ``<name>_angles.mot``               the poses (angles as the gait
                                                    engine measures them)
``dlc``         ``<name>DLC_runform.csv``           the poses
``strides``     ``<name>_strides.csv``,             an analysis (``analysis.json``)
                ``<name>_events.csv``
==============  ==================================  ==============================

The poses of an analysis folder are its ``poses.nc`` (written when a video
was analysed) or the poses file named with :attr:`ExportOptions.poses`. The
person exported is the one the analysis analysed (for a poses file: the
runner runform chooses). Files are written through
:func:`runform.pipeline.outputs.open_output`: each complete or not at all,
nothing else in the folder touched.

Axes. ``_px.trc`` holds image pixels as Sports2D's own ``_px.trc`` does (x
right, y *down*, origin at the top-left corner of the frame), so that
Sports2D's ``--load_trc_px`` draws it on the video where it belongs;
``px_axes="y-up"`` flips it (``y_up = frame height - y``). ``_m.trc`` is in
metres, OpenSim's way: X forward in the image (right), Y up, Z = 0 (towards
the camera), origin at the bottom-left corner of the frame:
``X = x / px_per_m``, ``Y = (frame height - y) / px_per_m``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from runform.errors import InputFileError, RunformError
from runform.interop.dlc import DlcTable, format_dlc_csv
from runform.interop.markers import MARKERS, compute_markers
from runform.interop.mot import ANGLE_ORDER, format_mot
from runform.interop.read import read_poses_source
from runform.interop.tables import format_events_csv, format_strides_csv
from runform.interop.trc import TrcTable, format_trc
from runform.skeleton import KEYPOINT_NAMES

__all__ = ["FORMATS", "PX_AXES", "ExportError", "ExportOptions", "ExportResult", "export"]

#: The formats ``runform export`` writes.
FORMATS = ("trc", "mot", "dlc", "strides")
#: Axes of the pixel ``.trc``: as in the image (y down), or y up.
PX_AXES = ("image", "y-up")
#: Decimal places of metres in ``_m.trc`` (a micrometre).
METRE_DECIMALS = 6


class ExportError(RunformError):
    """The source cannot give a requested format (no poses, no analysis, no scale)."""


@dataclass(frozen=True)
class ExportOptions:
    """What ``runform export`` writes.

    Attributes
    ----------
    formats
        Formats to write (of :data:`FORMATS`); ``None``: every format the
        source can give, saying which it cannot.
    poses
        The poses file of an analysis folder made from a poses file (such
        a folder has no ``poses.nc``); any format runform reads.
    px_axes
        ``"image"`` (y down, Sports2D's pixel convention) or ``"y-up"``.
    height_cm
        The runner's height, cm, for the metres ``.trc`` of a poses file
        (an analysis folder has its own scale).
    name
        Stem of the files written (default: the analysed video's or poses
        file's stem).
    """

    formats: tuple[str, ...] | None = None
    poses: Path | None = None
    px_axes: str = "image"
    height_cm: float | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        unknown = [f for f in self.formats or () if f not in FORMATS]
        if unknown:
            raise ExportError(
                f"unknown format {unknown[0]!r}", hint=f"choose from {', '.join(FORMATS)}"
            )
        if self.px_axes not in PX_AXES:
            raise ExportError(f"px_axes must be one of {', '.join(PX_AXES)}, got {self.px_axes!r}")
        if self.name is not None and (not self.name or Path(self.name).name != self.name):
            raise ExportError(f"the name must be a file name without folders, got {self.name!r}")


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export` wrote, and what it could not.

    Attributes
    ----------
    written
        The files written.
    skipped
        One sentence per format (or file) not written, saying why.
    """

    written: tuple[Path, ...]
    skipped: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class _Inputs:
    analysis: Mapping[str, Any] | None
    poses: xr.Dataset | None
    read: tuple[Path, ...]
    stem: str
    no_poses_reason: str = ""


def _read_analysis(folder: Path) -> Mapping[str, Any]:
    path = folder / "analysis.json"
    if not path.is_file():
        raise InputFileError(
            f"{folder} has no analysis.json",
            hint="give an analysis folder (from `runform analyze`) or a poses file",
        )
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputFileError(f"cannot read {path}: {error}") from None
    if not isinstance(data, dict) or "capture" not in data:
        raise InputFileError(f"{path} is not an analysis written by runform")
    return data


def _gather(source: Path, options: ExportOptions) -> _Inputs:
    if source.is_dir():
        analysis = _read_analysis(source)
        poses_path = options.poses or (source / "poses.nc")
        read = [source / "analysis.json"]
        poses = None
        reason = ""
        if poses_path.is_file():
            poses = read_poses_source(poses_path)
            read.append(poses_path)
        elif options.poses is not None:
            raise InputFileError(f"poses file {options.poses} does not exist")
        else:
            reason = (f"{source} has no poses.nc (it was analysed from a poses file): "
                      "name that file with --poses")  # fmt: skip
        video = (analysis.get("session") or {}).get("video") or source.name
        return _Inputs(analysis, poses, tuple(read), _stem(Path(str(video))), reason)
    if not source.is_file():
        raise InputFileError(
            f"{source} does not exist", hint="give an analysis folder or a poses file"
        )
    return _Inputs(None, read_poses_source(source), (source,), _stem(source))


def _stem(path: Path) -> str:
    """Name the files after ``path`` without a ``_px``/``_m`` ending (``run_px.trc`` -> ``run``)."""
    stem = path.stem
    for ending in ("_px", "_m"):
        if path.suffix.lower() == ".trc" and stem.endswith(ending) and len(stem) > len(ending):
            return stem.removesuffix(ending)
    return stem


def _person(inputs: _Inputs) -> str:
    assert inputs.poses is not None
    names = [str(n) for n in inputs.poses["individual"].values]
    wanted = ((inputs.analysis or {}).get("person") or {}).get("individual")
    if wanted is not None:
        if wanted not in names:
            raise ExportError(
                f"the analysis analysed {wanted!r}, who is not in the poses ({', '.join(names)})",
                hint="give the poses file this analysis was made from with --poses",
            )
        return str(wanted)
    if len(names) == 1:
        return names[0]
    from runform.scene.runner import decide_runner

    return decide_runner(inputs.poses).individual


def _points(poses: xr.Dataset, person: str) -> np.ndarray:
    """Pixel positions of one person, shape ``(time, 33, 2)``, float32 as stored."""
    position = poses["position"].sel(individual=person).sel(keypoint=list(KEYPOINT_NAMES))
    return np.asarray(position.transpose("time", "keypoint", "space").values)


def _trc_table(poses: xr.Dataset, coords: np.ndarray, units: str) -> TrcTable:
    time = np.asarray(poses["time"].values, dtype=np.float64)
    fps = float(poses.attrs.get("fps") or 0.0)
    if not fps > 0:
        fps = 1.0 / float(np.median(np.diff(time))) if time.size > 1 else 1.0
    frames = np.asarray(poses["frame"].values, dtype=np.int64) + 1  # OpenSim counts from 1
    return TrcTable(rate_hz=fps, units=units, markers=MARKERS, frames=frames, times_s=time,
                    coords=coords, start_frame=int(frames[0]) if frames.size else 1)  # fmt: skip


def _with_z(xy: np.ndarray) -> np.ndarray:
    """Add Z = 0 (the image plane), missing where the point is."""
    z = np.where(np.isfinite(xy[..., :1]), 0.0, np.nan).astype(xy.dtype)
    return np.concatenate([xy, z], axis=-1)


def _frame_height(inputs: _Inputs) -> float:
    height = inputs.poses.attrs.get("frame_height") if inputs.poses is not None else None
    if not height and inputs.analysis:
        height = (inputs.analysis["capture"].get("frame_size_px") or [0, 0])[1]
    if not height:
        raise ExportError("the poses state no frame height: cannot make y point up")
    return float(height)


def _px_per_m(inputs: _Inputs, options: ExportOptions, person: str) -> float | None:
    if inputs.analysis is not None:
        value = (inputs.analysis["capture"].get("scale") or {}).get("px_per_m")
        return float(value) if value else None
    if options.height_cm is None:
        return None
    from runform.gait.analyze import analyze_gait

    assert inputs.poses is not None
    gait = analyze_gait(inputs.poses, height_cm=options.height_cm, individual=person)
    return gait.capture.scale.px_per_m


def _write_trc(inputs: _Inputs, options: ExportOptions, person: str, stage: Path,
               skipped: list[str]) -> None:  # fmt: skip
    from runform.io.results import save_text

    assert inputs.poses is not None
    points = compute_markers(_points(inputs.poses, person)).astype(np.float32)
    if options.px_axes == "y-up":
        points[..., 1] = np.float32(_frame_height(inputs)) - points[..., 1]
    name = f"{options.name or inputs.stem}_px.trc"
    table = _trc_table(inputs.poses, _with_z(points), "px")
    save_text(format_trc(table, name), stage / name)
    scale = _px_per_m(inputs, options, person)
    if scale is None:
        skipped.append("no _m.trc: the scale is unknown (analyse with --height-cm, or give "
                       "--height-cm here for a poses file)")  # fmt: skip
        return
    metres = compute_markers(_points(inputs.poses, person))
    metres[..., 1] = _frame_height(inputs) - metres[..., 1]
    name = f"{options.name or inputs.stem}_m.trc"
    table = _trc_table(inputs.poses, _with_z(metres / scale), "m")
    save_text(format_trc(table, name, decimals=METRE_DECIMALS), stage / name)


def _write_mot(inputs: _Inputs, options: ExportOptions, person: str, stage: Path) -> None:
    from runform.gait.analyze import analyze_gait
    from runform.io.results import save_text

    assert inputs.poses is not None
    angles = analyze_gait(inputs.poses, individual=person).angles
    if angles is None:
        raise ExportError(f"no angles could be measured for {person!r} in these poses")
    columns = {name: angles[name].values for name in ANGLE_ORDER if name in angles}
    name = f"{options.name or inputs.stem}_angles.mot"
    text = format_mot(f"runform angles of {inputs.stem}", angles["time"].values, columns)
    save_text(text, stage / name)


def _write_dlc(inputs: _Inputs, options: ExportOptions, person: str, stage: Path) -> None:
    from runform.io.results import save_text

    assert inputs.poses is not None
    one = inputs.poses.sel(individual=[person], keypoint=list(KEYPOINT_NAMES))
    table = DlcTable(
        scorer="runform",
        individuals=(person,),
        bodyparts=KEYPOINT_NAMES,
        frames=np.asarray(one["frame"].values, dtype=np.int64),
        position=np.asarray(one["position"].transpose("time", "space", "keypoint", "individual")),
        likelihood=np.asarray(one["confidence"].transpose("time", "keypoint", "individual")),
    )
    save_text(format_dlc_csv(table), stage / f"{options.name or inputs.stem}DLC_runform.csv")


def _write_strides(inputs: _Inputs, options: ExportOptions, stage: Path) -> None:
    from runform.io.results import save_text

    assert inputs.analysis is not None
    stem = options.name or inputs.stem
    save_text(format_strides_csv(inputs.analysis), stage / f"{stem}_strides.csv")
    save_text(format_events_csv(inputs.analysis), stage / f"{stem}_events.csv")


def _plan(inputs: _Inputs, options: ExportOptions) -> tuple[list[str], list[str]]:
    """Return the formats to write, and a sentence for each the source cannot give."""
    wanted = list(options.formats or FORMATS)
    cannot: dict[str, str] = {}
    if inputs.poses is None:
        for fmt in ("trc", "mot", "dlc"):
            cannot[fmt] = inputs.no_poses_reason
    if inputs.analysis is None:
        cannot["strides"] = ("strides need an analysis: run `runform analyze` on the poses and "
                             "export its folder")  # fmt: skip
    refused = [f for f in wanted if f in cannot]
    if options.formats is not None and refused:
        raise ExportError(f"cannot export {refused[0]}: {cannot[refused[0]]}")
    return [f for f in wanted if f not in cannot], [f"no {f}: {cannot[f]}" for f in refused]


def export(
    source: Path | str, out: Path | str, options: ExportOptions | None = None
) -> ExportResult:
    """Write an analysis folder's or a poses file's data in other tools' formats.

    Parameters
    ----------
    source
        An analysis folder (``analysis.json``, and ``poses.nc`` or
        :attr:`ExportOptions.poses`) or a poses file runform reads (see
        :func:`runform.interop.read.read_poses_source`).
    out
        The output folder (may be the analysis folder itself).
    options
        See :class:`ExportOptions`.

    Returns
    -------
    ExportResult
        The files written and the formats skipped, with why.

    Raises
    ------
    RunformError
        A missing or malformed source, a requested format the source cannot
        give (:class:`ExportError`), an output folder that cannot be used.
    """
    from runform.pipeline.outputs import open_output

    source, out = Path(source), Path(out)
    options = options or ExportOptions()
    inputs = _gather(source, options)
    formats, skipped = _plan(inputs, options)
    person = _person(inputs) if inputs.poses is not None else ""
    with open_output(out, inputs.read) as output:
        if "trc" in formats:
            _write_trc(inputs, options, person, output.stage, skipped)
        if "mot" in formats:
            _write_mot(inputs, options, person, output.stage)
        if "dlc" in formats:
            _write_dlc(inputs, options, person, output.stage)
        if "strides" in formats:
            _write_strides(inputs, options, output.stage)
    return ExportResult(written=tuple(output.published), skipped=tuple(skipped))
