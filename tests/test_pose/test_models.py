import hashlib
import zipfile
from pathlib import Path

import pytest

from runform.errors import ModelUnavailableError
from runform.pose import model_build
from runform.pose.model_build import (
    DETECTOR_MEMBER,
    LANDMARKS_MEMBER,
    ModelBuildError,
    build_task_from_wheel,
    bundle_task,
)
from runform.pose.models import (
    ENV_MODEL,
    ENV_MODEL_DIR,
    ENV_WHEEL,
    build_offline_model,
    describe_models,
    load_model_recipe,
    resolve_model,
    resolve_model_dir,
)
from runform.pose.tflite_metadata import METADATA_NAME, read_metadata_buffer

from .tflite_fixtures import build_fake_tflite

REPO = Path(__file__).resolve().parents[2]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def fake_wheel(tmp_path):
    detector = build_fake_tflite([b"", b"det"], [("min_runtime_version", 1)])
    landmarks = build_fake_tflite([b"", b"lmk"], [])
    wheel = tmp_path / "mediapipe-0.10.21-cp311-cp311-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(DETECTOR_MEMBER, detector)
        z.writestr(LANDMARKS_MEMBER, landmarks)
        z.writestr("mediapipe/__init__.py", "")
    task, _ = build_task_from_wheel(wheel)
    recipe = dict(load_model_recipe()["offline_build"])
    recipe.update(
        detector_sha256=sha(detector),
        landmarks_sha256=sha(landmarks),
        task_sha256=sha(task),
    )
    return wheel, recipe


def test_bundle_members_are_aligned_and_deterministic():
    members = {
        "pose_detector.tflite": b"a" * 101,
        "pose_landmarks_detector.tflite": b"b" * 7,
    }
    first = bundle_task(members)
    assert first == bundle_task(members)
    import io

    with zipfile.ZipFile(io.BytesIO(first)) as z:
        for info in z.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            name_len, extra_len = (
                int.from_bytes(first[info.header_offset + 26 :][:2], "little"),
                int.from_bytes(first[info.header_offset + 28 :][:2], "little"),
            )
            data_start = info.header_offset + 30 + name_len + extra_len
            assert data_start % 64 == 0
            assert z.read(info) == members[info.filename]


def test_build_adds_normalisation_metadata(fake_wheel):
    wheel, recipe = fake_wheel
    import io

    task, digests = build_task_from_wheel(wheel)
    with zipfile.ZipFile(io.BytesIO(task)) as z:
        assert sorted(z.namelist()) == [
            "pose_detector.tflite",
            "pose_landmarks_detector.tflite",
        ]
        for name in z.namelist():
            assert read_metadata_buffer(z.read(name), METADATA_NAME)[4:8] == b"M001"
    assert digests == {
        "detector": recipe["detector_sha256"],
        "landmarks": recipe["landmarks_sha256"],
    }


def test_build_rejects_wrong_wheel(tmp_path, fake_wheel):
    wheel, _ = fake_wheel
    with pytest.raises(ModelBuildError, match="not the one the recipe names"):
        build_task_from_wheel(wheel, expected_source_sha256={"detector": "0" * 64})
    not_a_wheel = tmp_path / "x.whl"
    not_a_wheel.write_text("hello")
    with pytest.raises(ModelBuildError, match="not a wheel"):
        model_build.read_wheel_models(not_a_wheel)
    empty = tmp_path / "empty.whl"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("mediapipe/__init__.py", "")
    with pytest.raises(ModelBuildError, match=r"0\.10\.21"):
        model_build.read_wheel_models(empty)


def test_offline_build_writes_recipe_file(tmp_path, fake_wheel):
    wheel, recipe = fake_wheel
    out = build_offline_model(tmp_path / "models", wheel=wheel, recipe=recipe)
    assert out.name == "pose_landmarker_full.task"
    assert sha(out.read_bytes()) == recipe["task_sha256"]
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temp files left


