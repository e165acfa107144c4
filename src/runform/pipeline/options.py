"""The typed, frozen options of one analysis, each default stated once.

:class:`AnalysisOptions` is everything that changes what runform says about
a clip: how the poses are extracted, who is analysed, where it was filmed,
the rubric, a baseline and a named drill. Every caller (the command line,
batch, the coach server, a notebook) builds one and hands it to
:func:`runform.pipeline.clip.analyze_clip`. Values out of range are refused
when the options are made, with an :class:`OptionError` that says which.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from runform.checkpoints.rubric import DRILL_NAMES
from runform.errors import RunformError
from runform.pose.extract import DEFAULT_MAX_SIDE, ExtractionSettings

__all__ = [
    "DEFAULT_MAX_SIDE",
    "HEIGHT_RANGE_CM",
    "MAX_PEOPLE",
    "MIN_MAX_SIDE",
    "SETTINGS",
    "SLOWMO_RANGE",
    "VARIANTS",
    "AnalysisOptions",
    "OptionError",
]

#: Where a clip can be filmed (``auto``: runform decides).
SETTINGS = ("auto", "treadmill", "overground", "tracking")
#: Pose model variants.
VARIANTS = ("lite", "full", "heavy")
#: Slow-motion factors accepted (capture fps / playback fps): 0.1 (a clip sped
#: up tenfold) to 100 (1000 fps or more shown at 10 fps or less is not footage
#: anybody records); outside it the frame times are meaningless.
SLOWMO_RANGE = (0.1, 100.0)
#: Standing heights accepted, cm.
HEIGHT_RANGE_CM = (50.0, 250.0)
#: Smallest ``max_side`` other than full size, px.
MIN_MAX_SIDE = 64
#: Most people tracked at once.
MAX_PEOPLE = 6
#: Most pose-extraction processes for one video.
MAX_WORKERS = 64


class OptionError(RunformError):
    """An option is out of range or contradicts another."""


def _check_range(name: str, value: float, low: float, high: float, unit: str = "") -> None:
    if not (math.isfinite(value) and low <= value <= high):
        raise OptionError(f"{name} must be between {low:g} and {high:g}{unit}, got {value:g}")


@dataclass(frozen=True)
class AnalysisOptions:
    """Everything that changes the analysis of one clip.

    Attributes
    ----------
    height_cm
        The runner's standing height, cm; enables metres and centimetres.
    setting
        ``auto`` (decide from the footage), ``treadmill``, ``overground``
        or ``tracking`` (a camera following the runner).
    model
        A ``pose_landmarker_*.task`` file; ``None`` finds or provisions one.
    variant
        Pose model variant when ``model`` is not given.
    max_side
        Frames are downscaled so their longest side is at most this, px;
        ``None`` keeps full size.
    slowmo
        Capture fps / playback fps of slow-motion footage (4 for 240 fps
        played at 60); frame times are divided by it.
    workers
        Pose-extraction processes; ``None`` chooses from the CPUs.
    people
        People to track: ``None`` follows one and tracks all when others
        appear; 1 tracks one (fastest); up to :data:`MAX_PEOPLE`.
    person, person_at
        Analyse this track id, or the person at this pixel ``(x, y)`` from
        the top-left corner of the frame when first seen; ``None``: the
        runner chosen by :func:`runform.scene.runner.choose_runner`.
    use_cache, cache_dir
        Reuse poses extracted before (keyed by the video's content), and
        where they are kept (``None``: the default cache folder).
    rubric
        A TOML file overriding checkpoints of the default rubric.
    baseline
        An earlier ``analysis.json`` of the same runner (cadence is judged
        against it).
    drill
        Score the clip as this in-place drill instead of as running.
    """

    height_cm: float | None = None
    setting: str = "auto"
    model: Path | None = None
    variant: str = "full"
    max_side: int | None = DEFAULT_MAX_SIDE
    slowmo: float = 1.0
    workers: int | None = None
    people: int | None = None
    person: int | None = None
    person_at: tuple[float, float] | None = None
    use_cache: bool = True
    cache_dir: Path | None = None
    rubric: Path | None = None
    baseline: Path | None = None
    drill: str | None = None

    def __post_init__(self) -> None:
        if self.height_cm is not None:
            _check_range("height", self.height_cm, *HEIGHT_RANGE_CM, " cm")
        if self.setting not in SETTINGS:
            raise OptionError(f"setting must be one of {', '.join(SETTINGS)}, got {self.setting!r}")
        if self.variant not in VARIANTS:
            raise OptionError(f"variant must be one of {', '.join(VARIANTS)}, got {self.variant!r}")
        if self.max_side is not None and self.max_side < MIN_MAX_SIDE:
            raise OptionError(
                f"max_side must be 0/None (full size) or at least {MIN_MAX_SIDE} px, "
                f"got {self.max_side}"
            )
        _check_range("the slow-motion factor", self.slowmo, *SLOWMO_RANGE)
        if self.workers is not None:
            _check_range("workers", self.workers, 1, MAX_WORKERS)
        if self.people is not None:
            _check_range("people", self.people, 1, MAX_PEOPLE)
        if self.person is not None and self.person_at is not None:
            raise OptionError("give either a person id or a point on the person, not both")
        if self.person is not None and self.person < 0:
            raise OptionError(f"person ids are 0 or more, got {self.person}")
        if self.person_at is not None:
            x, y = self.person_at
            if not (math.isfinite(x) and math.isfinite(y) and x >= 0 and y >= 0):
                raise OptionError(f"expected pixels from the top-left corner, got {x:g},{y:g}")
        if self.drill is not None and self.drill not in DRILL_NAMES:
            raise OptionError(
                f"unknown drill {self.drill!r}", hint=f"choose one of: {', '.join(DRILL_NAMES)}"
            )

    @property
    def changes_extraction(self) -> bool:
        """Whether an option applies only when poses are extracted from a video."""
        return self.slowmo != 1.0 or self.max_side != DEFAULT_MAX_SIDE

    def extraction_settings(self) -> ExtractionSettings:
        """Return the :class:`~runform.pose.extract.ExtractionSettings` these options ask for.

        ``people=None`` follows one person and looks for others every second;
        1 follows one without looking; more tracks that many from the start.
        """
        settings = ExtractionSettings(max_side=self.max_side, slowmo=self.slowmo)
        if self.people is None:
            return settings
        if self.people == 1:
            return ExtractionSettings(
                max_side=self.max_side, slowmo=self.slowmo, probe_people=False
            )
        return settings.with_people(self.people)
