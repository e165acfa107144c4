import csv

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from runform.errors import InputFileError
from runform.io.poses import (
    append_log,
    create_poses_dataset,
    export_poses_csv,
    load_poses,
    read_log,
    save_poses,
    validate_poses,
)
from runform.skeleton import KEYPOINT_NAMES


def make_poses(n_time=5, rng=None, missing=(2,)):
    rng = rng or np.random.default_rng(0)
    position = rng.uniform(0, 640, (n_time, 2, 33, 1)).astype(np.float32)
    position[list(missing)] = np.nan
    confidence = rng.uniform(0, 1, (n_time, 33, 1)).astype(np.float32)
    world = rng.normal(0, 0.5, (n_time, 3, 33, 1)).astype(np.float32)
    time = np.cumsum(rng.uniform(0.01, 0.05, n_time))
    return create_poses_dataset(
        position,
        confidence,
        time,
        presence=confidence,
        world_position=world,
        attrs={"fps": 30.0},
    )


def test_schema_follows_movement():
    ds = make_poses()
    assert ds.attrs["ds_type"] == "poses"
    assert ds["position"].dims == ("time", "space", "keypoint", "individual")
    assert ds["confidence"].dims == ("time", "keypoint", "individual")
    assert ds["world_position"].dims == (
        "time",
        "world_space",
        "keypoint",
        "individual",
    )
    assert list(ds["space"].values) == ["x", "y"]
    assert tuple(ds["keypoint"].values) == KEYPOINT_NAMES
    assert list(ds["individual"].values) == ["runner"]
    assert ds["position"].attrs["units"] == "px"
    assert ds["world_position"].attrs["units"] == "m"
    assert validate_poses(ds) is ds


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"position": np.zeros((4, 2, 33, 1))}, "position.*shape"),
        ({"confidence": np.zeros((5, 32, 1))}, "confidence.*shape"),
        ({"time_s": np.array([0.0, 0.1, 0.1, 0.2, 0.3])}, "strictly increasing"),
    ],
)
def test_create_rejects_bad_inputs(kwargs, match):
    base = {
        "position": np.zeros((5, 2, 33, 1)),
        "confidence": np.zeros((5, 33, 1)),
        "time_s": np.arange(5) / 30,
    }
    base.update(kwargs)
    with pytest.raises(ValueError, match=match):
        create_poses_dataset(base["position"], base["confidence"], base["time_s"])


def test_validate_rejects_other_datasets():
    with pytest.raises(ValueError, match="ds_type"):
        validate_poses(xr.Dataset())


def test_save_load_round_trip(tmp_path):
    ds = append_log(make_poses(), "unit_test", cutoff_hz=6.0)
    path = save_poses(ds, tmp_path / "sub" / "poses.nc")
    loaded = load_poses(path)
    xr.testing.assert_identical(loaded, ds)
    assert read_log(loaded)[0]["operation"] == "unit_test"
    assert read_log(loaded)[0]["cutoff_hz"] == 6.0
    assert sorted(p.name for p in path.parent.iterdir()) == ["poses.nc"]


def test_load_errors_are_specific(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        load_poses(tmp_path / "none.nc")
    junk = tmp_path / "junk.nc"
    junk.write_text("not netcdf")
    with pytest.raises(InputFileError, match="not a readable netCDF"):
        load_poses(junk)
    other = tmp_path / "other.nc"
    xr.Dataset({"a": ("x", [1, 2])}).to_netcdf(other, engine="h5netcdf")
    with pytest.raises(InputFileError, match="not a runform poses file"):
        load_poses(other)


def test_csv_export(tmp_path):
    ds = make_poses()
    path = export_poses_csv(ds, tmp_path / "poses.csv")
    rows = list(csv.reader(path.open()))
    assert rows[0][:5] == [
        "frame",
        "time_s",
        "runner.nose.x_px",
        "runner.nose.y_px",
        "runner.nose.confidence",
    ]
    assert len(rows) == 1 + ds.sizes["time"]
    assert len(rows[0]) == 2 + 33 * 3
    assert float(rows[1][2]) == pytest.approx(float(ds["position"][0, 0, 0, 0]), abs=1e-3)
    assert rows[3][2] == ""  # frame 2 is missing


@settings(max_examples=25, deadline=None)
@given(n_time=st.integers(1, 20), seed=st.integers(0, 1000))
def test_log_is_append_only_and_input_untouched(n_time, seed):
    ds = make_poses(n_time, np.random.default_rng(seed), missing=())
    once = append_log(ds, "a", x=1)
    twice = append_log(once, "b")
    assert read_log(ds) == []
    assert [e["operation"] for e in read_log(twice)] == ["a", "b"]
    xr.testing.assert_equal(twice["position"], ds["position"])
