"""The ``runform`` console script's entry point stays light to import.

Pose extraction spawns its worker processes, and a spawned child first runs
the parent's main script again: for the console script that is
``from runform.__main__ import main``. Whatever that import pulls in, every
worker pays for before it starts tracking.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from runform.__main__ import main

REPO = Path(__file__).resolve().parents[1]
#: Modules the command line needs and a pose worker does not.
HEAVY = ("runform.cli", "xarray", "pandas", "rich", "av", "mediapipe", "scipy", "matplotlib")


def test_the_console_script_runs_the_light_entry_point() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["runform"] == "runform.__main__:main"


def test_importing_the_entry_point_imports_nothing_heavy() -> None:
    code = (
        f"import sys, runform.__main__\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == ""


def test_the_entry_point_runs_the_command_line(capsys, tmp_path) -> None:
    assert main(["export", str(tmp_path / "missing.nc"), "-o", str(tmp_path / "out")]) != 0
    assert "missing.nc" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:  # argparse's --version exits
        main(["--version"])
    assert stop.value.code == 0
    assert "runform" in capsys.readouterr().out
