"""runform: running-technique feedback from video, built on the Pose Method.

The package is laid out by pipeline stage: ``io`` (video and poses files),
``pose`` (model provisioning and landmark extraction), ``synth`` (the
synthetic runner with exact ground truth) and ``cli`` (the thin command layer).
Importing it has no side effects.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
