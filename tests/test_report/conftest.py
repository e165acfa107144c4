"""One synthetic clip analysed end to end with every artifact (shared by the report tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runform.cli import main
from runform.synth import PRESETS, write_synthetic_clip

#: A file name with markup characters: the report must escape it.
AWKWARD_NAME = 'run <b>&"x"'


@pytest.fixture(scope="session")
def analysed(tmp_path_factory) -> tuple[Path, Path]:
    """``(source video, output folder)`` of ``runform analyze`` on a short treadmill clip."""
    folder = tmp_path_factory.mktemp("report")
    params = PRESETS["overstrider"].with_overrides(
        setting="treadmill", duration_s=2.5, width_px=640, height_px=360, seed=21
    )
    clip = write_synthetic_clip(params, folder, name="clip")
    video = clip.video_path.rename(folder / f"{AWKWARD_NAME}.mp4")
    out = folder / "out"
    assert main(["analyze", str(video), "-o", str(out), "--height-cm", "175", "--quiet"]) == 0
    return video, out
