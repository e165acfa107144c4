"""Find, download or build the MediaPipe pose landmarker model.

Resolution order (first hit wins):

1. an explicit path: the ``--model`` option, else the ``RUNFORM_MODEL``
   environment variable. A path that does not exist is an error, never
   silently replaced by another model;
2. a cached bundle in the model folder (``RUNFORM_MODEL_DIR``, else the
   ``models/`` folder of a source checkout, else ``~/.cache/runform/models``);
3. the official download of the lite, full or heavy bundle;
4. for the full model only, an offline build from the ``mediapipe==0.10.21``
   wheel on PyPI (see :mod:`runform.pose.model_build`). A local copy of that
   wheel can be named with ``RUNFORM_MEDIAPIPE_WHEEL``; otherwise it is fetched
   with ``pip download``, which works wherever the package index does.

The recipe (URLs, wheel members, sha256 digests) lives in
``pose_models.toml`` beside this module; the binaries are never committed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from runform.errors import ModelUnavailableError
from runform.pose.model_build import ModelBuildError, build_task_from_wheel

Variant = Literal["lite", "full", "heavy"]
VARIANTS: tuple[str, ...] = ("lite", "full", "heavy")
ModelSource = Literal["explicit", "environment", "cache", "download", "offline-build"]

ENV_MODEL = "RUNFORM_MODEL"
ENV_MODEL_DIR = "RUNFORM_MODEL_DIR"
ENV_WHEEL = "RUNFORM_MEDIAPIPE_WHEEL"
DOWNLOAD_TIMEOUT_S = 20.0

Reporter = Callable[[str], None]


@dataclass(frozen=True)
class ResolvedModel:
    """A pose model bundle ready for MediaPipe.

    Attributes
    ----------
    path
        The ``.task`` file.
    variant
        ``"lite"``, ``"full"``, ``"heavy"``, or ``"custom"`` for an explicit file.
    source
        How it was found: explicit, environment, cache, download or offline-build.
    sha256
        Hex digest of the file.
    """

    path: Path
    variant: str
    source: ModelSource
    sha256: str

    @property
    def name(self) -> str:
        """The file name without extension, e.g. ``pose_landmarker_full``."""
        return self.path.stem


def load_model_recipe() -> dict[str, Any]:
    """Read the committed model recipe (``pose_models.toml``)."""
    text = resources.files("runform.pose").joinpath("pose_models.toml").read_text()
    return tomllib.loads(text)


def resolve_model_dir(env: Mapping[str, str] | None = None) -> Path:
    """Return the folder where model bundles are cached.

    Parameters
    ----------
    env
        Environment to read ``RUNFORM_MODEL_DIR`` from (default: the process's).

    Returns
    -------
    Path
        ``$RUNFORM_MODEL_DIR``; else ``models/`` of the source checkout that
        holds this package; else ``$XDG_CACHE_HOME/runform/models`` (default
        ``~/.cache/runform/models``). The folder may not exist yet.
    """
    env = os.environ if env is None else env
    if env.get(ENV_MODEL_DIR):
        return Path(env[ENV_MODEL_DIR]).expanduser()
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "pyproject.toml").is_file() and (checkout / "models").is_dir():
        return checkout / "models"
    cache_home = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "runform" / "models"


def compute_file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_bundle(path: Path) -> None:
    """Raise ModelUnavailableError unless ``path`` looks like a pose bundle."""
    if not path.is_file():
        raise ModelUnavailableError(
            f"model file {path} does not exist",
            hint=f"pass an existing .task file, or unset {ENV_MODEL} to let runform "
            "provide one (`runform models fetch`)",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as err:
        raise ModelUnavailableError(
            f"model file {path} is not a MediaPipe .task bundle (not a zip file)",
            hint="use a pose_landmarker_*.task file from MediaPipe or `runform models fetch`",
        ) from err
    expected = {"pose_detector.tflite", "pose_landmarks_detector.tflite"}
    if not expected <= names:
        raise ModelUnavailableError(
            f"model file {path} holds {sorted(names)}, expected {sorted(expected)}",
            hint="use a pose_landmarker_*.task bundle, not a single .tflite model",
        )


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
        scratch = Path(tmp.name)
        try:
            tmp.write(data)
        except BaseException:
            scratch.unlink(missing_ok=True)
            raise
    try:
        scratch.replace(path)
    finally:
        scratch.unlink(missing_ok=True)


def download_model(url: str, dest: Path, *, timeout_s: float = DOWNLOAD_TIMEOUT_S) -> Path:
    """Download a model bundle to ``dest`` (temporary name, then rename).

    Raises
    ------
    OSError
        If the download fails for any network or HTTP reason.
    """
    request = urllib.request.Request(url, headers={"User-Agent": "runform"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        data = response.read()
    _write_atomically(dest, data)
    return dest


def fetch_legacy_wheel(
    requirement: str, dest_dir: Path, *, platform: str, python_version: str
) -> Path:
    """Download the legacy mediapipe wheel with ``pip download`` (no dependencies).

    Returns
    -------
    Path
        The downloaded ``.whl`` file.

    Raises
    ------
    OSError
        If pip fails (for example, no package index is reachable).
    """
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
        "--only-binary=:all:", "--platform", platform,
        "--python-version", python_version, "--dest", str(dest_dir), requirement,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(dest_dir.glob("mediapipe-*.whl"))
    if result.returncode != 0 or not wheels:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise OSError(f"pip download {requirement} failed: {last}")
    return wheels[0]


def build_offline_model(
    dest_dir: Path,
    *,
    wheel: Path | None = None,
    recipe: Mapping[str, Any] | None = None,
    report: Reporter | None = None,
) -> Path:
    """Build ``pose_landmarker_full.task`` from the legacy wheel into ``dest_dir``.

    Parameters
    ----------
    dest_dir
        Model folder; the bundle is written there under its recipe name.
    wheel
        A local ``mediapipe==0.10.21`` wheel; fetched with pip when ``None``.
    recipe
        The ``[offline_build]`` table of the recipe (default: the committed one).
    report
        Called with progress messages.

    Returns
    -------
    Path
        The built bundle, whose sha256 matches the recipe.
    """
    spec = recipe if recipe is not None else load_model_recipe()["offline_build"]
    say = report or (lambda _msg: None)
    with tempfile.TemporaryDirectory(prefix="runform-wheel-") as tmp:
        if wheel is None:
            say(f"downloading {spec['requirement']} (model files only are used)")
            wheel = fetch_legacy_wheel(
                spec["requirement"], Path(tmp),
                platform=spec["wheel_platform"], python_version=spec["wheel_python_version"],
            )  # fmt: skip
        say(f"building {spec['file']} from {wheel.name}")
        task, _ = build_task_from_wheel(
            wheel,
            expected_source_sha256={
                "detector": spec["detector_sha256"],
                "landmarks": spec["landmarks_sha256"],
            },
        )
    digest = hashlib.sha256(task).hexdigest()
    if digest != spec["task_sha256"]:
        raise ModelBuildError(
            f"built bundle has sha256 {digest}, recipe says {spec['task_sha256']}"
        )
    dest = dest_dir / spec["file"]
    _write_atomically(dest, task)
    return dest


def _explicit_model(explicit: Path | None, env: Mapping[str, str]) -> ResolvedModel | None:
    if explicit is not None:
        source: ModelSource = "explicit"
        path = Path(explicit).expanduser()
    elif env.get(ENV_MODEL):
        source = "environment"
        path = Path(env[ENV_MODEL]).expanduser()
    else:
        return None
    _check_bundle(path)
    return ResolvedModel(path, "custom", source, compute_file_sha256(path))


def _unavailable(variant: str, model_dir: Path, problems: list[str]) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"no pose model available for variant '{variant}': " + "; ".join(problems),
        hint=(
            "supply a model file in any of these ways: "
            f"(1) `--model /path/to/pose_landmarker_{variant}.task`; "
            f"(2) `export {ENV_MODEL}=/path/to/pose_landmarker_{variant}.task`; "
            f"(3) copy the file to {model_dir}/pose_landmarker_{variant}.task; "
            f"(4) for the full model, put a downloaded mediapipe-0.10.21 wheel at a path "
            f"named by {ENV_WHEEL} and run `runform models fetch`. "
            "Official bundles: https://ai.google.dev/edge/mediapipe/solutions/vision/pose_landmarker"
        ),
    )


def resolve_model(
    explicit: Path | None = None,
    *,
    variant: str = "full",
    allow_network: bool = True,
    env: Mapping[str, str] | None = None,
    report: Reporter | None = None,
) -> ResolvedModel:
    """Return a usable pose model, provisioning it on first use.

    Parameters
    ----------
    explicit
        A ``.task`` path given by the user; overrides everything else.
    variant
        ``"lite"``, ``"full"`` or ``"heavy"``.
    allow_network
        If False, only an explicit or cached model (or a local wheel named by
        ``RUNFORM_MEDIAPIPE_WHEEL``) is used.
    env
        Environment variables (default: the process's).
    report
        Called with progress messages.

    Returns
    -------
    ResolvedModel
        The model and how it was found.

    Raises
    ------
    ModelUnavailableError
        When no step of the resolution order yields a model. The message
        says what was tried and how to supply a file.
    """
    env = os.environ if env is None else env
    say = report or (lambda _msg: None)
    if variant not in VARIANTS:
        raise ModelUnavailableError(
            f"unknown model variant '{variant}'",
            hint=f"choose one of {', '.join(VARIANTS)}",
        )
    found = _explicit_model(explicit, env)
    if found is not None:
        return found
    recipe = load_model_recipe()
    entry = recipe["variants"][variant]
    model_dir = resolve_model_dir(env)
    cached = model_dir / entry["file"]
    if cached.is_file():
        _check_bundle(cached)
        return ResolvedModel(cached, variant, "cache", compute_file_sha256(cached))
    problems = [f"no cached file {cached}"]
    if allow_network:
        try:
            say(f"downloading {entry['url']}")
            download_model(entry["url"], cached)
            _check_bundle(cached)
            return ResolvedModel(cached, variant, "download", compute_file_sha256(cached))
        except (OSError, urllib.error.URLError, ModelUnavailableError) as err:
            cached.unlink(missing_ok=True)
            problems.append(f"download failed ({err})")
            say(f"download failed: {err}")
    return _build_or_fail(variant, model_dir, recipe, env, problems, allow_network, say)


def _build_or_fail(
    variant: str,
    model_dir: Path,
    recipe: Mapping[str, Any],
    env: Mapping[str, str],
    problems: list[str],
    allow_network: bool,
    say: Reporter,
) -> ResolvedModel:
    spec = recipe["offline_build"]
    if variant != spec["variant"]:
        problems.append(f"only the {spec['variant']} model can be built offline")
        raise _unavailable(variant, model_dir, problems)
    wheel = Path(env[ENV_WHEEL]).expanduser() if env.get(ENV_WHEEL) else None
    if wheel is None and not allow_network:
        problems.append(f"network disabled and {ENV_WHEEL} not set")
        raise _unavailable(variant, model_dir, problems)
    try:
        path = build_offline_model(model_dir, wheel=wheel, recipe=spec, report=say)
    except (OSError, ModelBuildError) as err:
        problems.append(f"offline build failed ({err})")
        raise _unavailable(variant, model_dir, problems) from err
    return ResolvedModel(path, variant, "offline-build", compute_file_sha256(path))


def describe_models(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Summarise the model folder and each variant's state, for ``models info``.

    Returns
    -------
    dict
        ``model_dir``, ``explicit`` (the ``RUNFORM_MODEL`` value or None) and a
        ``variants`` mapping with each file's path, presence, size in bytes,
        sha256, and whether it matches the recipe where the recipe has one.
    """
    env = os.environ if env is None else env
    recipe = load_model_recipe()
    model_dir = resolve_model_dir(env)
    variants: dict[str, dict[str, Any]] = {}
    for name, entry in recipe["variants"].items():
        path = model_dir / entry["file"]
        info: dict[str, Any] = {
            "path": str(path),
            "present": path.is_file(),
            "url": entry["url"],
        }
        if path.is_file():
            info["size_bytes"] = path.stat().st_size
            info["sha256"] = compute_file_sha256(path)
            if name == recipe["offline_build"]["variant"]:
                info["matches_offline_recipe"] = (
                    info["sha256"] == recipe["offline_build"]["task_sha256"]
                )
        variants[name] = info
    return {
        "model_dir": str(model_dir),
        "explicit": env.get(ENV_MODEL),
        "variants": variants,
    }