def test_committed_recipe_and_sha256_file_agree():
    recipe = load_model_recipe()
    line = (REPO / "models" / "pose_landmarker_full.task.sha256").read_text().split()
    assert line == [
        recipe["offline_build"]["task_sha256"],
        recipe["offline_build"]["file"],
    ]


def test_resolution_order(tmp_path, monkeypatch):
    model_dir = tmp_path / "models"
    model_dir.mkdir()
    real = bundle_task({"pose_detector.tflite": b"d", "pose_landmarks_detector.tflite": b"l"})
    explicit = tmp_path / "mine.task"
    explicit.write_bytes(real)
    (model_dir / "pose_landmarker_full.task").write_bytes(real)
    env = {ENV_MODEL_DIR: str(model_dir)}
    # 1. explicit path beats everything, then the environment variable
    assert resolve_model(explicit, env={**env, ENV_MODEL: "/nope"}).source == "explicit"
    assert resolve_model(env={**env, ENV_MODEL: str(explicit)}).source == "environment"
    # 2. the cache
    found = resolve_model(env=env)
    assert (found.source, found.variant, found.sha256) == ("cache", "full", sha(real))


def test_explicit_path_problems_are_specific(tmp_path):
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        resolve_model(tmp_path / "missing.task", env={})
    bad = tmp_path / "model.tflite"
    bad.write_bytes(b"TFL3 not a zip")
    with pytest.raises(ModelUnavailableError, match=r"not a MediaPipe \.task bundle"):
        resolve_model(bad, env={})
    wrong = tmp_path / "wrong.task"
    with zipfile.ZipFile(wrong, "w") as z:
        z.writestr("hand_detector.tflite", b"x")
    with pytest.raises(ModelUnavailableError, match="expected"):
        resolve_model(wrong, env={})


def test_download_failure_falls_back_to_offline_build(tmp_path, fake_wheel, monkeypatch):
    from runform.pose import models

    wheel, recipe = fake_wheel
    calls = []

    def failing_download(url, dest, timeout_s=0):
        calls.append(url)
        raise OSError("network unreachable")

    monkeypatch.setattr(models, "download_model", failing_download)
    monkeypatch.setattr(
        models,
        "load_model_recipe",
        lambda: {**load_model_recipe(), "offline_build": recipe},
    )
    env = {ENV_MODEL_DIR: str(tmp_path / "m"), ENV_WHEEL: str(wheel)}
    found = resolve_model(env=env)
    assert calls and "pose_landmarker_full" in calls[0]
    assert found.source == "offline-build"
    assert found.sha256 == recipe["task_sha256"]
    assert resolve_model(env=env).source == "cache"


def test_nothing_works_error_says_how_to_supply_a_model(tmp_path, monkeypatch):
    from runform.pose import models

    monkeypatch.setattr(
        models,
        "download_model",
        lambda *a, **k: (_ for _ in ()).throw(OSError("offline")),
    )
    env = {ENV_MODEL_DIR: str(tmp_path)}
    with pytest.raises(ModelUnavailableError) as info:
        resolve_model(env=env, allow_network=False)
    text = str(info.value)
    for needle in ("--model", ENV_MODEL, str(tmp_path), ENV_WHEEL):
        assert needle in text
    with pytest.raises(ModelUnavailableError, match="only the full model can be built"):
        resolve_model(variant="heavy", env=env)
    with pytest.raises(ModelUnavailableError, match="unknown model variant"):
        resolve_model(variant="huge", env=env)


def test_model_dir_defaults(tmp_path):
    assert resolve_model_dir({ENV_MODEL_DIR: str(tmp_path)}) == tmp_path
    # running from this checkout, the repo's models/ folder is the cache
    assert resolve_model_dir({}) == REPO / "models"
    info = describe_models({ENV_MODEL_DIR: str(tmp_path)})
    assert info["model_dir"] == str(tmp_path)
    assert set(info["variants"]) == {"lite", "full", "heavy"}
    assert not any(v["present"] for v in info["variants"].values())
