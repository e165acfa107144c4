"""One analysis function for every caller: a video or a poses file to the full analysis.

:func:`analyze_clip` is what ``runform analyze``, ``compare``, ``progress``,
``demo``, batch workers, the coach server and a notebook all call, so each
gets the same answer for the same clip and options: the poses (extracted,
or read from the cache or a ``poses.nc``), the person chosen, the camera's
motion (a tracking shot is told from a treadmill the same way everywhere),
the gait and the checkpoints. It writes no files; see
:func:`runform.pipeline.artifacts.write_artifacts`.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from runform.errors import InputFileError, RunformError
from runform.interop.read import is_poses_source
from runform.pipeline.options import AnalysisOptions, OptionError
from runform.pose.landmarker_cache import LandmarkerCache

if TYPE_CHECKING:  # the analysis stack (SciPy's signal module) loads on first use:
    # `runform pose` needs only load_clip_poses
    from runform.checkpoints.assess import Analysis

__all__ = [
    "ClipResult",
    "Progress",
    "analyze_clip",
    "load_clip_poses",
    "read_baseline",
    "sample_camera_motion",
]

#: Progress callback: ``(stage, done, total)``, stage ``"pose"`` or ``"video"``;
#: ``total`` is ``None`` while unknown.
Progress = Callable[[str, int, int | None], None]
#: Suffix of runform's own poses file; every suffix read as poses (a .trc, a
#: DeepLabCut table, movement's netCDF) is in :data:`runform.interop.read.POSES_SUFFIXES`.
POSES_SUFFIX = ".nc"
#: Frame pairs whose background motion is measured per clip (spread over 4 s).
CAMERA_MOTION_PAIRS = 60
#: Length of the stretch near the middle of the clip where camera motion is measured, s.
CAMERA_MOTION_WINDOW_S = 4.0


@dataclass(frozen=True, eq=False)
class ClipResult:
    """The analysis of one clip, and where it came from.

    Attributes
    ----------
    source
        The video or poses file analysed.
    options
        The options it was analysed with.
    poses
        The poses dataset (all people tracked).
    analysis
        Gait, checkpoints, focus and profile of the chosen person.
    from_cache
        Whether the poses were read (cache or poses file) rather than extracted.
    warnings
        Plain-language warnings about the input (a truncated file, damaged
        frames), each naming ``source``.
    recorded
        The recording time stored in the video, if any (ISO 8601 text).
    """

    source: Path
    options: AnalysisOptions
    poses: xr.Dataset
    analysis: Analysis
    from_cache: bool
    warnings: tuple[str, ...] = ()
    recorded: str | None = None
    session: Mapping[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        session = {"video": self.video_name, "recorded": self.recorded}
        object.__setattr__(self, "session", MappingProxyType(session))

    @property
    def is_video(self) -> bool:
        """Whether the source is a video (not a poses file of runform or another tool)."""
        return not is_poses_source(self.source)

    @property
    def video_name(self) -> str:
        """File name of the video the poses came from."""
        if self.is_video:
            return self.source.name
        return Path(str(self.poses.attrs.get("source_video", self.source))).name

    @property
    def truncated(self) -> bool:
        """Whether the video ends well before its stated length (a cut-short upload)."""
        from runform.pose.read_problems import is_truncated

        return is_truncated(self.poses)

    def to_dict(self) -> dict[str, Any]:
        """Return ``analysis.json``: the analysis plus where it came from."""
        data = self.analysis.to_dict()
        data["session"] = dict(self.session)
        data["input_warnings"] = list(self.warnings)
        return data


def read_baseline(path: Path) -> dict[str, float]:
    """Metric values of an earlier ``analysis.json`` or ``gait.json`` (its ``summary``).

    Raises
    ------
    InputFileError
        If the file is missing, not JSON, or has no ``summary``.
    """
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"baseline file not found: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputFileError(f"cannot read the baseline {path}: {error}") from None
    summary = data.get("summary") if isinstance(data, dict) else None
    if not isinstance(summary, dict):
        raise InputFileError(
            f"the baseline {path} has no 'summary'",
            hint="pass an analysis.json or gait.json written by runform",
        )
    return {
        k: float(v)
        for k, v in summary.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    }


def sample_camera_motion(video: Path, poses: xr.Dataset, slowmo: float) -> xr.DataArray | None:
    """Background motion over :data:`CAMERA_MOTION_WINDOW_S` near the middle of the clip.

    Measured at low resolution on :data:`CAMERA_MOTION_PAIRS` frame pairs,
    with everybody tracked masked out (px/s, dims ``time, space``); ``None``
    for clips of under 3 frames.

    Decoding a stretch starts at the keyframe at or before it
    (:func:`~runform.io.video.find_keyframe_time`), and uploads often have
    a keyframe only every 4-8 s (ffmpeg's default is 250 frames). So when
    that keyframe lies at most one stretch length before the middle
    stretch, the stretch starts just after it instead, and decoding wastes
    no frame (on a 20 s 60 fps clip it decoded 475 frames for 240). A
    keyframe further back would move the measurement towards the start of
    the clip, where the camera is often still settling; the middle stretch
    is measured then, as it is without a usable keyframe.
    """
    from runform.io.video import find_keyframe_time
    from runform.scene.camera_motion import measure_camera_motion

    time = poses["time"].values
    if time.size < 3:
        return None
    start = 0.5 * (time[0] + time[-1]) - CAMERA_MOTION_WINDOW_S / 2
    decode_from = None
    keyframe = find_keyframe_time(video, start, slowmo=slowmo) if start > time[0] else None
    if keyframe is not None and time[0] <= keyframe <= start <= keyframe + CAMERA_MOTION_WINDOW_S:
        start = float(time[np.searchsorted(time, keyframe, side="right")])  # the frame after
        decode_from = 0.5 * (keyframe + start)  # the seek lands on the keyframe, not the one before
    window = poses.isel(time=(time >= start) & (time <= start + CAMERA_MOTION_WINDOW_S))
    step = max(1, round(window.sizes["time"] / CAMERA_MOTION_PAIRS))
    return measure_camera_motion(
        video, window, slowmo=slowmo, pair_step=step, decode_from_s=decode_from
    )


def load_clip_poses(
    source: Path,
    options: AnalysisOptions,
    progress: Progress | None,
    landmarkers: LandmarkerCache | None = None,
) -> tuple[xr.Dataset, bool]:
    """Return ``(poses, from_cache)``: read a poses file, or extract (through the cache).

    A poses file is runform's ``poses.nc`` or another tool's poses (a
    ``.trc``, a DeepLabCut table, movement's netCDF), read by
    :func:`runform.interop.read.read_poses_source`. ``landmarkers``: see
    :func:`analyze_clip`.

    Raises
    ------
    OptionError
        If extraction options are given for a poses file.
    """
    from runform.interop.read import read_poses_source
    from runform.pipeline.poses import compute_poses
    from runform.pose.models import resolve_model

    if is_poses_source(source):
        if options.changes_extraction:
            raise OptionError(
                "the slow-motion factor and max-side apply when poses are extracted, "
                "not to a poses file",
                hint="re-run on the video, or extract again with `runform pose --slowmo`",
            )
        return read_poses_source(source), True
    model = resolve_model(options.model, variant=options.variant)
    on_frames = None if progress is None else (lambda done, total: progress("pose", done, total))
    return compute_poses(
        source,
        model,
        options.extraction_settings(),
        use_cache=options.use_cache,
        cache_dir=options.cache_dir,
        workers=options.workers,
        progress=on_frames,
        landmarkers=landmarkers,
    )


def check_person_at(size: tuple[int, int], options: AnalysisOptions) -> None:
    """Refuse a ``person_at`` point outside a ``(width, height)`` frame, px.

    Raises
    ------
    OptionError
        If the point lies outside the frame as it is displayed.
    """
    if options.person_at is None:
        return
    width, height = size
    x, y = options.person_at
    if not (x < width and y < height):
        raise OptionError(
            f"the point {x:g},{y:g} is outside the {width}x{height} frame",
            hint="give pixels from the top-left corner of the video as it is displayed",
        )


def _list_input_warnings(source: Path, poses: xr.Dataset, raised: list[str]) -> tuple[str, ...]:
    """List the warnings about the input, each once, naming ``source``."""
    from runform.pose.read_problems import describe_read_problems

    found = [*describe_read_problems(poses.attrs, source.name), *raised]
    return tuple(dict.fromkeys(found))


def analyze_clip(
    source: str | Path,
    options: AnalysisOptions | None = None,
    *,
    progress: Progress | None = None,
    landmarkers: LandmarkerCache | None = None,
) -> ClipResult:
    """Analyse one clip: poses, person, camera motion, gait, checkpoints and focus.

    Parameters
    ----------
    source
        A video file, a ``poses.nc`` written by runform, or poses another
        tool made (``.trc``, DeepLabCut ``.csv``/``.h5``, movement's
        netCDF; see :mod:`runform.interop.read`).
    options
        See :class:`AnalysisOptions` (default: all defaults).
    progress
        Called as frames are processed (see :data:`Progress`). An exception
        it raises stops the analysis and comes out of this call.
    landmarkers
        Pose landmarkers kept open by a long-lived process (the coach
        server's workers) and lent to this clip where that changes nothing
        (see :mod:`runform.pose.landmarker_cache`); ``None``, as every
        command uses: all created for this clip. The result is the same.

    Returns
    -------
    ClipResult
        Immutable; :meth:`ClipResult.to_dict` is ``analysis.json``.

    Raises
    ------
    RunformError
        For any problem with the input or the options (a missing file, not a
        video, nobody in it, an unknown person, a bad rubric or baseline).
    """
    from runform.checkpoints.assess import build_analysis
    from runform.checkpoints.rubric import RubricError, load_rubric
    from runform.gait.analyze import analyze_gait
    from runform.io.video import probe_video
    from runform.scene.runner import decide_runner

    source = Path(source)
    options = options or AnalysisOptions()
    is_video = not is_poses_source(source)
    props = probe_video(source) if is_video else None  # a clear error before any work
    if props is not None:
        check_person_at((props.width, props.height), options)
    try:
        rubric = load_rubric(options.rubric)
    except RubricError as error:
        raise RunformError(
            str(error), hint="see docs/checkpoints.md for the rubric format"
        ) from None
    baseline = read_baseline(options.baseline) if options.baseline else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        poses, from_cache = load_clip_poses(source, options, progress, landmarkers)
        check_person_at((poses.attrs["frame_width"], poses.attrs["frame_height"]), options)
        try:
            person = decide_runner(poses, options.person, options.person_at)
        except ValueError as error:
            hint = f"run `runform people {source}` to see each person's id"
            raise RunformError(str(error), hint=hint) from None
        motion = None
        if is_video and options.setting == "auto":
            motion = sample_camera_motion(source, poses, options.slowmo)
        gait = analyze_gait(poses, height_cm=options.height_cm, setting=options.setting,
                            camera_motion=motion, person=person)  # fmt: skip
        try:
            analysis = build_analysis(gait, rubric, baseline=baseline, drill=options.drill)
        except ValueError as error:
            raise RunformError(str(error), hint="see docs/checkpoints.md for the drills") from None
    raised = []
    for caught_warning in caught:  # runform's own are about the input; others pass on
        if "/runform/" in Path(caught_warning.filename).as_posix():
            raised.append(str(caught_warning.message))
        else:
            warnings.warn_explicit(caught_warning.message, caught_warning.category,
                                   caught_warning.filename, caught_warning.lineno)  # fmt: skip
    recorded = None if props is None else props.metadata.get("creation_time")
    return ClipResult(
        source=source,
        options=options,
        poses=poses,
        analysis=analysis,
        from_cache=from_cache,
        warnings=_list_input_warnings(source, poses, raised),
        recorded=recorded,
    )
