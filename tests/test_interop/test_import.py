"""Poses from other tools give runform's analysis: .trc (2D, 3D, Sports2D's own), movement, DeepLabCut."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from runform.interop.read import read_poses_source

from .helpers import analyse, make_video, timing, verdicts
from .specs import read_trc_like_pose2sim

DATA = Path(__file__).parent.parent / "data" / "sports2d"


def test_pixel_trc_gives_the_same_events_and_checkpoints_as_netcdf(work, exported, reference):
    trc = exported / "overstrider_px.trc"
    poses = read_poses_source(trc)
    analysis = analyse(trc, work / "from_px_trc")
    assert timing(analysis["events"]) == timing(reference["events"])
    assert verdicts(analysis) == verdicts(reference)
    assert analysis["summary"] == reference["summary"]
    assert poses.attrs["source_software"].startswith(".trc")


def test_pixel_trc_positions_are_the_netcdf_positions_exactly(exported, poses):
    read = read_poses_source(exported / "overstrider_px.trc")
    np.testing.assert_array_equal(read["position"].values, poses["position"].values)
    np.testing.assert_array_equal(read["time"].values, poses["time"].values)
    np.testing.assert_array_equal(read["frame"].values, poses["frame"].values)


def test_metres_trc_gives_the_same_analysis_within_its_rounding(work, exported, reference):
    analysis = analyse(exported / "overstrider_m.trc", work / "from_m_trc")
    assert [e[:3] for e in timing(analysis["events"])] == [
        e[:3] for e in timing(reference["events"])
    ]
    for (cid, status, value), (_, status_m, value_m) in zip(
        verdicts(reference), verdicts(analysis), strict=True
    ):
        assert status_m == status, cid
        assert (
            value_m == pytest.approx(value, rel=1e-3, abs=1e-3)
            if value is not None
            else value_m is None
        )


def _three_d(trc_text: str, yaw_deg: float) -> str:
    """The metres .trc made 3D: each side at its own depth, the plane turned by ``yaw_deg``."""
    lines = trc_text.split("\n")
    names = lines[3].split("\t")[2::3]
    out = lines[:6]
    yaw = np.radians(yaw_deg)
    for line in lines[6:]:
        if not line:
            continue
        cells = line.split("\t")
        for m, name in enumerate(names):
            x = cells[2 + 3 * m]
            if x == "":
                continue
            depth = 0.1 if name.startswith("R") else -0.1 if name.startswith("L") else 0.0
            fx, fz = float(x), depth
            cells[2 + 3 * m] = f"{fx * np.cos(yaw) - fz * np.sin(yaw):.6f}"
            cells[4 + 3 * m] = f"{fx * np.sin(yaw) + fz * np.cos(yaw):.6f}"
        out.append("\t".join(cells))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("yaw_deg", [0.0, 90.0, 35.0])
def test_3d_trc_is_seen_from_the_side(work, exported, reference, yaw_deg):
    path = work / f"three_d_{int(yaw_deg)}.trc"
    path.write_text(_three_d((exported / "overstrider_m.trc").read_text(), yaw_deg))
    analysis = analyse(path, work / f"from_3d_{int(yaw_deg)}")
    assert analysis["capture"]["view"] == "side"
    assert [e[:3] for e in timing(analysis["events"])] == [
        e[:3] for e in timing(reference["events"])
    ]
    ref = {c: v for c, _, v in verdicts(reference)}
    for cid, _, value in verdicts(analysis):
        if value is not None and cid != "pose_alignment":
            assert value == pytest.approx(ref[cid], rel=2e-2, abs=0.5), cid


def test_a_real_sports2d_metres_trc_is_analysed(work, reference):
    path = DATA / "runner_Sports2D_m_person00.trc"
    markers, data = read_trc_like_pose2sim(path.read_text())
    assert markers[:4] == ["Hip", "RHip", "RKnee", "RAnkle"] and data.shape == (125, 66)
    analysis = analyse(path, work / "from_sports2d")
    assert analysis["capture"]["view"] == "side" and analysis["capture"]["direction"] == "right"
    # Sports2D low-passed the points at 6 Hz: events move by up to two frames
    ours = timing(analysis["events"])
    assert [e[:2] for e in ours] == [e[:2] for e in timing(reference["events"])]
    for got, ref in zip(ours, timing(reference["events"]), strict=True):
        assert abs(got[3] - ref[3]) <= 2 / 60 + 1e-6
    statuses = {c: s for c, s, _ in verdicts(analysis)}
    assert statuses["cadence"] == "pass" and statuses["ball_of_foot_landing"] == "fail"
    assert not (work / "from_sports2d" / "annotated.mp4").exists()
    assert (work / "from_sports2d" / "report.html").is_file()


def _sports2d_px_text(poses, names: dict[str, tuple[str, ...]]) -> str:
    """A pixel .trc laid out as Sports2D writes one (its make_trc_with_trc_data).

    Frame# from 0, OrigDataStartFrame 0, "m" in Units although the values are
    pixels, three tabs after the last marker name, no blank line after the
    X1/Y1/Z1 row, empty cells for NaN; image pixels, y down.
    """
    position = poses["position"].isel(individual=0)
    time = poses["time"].values
    columns = []
    for sources in names.values():
        xy = np.mean(
            [position.sel(keypoint=k).transpose("time", "space").values for k in sources], axis=0
        )
        columns += [xy[:, 0], xy[:, 1], np.zeros(len(time))]
    n = len(time)
    header = [
        "PathFileType\t4\t(X/Y/Z)\tC:/Users/someone/runner_Sports2D_px_person00.trc",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"60.0\t60.0\t{n}\t{len(names)}\tm\t60.0\t0\t{n}",
        "Frame#\tTime\t" + "\t\t\t".join(names) + "\t\t\t",
        "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(len(names))),
    ]
    rows = ["\t".join([str(i), repr(float(time[i])), *("" if np.isnan(c[i]) else repr(float(c[i])) for c in columns)])
            for i in range(n)]  # fmt: skip
    return "\n".join(header + rows) + "\n"


#: Sports2D's HALPE_26 markers and the BlazePose points they stand for here.
HALPE = {"Hip": ("left_hip", "right_hip"), "RHip": ("right_hip",), "RKnee": ("right_knee",),
         "RAnkle": ("right_ankle",), "RBigToe": ("right_foot_index",), "RSmallToe": ("right_foot_index",),
         "RHeel": ("right_heel",), "LHip": ("left_hip",), "LKnee": ("left_knee",), "LAnkle": ("left_ankle",),
         "LBigToe": ("left_foot_index",), "LSmallToe": ("left_foot_index",), "LHeel": ("left_heel",),
         "Neck": ("left_shoulder", "right_shoulder"), "Head": ("left_ear", "right_ear"), "Nose": ("nose",),
         "RShoulder": ("right_shoulder",), "RElbow": ("right_elbow",), "RWrist": ("right_wrist",),
         "LShoulder": ("left_shoulder",), "LElbow": ("left_elbow",), "LWrist": ("left_wrist",)}  # fmt: skip


def test_a_sports2d_pixel_trc_gives_the_same_events(work, poses, reference):
    path = work / "runner_Sports2D_px_person00.trc"
    path.write_text(_sports2d_px_text(poses, HALPE))
    read = read_poses_source(path)
    assert read["frame"].values[0] == 0
    np.testing.assert_array_equal(read["position"].sel(keypoint="left_heel").values,
                                  poses["position"].sel(keypoint="left_heel").values)  # fmt: skip
    assert np.isnan(
        read["position"].sel(keypoint="left_ear").values
    ).all()  # HALPE has no ears here
    analysis = analyse(path, work / "from_sports2d_px")
    assert timing(analysis["events"]) == timing(reference["events"])
    statuses = dict((c, s) for c, s, _ in verdicts(reference))
    assert {c: s for c, s, _ in verdicts(analysis)} == statuses


def test_points_the_source_lacks_make_their_checkpoints_not_measured(work, poses):
    without_heels = {k: v for k, v in HALPE.items() if not k.endswith("Heel")}
    path = work / "no_heels_px.trc"
    path.write_text(_sports2d_px_text(poses, without_heels))
    analysis = analyse(path, work / "from_no_heels")
    landing = next(c for c in analysis["checkpoints"] if c["id"] == "ball_of_foot_landing")
    assert landing["status"] == "not_measured" and landing["reason"]
    assert any("no points for the heels" in w for w in analysis["input_warnings"])
    assert any(c["status"] in ("pass", "warn", "fail") for c in analysis["checkpoints"])


def test_a_source_without_feet_is_not_measured_with_the_reason(work, poses):
    coco = {k: v for k, v in HALPE.items() if "Toe" not in k and "Heel" not in k}
    path = work / "coco_px.trc"
    path.write_text(_sports2d_px_text(poses, coco))
    analysis = analyse(path, work / "from_coco")
    for checkpoint in analysis["checkpoints"]:
        assert checkpoint["status"] == "not_measured", checkpoint["id"]
        assert checkpoint["reason"], checkpoint["id"]
    assert any("no points for the heels and toes" in w for w in analysis["input_warnings"])
    assert any(
        "feet are visible in only 0 %" in w["message"] for w in analysis["capture"]["warnings"]
    )


def _movement_dataset(poses, *, legacy: bool) -> xr.Dataset:
    """A poses dataset as movement makes it: HALPE names, time in frames with fps, no frame size."""
    position = poses["position"].values.astype(np.float64)
    names = {"left_hip": "LHip", "right_hip": "RHip", "left_knee": "LKnee", "right_knee": "RKnee"}
    keypoints = [names.get(k, k) for k in poses["keypoint"].values]
    kp_dim, ind_dim = ("keypoints", "individuals") if legacy else ("keypoint", "individual")
    return xr.Dataset(
        {"position": (("time", "space", kp_dim, ind_dim), position),
         "confidence": (("time", kp_dim, ind_dim), poses["confidence"].values.astype(np.float64))},
        coords={"time": np.arange(poses.sizes["time"]), "space": ["x", "y"], kp_dim: keypoints,
                ind_dim: ["individual_0"]},
        attrs={"source_software": "DeepLabCut", "ds_type": "poses", "fps": 60.0, "time_unit": "frames"},
    )  # fmt: skip


@pytest.mark.parametrize("legacy", [False, True])
def test_movement_netcdf_gives_the_same_analysis(work, poses, reference, legacy):
    path = work / f"movement_{'legacy' if legacy else 'current'}.nc"
    _movement_dataset(poses, legacy=legacy).to_netcdf(path, engine="h5netcdf")
    read = read_poses_source(path)
    assert read.attrs["source_software"] == "movement (DeepLabCut)"
    np.testing.assert_array_equal(read["position"].values, poses["position"].values)
    analysis = analyse(path, work / f"from_{path.stem}")
    assert analysis["events"] == reference["events"]  # confidence kept
    assert verdicts(analysis) == verdicts(reference)


def test_dlc_csv_beside_its_video_gives_the_same_analysis(work, exported, reference):
    folder = work / "dlc"
    folder.mkdir()
    csv = folder / "overstriderDLC_runform.csv"
    csv.write_text((exported / "overstriderDLC_runform.csv").read_text())
    make_video(folder / "overstrider.mp4", fps=60, size=(1920, 1080))
    analysis = analyse(csv, folder / "out")
    assert analysis["events"] == reference["events"]
    assert verdicts(analysis) == verdicts(reference)
    assert analysis["capture"]["frame_size_px"] == [1920, 1080]
    log = json.loads(read_poses_source(csv).attrs["log"])
    assert any("overstrider.mp4" in rule for entry in log for rule in entry.get("rules", []))


def test_a_y_up_pixel_trc_is_turned_the_right_way_up(work, poses_nc, reference):
    from runform.cli import main

    out = work / "y_up_import"
    assert main(["export", str(poses_nc), "-o", str(out), "--formats", "trc", "--px-axes", "y-up",
                 "--quiet"]) == 0  # fmt: skip
    read = read_poses_source(out / "overstrider_px.trc")
    log = json.loads(read.attrs["log"])
    assert any("flipped to y down" in rule for entry in log for rule in entry.get("rules", []))
    analysis = analyse(out / "overstrider_px.trc", work / "from_y_up")
    assert timing(analysis["events"]) == timing(reference["events"])
    for (cid, status, value), (_, got_status, got) in zip(
        verdicts(reference), verdicts(analysis), strict=True
    ):
        assert got_status == status, cid
        assert got == pytest.approx(value, rel=1e-3, abs=1e-3) if value is not None else got is None
