"""What became of one batch job: a typed outcome, never parsed from text.

A job ends as one of :data:`KINDS`; with it come the reason (one line for
``summary.csv`` and ``errors.log``), whether running it again could help,
and the warnings about the upload. :func:`analyse_job` runs the library
pipeline on one job and classifies what happened by the exception's type.
"""

from __future__ import annotations

import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from runform.errors import InputFileError, NoPersonDetectedError, RunformError

if TYPE_CHECKING:  # the pipeline is imported when a job runs, not with this module
    from runform.pipeline import AnalysisOptions, OutputOptions
    from runform.pipeline.clip import Progress
    from runform.pose.landmarker_cache import LandmarkerCache

__all__ = ["KINDS", "JobOutcome", "OutcomeKind", "analyse_job", "analyse_video", "classify_error"]

OutcomeKind = Literal[
    "ok", "no_person", "bad_upload", "truncated", "internal_error", "timeout", "crashed"
]
#: Every kind of outcome. ``ok`` and ``truncated`` have reports (``truncated``
#: is a failure: the upload is cut short and should be sent again).
KINDS: tuple[OutcomeKind, ...] = (
    "ok", "no_person", "bad_upload", "truncated", "internal_error", "timeout", "crashed"
)  # fmt: skip
#: Kinds caused by the upload itself: the same bytes fail the same way.
UPLOAD_KINDS = frozenset({"no_person", "bad_upload", "truncated"})


@dataclass(frozen=True)
class JobOutcome:
    """How one job ended.

    Attributes
    ----------
    kind
        One of :data:`KINDS`.
    reason
        One line saying why it failed (empty when ``ok``).
    retry
        Whether a later batch should run it again (never for a fault of the
        upload; a crash, a time-out or an internal error may pass next time).
    warnings
        Warnings about the upload (damaged frames, say), each naming it.
    log
        What the analysis wrote to stderr, or the traceback of an internal
        error (kept in ``stderr.log`` when it failed).
    """

    kind: OutcomeKind
    reason: str = ""
    retry: bool = False
    warnings: tuple[str, ...] = ()
    log: str = ""

    @property
    def status(self) -> str:
        """``ok`` or ``failed``."""
        return "ok" if self.kind == "ok" else "failed"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        data = asdict(self)
        data["warnings"] = list(self.warnings)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobOutcome:
        """Rebuild an outcome from :meth:`to_dict`."""
        kind = data.get("kind")
        if kind not in KINDS:
            return cls("internal_error", f"unreadable outcome: {data!r}"[:300], retry=True)
        return cls(kind, str(data.get("reason", "")), bool(data.get("retry", False)),
                   tuple(str(w) for w in data.get("warnings", ())),
                   str(data.get("log", "")))  # fmt: skip


def classify_error(error: BaseException) -> JobOutcome:
    """Turn an exception raised by the analysis into an outcome."""
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    if isinstance(error, NoPersonDetectedError):
        return JobOutcome("no_person", message)
    if isinstance(error, InputFileError):
        return JobOutcome("bad_upload", message)
    if isinstance(error, RunformError):  # the model, the options or the disk: not the upload
        return JobOutcome("internal_error", message, retry=True, log=str(error))
    log = "".join(traceback.format_exception(error))
    if isinstance(error, OSError):
        return JobOutcome("internal_error", f"{error.strerror or error}", retry=True, log=log)
    return JobOutcome("internal_error", f"internal error: {type(error).__name__}: {message}",
                      retry=True, log=log)  # fmt: skip


def analyse_job(job: Any, folder: Path, settings: dict[str, Any]) -> JobOutcome:
    """Analyse one job's video into ``folder`` with the library pipeline.

    Parameters
    ----------
    job
        A :class:`runform.batch.jobs.Job`.
    folder
        Its output folder.
    settings
        The batch's settings (``height_cm``, ``no_video``, ``rubric``,
        ``pose_workers``).
    """
    from runform.pipeline import AnalysisOptions, OutputOptions

    try:
        height = job.height_cm if job.height_cm is not None else settings.get("height_cm")
        rubric = settings.get("rubric")
        options = AnalysisOptions(
            height_cm=height, setting=job.setting, drill=job.drill,
            rubric=Path(rubric) if rubric else None,
            workers=int(settings.get("pose_workers") or 1),
        )  # fmt: skip
    except Exception as error:  # every failure becomes an outcome; the batch goes on
        return classify_error(error)
    output = OutputOptions(video=not settings.get("no_video"))
    return analyse_video(Path(job.video), folder, options, output)


def analyse_video(
    video: Path,
    folder: Path,
    options: AnalysisOptions,
    output: OutputOptions,
    *,
    progress: Progress | None = None,
    landmarkers: LandmarkerCache | None = None,
) -> JobOutcome:
    """Analyse ``video`` into ``folder`` and say how it went, as a batch job or a server job.

    Parameters
    ----------
    video
        The upload.
    folder
        Its output folder (written atomically by
        :func:`runform.pipeline.write_artifacts`).
    options, output
        :class:`runform.pipeline.AnalysisOptions` and
        :class:`runform.pipeline.OutputOptions`.
    progress
        Passed to :func:`runform.pipeline.analyze_clip` and
        :func:`runform.pipeline.write_artifacts`. To stop the job it may
        raise an exception that is not an :class:`Exception` (a
        ``BaseException``), which comes out of this call.
    landmarkers
        A :class:`runform.pose.landmarker_cache.LandmarkerCache` of a
        long-lived process, or ``None``.

    Returns
    -------
    JobOutcome
        ``ok``; ``truncated`` for an upload cut short (its report is
        written, but it fails: it should be sent again); or the failure,
        classified by :func:`classify_error`.
    """
    from runform.pipeline import analyze_clip, write_artifacts

    try:
        result = analyze_clip(video, options, progress=progress, landmarkers=landmarkers)
        write_artifacts(result, folder, output, progress)
    except Exception as error:  # every failure becomes an outcome; the caller goes on
        return classify_error(error)
    if result.truncated:  # analysed what could be read, but the upload is cut short
        reason = result.warnings[0] if result.warnings else "the upload is cut short"
        return JobOutcome("truncated", reason, False, result.warnings)
    return JobOutcome("ok", warnings=result.warnings)
