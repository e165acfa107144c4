"""The analysis pipeline as a library: one function to analyse, one to write.

>>> from runform.pipeline import analyze_clip, write_artifacts
>>> result = analyze_clip("run.mp4")                    # doctest: +SKIP
>>> result.analysis.focus                               # doctest: +SKIP
>>> write_artifacts(result, Path("run-analysis"))       # doctest: +SKIP

``runform analyze``, ``compare``, ``progress``, ``demo``, batch workers and
the coach server call these, so they all give the same answer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runform.pipeline.artifacts import OutputOptions, write_artifacts
    from runform.pipeline.clip import ClipResult, analyze_clip
    from runform.pipeline.options import AnalysisOptions, OptionError

#: Where each public name lives. They are imported on first use (PEP 562), so
#: ``import runform.pipeline.options`` (every command-line start) does not
#: load the whole analysis stack (SciPy, the checkpoints, the report): about
#: 1 s of every ``runform`` start (docs/performance.md).
_HOMES = {
    "AnalysisOptions": "runform.pipeline.options",
    "ClipResult": "runform.pipeline.clip",
    "OptionError": "runform.pipeline.options",
    "OutputOptions": "runform.pipeline.artifacts",
    "analyze_clip": "runform.pipeline.clip",
    "write_artifacts": "runform.pipeline.artifacts",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "AnalysisOptions",
    "ClipResult",
    "OptionError",
    "OutputOptions",
    "analyze_clip",
    "write_artifacts",
]
