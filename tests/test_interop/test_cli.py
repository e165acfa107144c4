"""``runform export``, and ``analyze``/``gait`` on other tools' files: outputs and refusals."""

from __future__ import annotations

import json

import pytest

from runform.cli import main

from .specs import check_trc

GOOD_HEADER = (
    "PathFileType\t4\t(X/Y/Z)\tbad.trc\n"
    "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n"
)


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert err and err[0].startswith("runform: error: "), err
    assert not any("Traceback" in line for line in err)
    return err[0]


def test_export_of_a_poses_file_writes_what_needs_no_analysis(work, poses_nc, capfd):
    out = work / "export_poses"
    assert main(["export", str(poses_nc), "-o", str(out), "--height-cm", "175"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["overstriderDLC_runform.csv", "overstrider_angles.mot",
                     "overstrider_m.trc", "overstrider_px.trc"]  # fmt: skip
    assert "strides need an analysis" in capfd.readouterr().err
    check_trc((out / "overstrider_m.trc").read_text(), "overstrider_m.trc")


def test_export_of_a_folder_without_poses_says_how_to_name_them(work, reference, capfd):
    folder = work / "from_nc"
    out = work / "strides_only"
    assert main(["export", str(folder), "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "overstrider_events.csv",
        "overstrider_strides.csv",
    ]
    assert "--poses" in capfd.readouterr().err
    assert main(["export", str(folder), "-o", str(out), "--formats", "trc"]) == 2
    assert "--poses" in _one_error_line(capfd)


def test_export_writes_into_the_analysis_folder_and_leaves_its_files(exported):
    names = {p.name for p in exported.iterdir()}
    assert {
        "analysis.json",
        "report.html",
        "overstrider_px.trc",
        "overstrider_strides.csv",
    } <= names
    assert not [n for n in names if n.startswith(".")]
    json.loads((exported / "analysis.json").read_text())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--formats", "trc,xls"], "expected formats from"),
        (["--px-axes", "down"], "invalid choice"),
    ],
)
def test_export_refuses_bad_options(poses_nc, args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(poses_nc), *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_export_of_a_missing_source(tmp_path, capsys):
    assert main(["export", str(tmp_path / "absent.trc"), "-o", str(tmp_path / "o")]) == 2
    assert "does not exist" in _one_error_line(capsys)
    assert not (tmp_path / "o").exists()


def test_gait_reads_a_trc(work, exported, reference, capsys):
    out = work / "gait_trc"
    assert main(["gait", str(exported / "overstrider_px.trc"), "-o", str(out), "--quiet"]) == 0
    gait = json.loads((out / "gait.json").read_text())
    assert [e["time_s"] for e in gait["events"]] == [e["time_s"] for e in reference["events"]]
    assert not (out / "poses.nc").exists()


BAD_TRC = {
    "no PathFileType": ("Path\t4\n" + GOOD_HEADER.split("\n", 1)[1] + "60\t60\t1\t1\tpx\t60\t1\t1\n"
                        "Frame#\tTime\tA\n\t\tX1\tY1\tZ1\n\n1\t0\t1\t2\t0\n", "line 1"),
    "marker count": (GOOD_HEADER + "60\t60\t1\t2\tpx\t60\t1\t1\nFrame#\tTime\tA\n\t\tX1\tY1\tZ1\n\n"
                     "1\t0\t1\t2\t0\n", "NumMarkers is 2 but 1 names follow"),
    "truncated": (GOOD_HEADER + "60\t60\t3\t1\tpx\t60\t1\t3\nFrame#\tTime\tA\n\t\tX1\tY1\tZ1\n\n"
                  "1\t0\t1\t2\t0\n", "NumFrames is 3 but 1 rows follow"),
    "not a number": (GOOD_HEADER + "60\t60\t1\t1\tpx\t60\t1\t1\nFrame#\tTime\tA\n\t\tX1\tY1\tZ1\n\n"
                     "1\t0\tabc\t2\t0\n", "line 7: expected a number, got 'abc'"),
    "times go back": (GOOD_HEADER + "60\t60\t2\t1\tpx\t60\t1\t2\nFrame#\tTime\tA\n\t\tX1\tY1\tZ1\n\n"
                      "1\t0.1\t1\t2\t0\n2\t0.0\t1\t2\t0\n", "times must increase"),
    "no legs": (GOOD_HEADER + "60\t60\t1\t1\tpx\t60\t1\t1\nFrame#\tTime\tA\n\t\tX1\tY1\tZ1\n\n"
                "1\t0\t1\t2\t0\n", "no point for left_shoulder"),
    "binary": ("\x00\xff\xfe garbage", "is not a text file"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_TRC))
@pytest.mark.parametrize("command", ["analyze", "gait"])
def test_a_malformed_trc_is_one_clear_line_and_exit_2(tmp_path, capsys, case, command):
    text, message = BAD_TRC[case]
    path = tmp_path / "bad.trc"
    path.write_text(text, encoding="latin-1")
    out = tmp_path / "out"
    assert main([command, str(path), "-o", str(out)]) == 2
    line = _one_error_line(capsys)
    assert message in line and "bad.trc" in line
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("x.csv", "frame,x,y\n0,1,2\n", "not a DeepLabCut pose table"),
        ("x.csv", "scorer,a,a,a\nbodyparts,nose,nose,nose\ncoords,x,y,likelihood\n0,1,2,0.5\n",
         "holds no frame rate"),
        ("x.nc", "not netcdf", "not a readable netCDF"),
    ],
)  # fmt: skip
def test_other_bad_poses_files_are_one_clear_line(tmp_path, capsys, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    assert main(["analyze", str(path), "-o", str(tmp_path / "out")]) == 2
    assert message in _one_error_line(capsys)


def test_dlc_h5_without_pytables_says_what_to_install(tmp_path, capsys):
    try:
        import tables  # noqa: F401
    except ImportError:
        path = tmp_path / "videoDLC_resnet50.h5"
        path.write_bytes(b"\x89HDF\r\n\x1a\n")
        assert main(["analyze", str(path), "-o", str(tmp_path / "out")]) == 2
        assert "pip install pandas tables" in capsys.readouterr().err
    else:
        pytest.skip("PyTables is installed")


def test_dlc_h5_round_trip_when_pytables_is_installed(tmp_path, exported, poses):
    pytest.importorskip("tables")
    import numpy as np
    import pandas as pd

    from runform.interop.read import read_poses_source

    from .helpers import make_video

    frame = pd.read_csv(exported / "overstriderDLC_runform.csv", header=[0, 1, 2], index_col=0)
    frame.to_hdf(tmp_path / "overstriderDLC_runform.h5", key="df_with_missing")
    make_video(tmp_path / "overstrider.mp4")
    read = read_poses_source(tmp_path / "overstriderDLC_runform.h5")
    np.testing.assert_array_equal(read["position"].values, poses["position"].values)
