"""Exact synthetic poses (no pose model), their analysis and its export, made once."""

from __future__ import annotations

from pathlib import Path

import pytest

from runform.cli import main
from runform.io.poses import save_poses
from runform.synth import PRESETS, compute_truth
from runform.synth.truth_poses import create_truth_poses

from .helpers import WIDE, analyse


@pytest.fixture(scope="session")
def truth():
    return compute_truth(PRESETS["overstrider"].with_overrides(**WIDE))


@pytest.fixture(scope="session")
def poses(truth):
    return create_truth_poses(truth)


@pytest.fixture(scope="session")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("interop")


@pytest.fixture(scope="session")
def poses_nc(work, poses) -> Path:
    return save_poses(poses, work / "overstrider.nc")


@pytest.fixture(scope="session")
def reference(work, poses_nc) -> dict:
    """The analysis of the netCDF poses: what every other format must reproduce."""
    return analyse(poses_nc, work / "from_nc")


@pytest.fixture(scope="session")
def exported(work, poses_nc, reference) -> Path:
    """``runform export`` of the reference analysis folder (with its poses named)."""
    folder = work / "from_nc"
    assert main(["export", str(folder), "--poses", str(poses_nc), "--quiet"]) == 0
    return folder
