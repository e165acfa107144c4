"""Poses and results in the formats of other tools, and poses from them.

* :mod:`~runform.interop.read`: a ``.trc`` (Sports2D, Pose2Sim, OpenSim), a
  DeepLabCut table or movement's netCDF into runform's poses dataset
  (``runform analyze`` and ``gait`` take these files as they take a video);
* :mod:`~runform.interop.export`: ``runform export``, an analysis or a poses
  file to ``.trc`` and ``.mot`` (OpenSim, Sports2D), DeepLabCut's CSV
  (movement reads it) and per-stride CSVs for spreadsheets.

The formats themselves are pure text functions in :mod:`~runform.interop.trc`,
:mod:`~runform.interop.mot`, :mod:`~runform.interop.dlc` and
:mod:`~runform.interop.tables`; keypoint names across tools in
:mod:`~runform.interop.markers`. See ``docs/interop.md``.
"""

from runform.interop.export import ExportOptions, ExportResult, export
from runform.interop.read import is_poses_source, read_poses_source

__all__ = ["ExportOptions", "ExportResult", "export", "is_poses_source", "read_poses_source"]
