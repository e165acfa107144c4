import numpy as np
import xarray as xr

from runform.io.cache import (
    compute_cache_key,
    load_cached_poses,
    resolve_cache_dir,
    store_cached_poses,
)
from runform.io.poses import create_poses_dataset


def test_key_depends_on_every_input():
    base = compute_cache_key("v", "m", {"max_side": 1280, "slowmo": 1.0})
    assert base == compute_cache_key("v", "m", {"slowmo": 1.0, "max_side": 1280})
    assert base != compute_cache_key("v2", "m", {"max_side": 1280, "slowmo": 1.0})
    assert base != compute_cache_key("v", "m2", {"max_side": 1280, "slowmo": 1.0})
    assert base != compute_cache_key("v", "m", {"max_side": 960, "slowmo": 1.0})


def test_store_and_load(tmp_path):
    ds = create_poses_dataset(np.zeros((3, 2, 33, 1)), np.ones((3, 33, 1)), np.arange(3) / 30)
    assert load_cached_poses("k", tmp_path) is None
    store_cached_poses(ds, "k", tmp_path)
    xr.testing.assert_identical(load_cached_poses("k", tmp_path), ds)
    (tmp_path / "bad.nc").write_text("corrupt")
    assert load_cached_poses("bad", tmp_path) is None
    assert not (tmp_path / "bad.nc").exists()


def test_cache_dir(tmp_path):
    assert resolve_cache_dir({"RUNFORM_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert resolve_cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "runform" / "poses"
