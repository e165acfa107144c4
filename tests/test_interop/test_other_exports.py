"""The .mot, the DeepLabCut CSV and the per-stride CSVs, checked against their formats."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from runform.gait.analyze import analyze_gait
from runform.gait.kinematics import ANGLE_DESCRIPTIONS

from .specs import check_mot, read_dlc_csv

DATA = Path(__file__).parent.parent / "data" / "sports2d"


def test_the_mot_rules_catch_sports2ds_column_count():
    """Sports2D's own .mot leaves the time column out of nColumns; OpenSim counts it."""
    text = (DATA / "runner_Sports2D_angles_person00.mot").read_text()
    with pytest.raises(AssertionError, match="nColumns counts every column"):
        check_mot(text)
    columns = check_mot(text, columns_with_time=False)
    assert len(columns["time"]) == 125 and "right knee" in columns


def test_mot_follows_opensim_and_holds_runforms_own_angles(exported, poses):
    columns = check_mot((exported / "overstrider_angles.mot").read_text())
    angles = analyze_gait(poses).angles
    np.testing.assert_allclose(columns["time"], angles["time"].values)
    assert set(columns) - {"time"} == {n for n in angles.data_vars}
    for name, values in columns.items():
        if name != "time":
            np.testing.assert_allclose(values, angles[name].values, atol=5e-7, err_msg=name)
            base = name.removeprefix("left_").removeprefix("right_")
            assert base in ANGLE_DESCRIPTIONS


def test_opensim_reads_the_mot(exported):
    osim = pytest.importorskip("opensim")
    table = osim.TimeSeriesTable(str(exported / "overstrider_angles.mot"))
    assert table.getNumRows() == 125 and table.getTableMetaDataAsString("inDegrees") == "yes"


def test_dlc_csv_follows_deeplabcut(exported, poses):
    table = read_dlc_csv((exported / "overstriderDLC_runform.csv").read_text())
    assert table["levels"] == ["scorer", "bodyparts", "coords"]
    assert table["bodyparts"] == [str(k) for k in poses["keypoint"].values]
    assert table["index"] == list(range(poses.sizes["time"]))
    position = poses["position"].isel(individual=0).transpose("time", "keypoint", "space").values
    np.testing.assert_array_equal(table["values"][..., :2].astype(np.float32), position)
    confidence = poses["confidence"].isel(individual=0).values
    np.testing.assert_array_equal(table["values"][..., 2].astype(np.float32), confidence)


def test_movement_loads_the_dlc_csv(exported, poses):
    load_poses = pytest.importorskip("movement.io.load_poses")
    ds = load_poses.from_dlc_file(exported / "overstriderDLC_runform.csv", fps=60)
    position = ds["position"].values.astype(np.float32)
    np.testing.assert_array_equal(position, poses["position"].values)


def test_multi_individual_dlc_csv_has_the_individuals_row():
    from runform.interop.dlc import DlcTable, format_dlc_csv, parse_dlc_csv

    rng = np.random.default_rng(0)
    table = DlcTable("runform", ("person_0", "person_1"), ("nose", "left_hip"), np.arange(4),
                     rng.random((4, 2, 2, 2)), rng.random((4, 2, 2)))  # fmt: skip
    text = format_dlc_csv(table)
    spec = read_dlc_csv(text)
    assert spec["levels"] == ["scorer", "individuals", "bodyparts", "coords"]
    back = parse_dlc_csv(text)
    assert back.individuals == ("person_0", "person_1")
    np.testing.assert_array_equal(back.position, table.position)
    np.testing.assert_array_equal(back.likelihood, table.likelihood)


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_strides_csv_has_one_row_per_stride_with_checkpoint_values(exported, reference):
    rows = _rows(exported / "overstrider_strides.csv")
    assert len(rows) == len(reference["strides"])
    for row, stride in zip(rows, reference["strides"], strict=True):
        assert row["side"] == stride["side"]
        assert float(row["start_s [s]"]) == stride["start_s"]
        assert float(row["contact_ms [ms]"]) == stride["contact_ms"]
    fall = next(c for c in reference["checkpoints"] if c["id"] == "fall_angle")
    values = [float(r["checkpoint.fall_angle [deg]"]) for r in rows]
    assert values == [s["value"] for s in fall["details"]["per_stride"]]
    assert float(rows[0]["initial_contact.knee_flexion [deg]"]) == \
        reference["stride_angles"][0]["values_deg"]["initial_contact"]["knee_flexion"]  # fmt: skip


def test_events_csv_lists_every_event_in_time_order(exported, reference):
    rows = _rows(exported / "overstrider_events.csv")
    assert [(r["side"], r["type"], float(r["time_s"])) for r in rows] == \
        [(e["side"], e["type"], e["time_s"]) for e in reference["events"]]  # fmt: skip
