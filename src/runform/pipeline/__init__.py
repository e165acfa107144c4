"""The analysis pipeline as a library: one function to analyse, one to write.

>>> from runform.pipeline import analyze_clip, write_artifacts
>>> result = analyze_clip("run.mp4")                    # doctest: +SKIP
>>> result.analysis.focus                               # doctest: +SKIP
>>> write_artifacts(result, Path("run-analysis"))       # doctest: +SKIP

``runform analyze``, ``compare``, ``progress``, ``demo``, batch workers and
the coach server call these, so they all give the same answer.
"""

from runform.pipeline.artifacts import OutputOptions, write_artifacts
from runform.pipeline.clip import ClipResult, analyze_clip
from runform.pipeline.options import AnalysisOptions, OptionError

__all__ = [
    "AnalysisOptions",
    "ClipResult",
    "OptionError",
    "OutputOptions",
    "analyze_clip",
    "write_artifacts",
]
