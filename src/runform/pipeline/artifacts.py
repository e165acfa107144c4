"""Write what :func:`~runform.pipeline.clip.analyze_clip` found: one function for every caller.

:func:`write_artifacts` turns a :class:`~runform.pipeline.clip.ClipResult`
into ``analysis.json``, ``poses.nc`` (when the poses were extracted from a
video), ``annotated.mp4``, ``keyframes.png``, ``plots/`` and ``report.html``
(last), through :func:`runform.pipeline.outputs.open_output`: only those
files are created or replaced, nothing else in the folder is touched, and a
folder that would replace one of the analysis's own inputs is refused.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from runform.pipeline.clip import ClipResult, Progress
from runform.pipeline.outputs import open_output

__all__ = ["OutputOptions", "list_inputs", "write_artifacts", "write_artifacts_into"]

#: Files an analysis writes only sometimes (from a video, with the annotated video).
COMPANIONS = ("poses.nc", "annotated.mp4", "annotated.text.json", "keyframes.png")


@dataclass(frozen=True)
class OutputOptions:
    """Which files :func:`write_artifacts` makes.

    Attributes
    ----------
    video
        Write ``annotated.mp4`` (the slowest part of a run).
    key_frames
        Write ``keyframes.png``.
    face_right
        Mirror a runner going left in the key frames, so that the sheets of
        two sessions line up (used by compare and progress).
    """

    video: bool = True
    key_frames: bool = True
    face_right: bool = False


def list_inputs(result: ClipResult) -> tuple[Path, ...]:
    """List the files the analysis read: none of them may be written over."""
    options = result.options
    found = [result.source, options.rubric, options.baseline]
    if options.baseline is not None:
        found.append(options.baseline.parent / "keyframes.png")
    return tuple(p for p in found if p is not None)


def write_artifacts_into(
    result: ClipResult,
    folder: Path,
    options: OutputOptions = OutputOptions(),
    progress: Progress | None = None,
) -> list[Path]:
    """Write every artifact straight into ``folder`` (a stage; see :func:`write_artifacts`)."""
    from runform.io.poses import save_poses
    from runform.io.results import save_json, save_text
    from runform.report.figures import write_key_frames, write_plots
    from runform.report.html import build_context, render_report
    from runform.report.video import write_annotated_video

    analysis, slowmo = result.analysis, result.options.slowmo
    written = [save_json(result.to_dict(), folder / "analysis.json")]
    video_name = None
    keyframes = None
    if result.is_video:
        written.append(save_poses(result.poses, folder / "poses.nc"))
        if options.video:
            on_frames: Callable[[int, int | None], None] | None = None
            if progress is not None:
                on_frames = lambda done, total: progress("video", done, total)  # noqa: E731
            written.append(write_annotated_video(result.source, analysis, folder / "annotated.mp4",
                                                 slowmo, on_frames, result.poses))  # fmt: skip
            video_name = "annotated.mp4"
        if options.key_frames:
            baseline = result.options.baseline
            baseline_sheet = baseline.parent / "keyframes.png" if baseline else None
            keyframes = write_key_frames(result.source, analysis, folder / "keyframes.png", slowmo,
                                         baseline_sheet, face_right=options.face_right)  # fmt: skip
            if keyframes is not None:
                written.append(keyframes)
    plots = write_plots(analysis, folder / "plots")
    written += list(plots.values())
    context = build_context(analysis, result.video_name, video_name, keyframes, plots)
    written.append(save_text(render_report(context), folder / "report.html"))
    return written


def write_artifacts(
    result: ClipResult,
    folder: Path,
    options: OutputOptions = OutputOptions(),
    progress: Progress | None = None,
) -> list[Path]:
    """Write the analysis's files into ``folder``; return the paths written.

    Parameters
    ----------
    result
        From :func:`~runform.pipeline.clip.analyze_clip`.
    folder
        The output folder (created if missing).
    options
        Which files to make.
    progress
        Called as the annotated video's frames are drawn.

    Warns
    -----
    UserWarning
        When an annotated video, key frames or poses of an earlier run are
        in ``folder`` and this run made none (they are left as they are).

    Raises
    ------
    runform.pipeline.outputs.OutputFolderError
        When ``folder`` cannot be written, or a file written would replace
        one of the analysis's inputs (the poses file, the baseline); then
        nothing in ``folder`` was changed.
    """
    with open_output(folder, list_inputs(result), COMPANIONS) as output:
        write_artifacts_into(result, output.stage, options, progress)
    for message in output.describe_stale():
        warnings.warn(message, UserWarning, stacklevel=2)
    return output.published
