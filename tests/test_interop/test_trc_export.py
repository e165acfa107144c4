"""The exported .trc files, checked line by line against OpenSim's rules and Sports2D's reader."""

from __future__ import annotations

import json

import numpy as np
import pytest

from runform.cli import main
from runform.skeleton import KEYPOINT_INDEX

from .specs import check_trc, read_trc_like_pose2sim

#: Sports2D's HALPE_26 markers, in the order it writes them (Pose2Sim's skeletons.py tree).
SPORTS2D_HALPE_26 = ["Hip", "RHip", "RKnee", "RAnkle", "RBigToe", "RSmallToe", "RHeel",
                     "LHip", "LKnee", "LAnkle", "LBigToe", "LSmallToe", "LHeel", "Neck", "Head",
                     "Nose", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist"]  # fmt: skip


def _kp(poses, name):
    """(time, 2) pixel positions of a keypoint."""
    return poses["position"].isel(individual=0).sel(keypoint=name).transpose("time", "space").values


@pytest.fixture(scope="module")
def px(exported):
    path = exported / "overstrider_px.trc"
    return check_trc(path.read_text(), path.name)


@pytest.fixture(scope="module")
def metres(exported):
    path = exported / "overstrider_m.trc"
    return check_trc(path.read_text(), path.name)


def test_pixel_trc_header_follows_opensim(px, poses):
    header = px["header"]
    assert header["DataRate"] == "60" and header["Units"] == "px"
    assert int(header["NumFrames"]) == poses.sizes["time"]
    assert int(header["OrigDataStartFrame"]) == 1 and px["frames"][0] == 1
    np.testing.assert_array_equal(px["times"], poses["time"].values)


def test_markers_carry_sports2d_names_in_its_order(px):
    assert px["markers"][:22] == SPORTS2D_HALPE_26
    assert {"LEar", "REar", "LEye", "LPinky", "RThumb", "LMouth"} <= set(px["markers"])
    assert len(set(px["markers"])) == len(px["markers"])


def test_pixel_trc_holds_image_pixels_exactly(px, poses):
    xyz, names = px["xyz"], px["markers"]
    for marker, keypoint in [("RKnee", "right_knee"), ("LAnkle", "left_ankle"),
                             ("RBigToe", "right_foot_index"), ("LHeel", "left_heel"),
                             ("Nose", "nose")]:  # fmt: skip
        got = xyz[:, names.index(marker), :2].astype(np.float32)
        np.testing.assert_array_equal(got, _kp(poses, keypoint))
    present = np.isfinite(xyz[..., 0])
    assert np.all(xyz[..., 2][present] == 0) and np.isnan(xyz[..., 2][~present]).all()


def test_derived_markers_are_midpoints_and_small_toes_are_missing(px, poses):
    xyz, names = px["xyz"], px["markers"]
    mid = {"Hip": ("left_hip", "right_hip"), "Neck": ("left_shoulder", "right_shoulder"),
           "Head": ("left_ear", "right_ear")}  # fmt: skip
    for marker, (a, b) in mid.items():
        expected = 0.5 * (_kp(poses, a).astype(float) + _kp(poses, b).astype(float))
        np.testing.assert_allclose(xyz[:, names.index(marker), :2], expected, atol=1e-3)
    for toe in ("RSmallToe", "LSmallToe"):
        assert np.isnan(xyz[:, names.index(toe)]).all()


def test_metres_trc_is_y_up_at_the_analysis_scale(metres, px, reference):
    assert metres["header"]["Units"] == "m"
    scale = reference["capture"]["scale"]["px_per_m"]
    height = reference["capture"]["frame_size_px"][1]
    names = metres["markers"]
    knee_px = px["xyz"][:, names.index("RKnee")]
    knee_m = metres["xyz"][:, names.index("RKnee")]
    np.testing.assert_allclose(knee_m[:, 0], knee_px[:, 0] / scale, atol=2e-6)
    np.testing.assert_allclose(knee_m[:, 1], (height - knee_px[:, 1]) / scale, atol=2e-6)
    head, ankle = names.index("Head"), names.index("RAnkle")
    assert np.all(metres["xyz"][:, head, 1] > metres["xyz"][:, ankle, 1]), "Y points up"


def test_pose2sim_reader_reads_the_pixel_file(exported, px):
    markers, data = read_trc_like_pose2sim((exported / "overstrider_px.trc").read_text())
    assert markers == px["markers"]
    assert data.shape == (len(px["frames"]), 3 * len(markers))
    np.testing.assert_allclose(data.to_numpy(dtype=float), px["xyz"].reshape(len(data), -1))


def test_y_up_pixels_on_request(work, poses_nc, px, reference):
    out = work / "y_up"
    assert main(["export", str(poses_nc), "-o", str(out), "--formats", "trc",
                 "--px-axes", "y-up", "--quiet"]) == 0  # fmt: skip
    path = out / "overstrider_px.trc"
    flipped = check_trc(path.read_text(), path.name)["xyz"]
    height = reference["capture"]["frame_size_px"][1]
    np.testing.assert_allclose(flipped[..., 1], height - px["xyz"][..., 1], atol=1e-3)
    np.testing.assert_array_equal(flipped[..., 0], px["xyz"][..., 0])


def test_opensim_reads_both_files(exported):
    osim = pytest.importorskip("opensim")
    for name in ("overstrider_px.trc", "overstrider_m.trc"):
        table = osim.TimeSeriesTableVec3(str(exported / name))
        assert table.getNumColumns() == 38 and table.getNumRows() == 125
        assert table.getTableMetaDataAsString("DataRate") == "60"


def test_the_import_records_which_marker_became_which_keypoint(exported):
    from runform.interop.read import read_poses_source

    poses = read_poses_source(exported / "overstrider_px.trc")
    used = json.loads(poses.attrs["source_keypoints"])
    assert used["left_foot_index"] == "LBigToe" and used["right_ear"] == "REar"
    assert len(used) == len(KEYPOINT_INDEX)
