"""Build ``pose_landmarker_full.task`` offline from the mediapipe 0.10.21 wheel.

The legacy MediaPipe wheel (``mediapipe==0.10.21`` on PyPI) ships the BlazePose
detector and the *full* landmark model as plain ``.tflite`` files. The Tasks
API needs them (a) with TFLite metadata that states the input normalisation,
and (b) bundled as a ``.task`` zip holding ``pose_detector.tflite`` and
``pose_landmarks_detector.tflite``. This module does both, deterministically:
the same wheel always gives a byte-identical bundle, so its sha256 can be
committed and checked.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from runform.pose.tflite_metadata import (
    ImageModelSpec,
    attach_metadata,
    build_image_model_metadata,
)

DETECTOR_MEMBER = "mediapipe/modules/pose_detection/pose_detection.tflite"
LANDMARKS_MEMBER = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"

DETECTOR_SPEC = ImageModelSpec(
    name="BlazePose detector",
    description="Detects people for BlazePose (SSD, 224x224 input).",
    input_width=224,
    input_height=224,
    mean=(127.5,),
    std=(127.5,),
    output_names=("raw_boxes", "scores"),
)
"""Detector input: pixels scaled to [-1, 1]."""

LANDMARKS_SPEC = ImageModelSpec(
    name="BlazePose GHUM 3D full",
    description="33 pose landmarks on a 256x256 person crop.",
    input_width=256,
    input_height=256,
    mean=(0.0,),
    std=(255.0,),
    output_names=(
        "landmarks",
        "presence",
        "segmentation",
        "heatmap",
        "world_landmarks",
    ),
)
"""Landmark model input: pixels scaled to [0, 1]."""

_BUNDLE_DETECTOR = "pose_detector.tflite"
_BUNDLE_LANDMARKS = "pose_landmarks_detector.tflite"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_ZIP_DATA_ALIGN = 64
_ZIP_PADDING_HEADER_ID = 0xD935  # the id Android's zipalign uses for padding


class ModelBuildError(RuntimeError):
    """The wheel does not hold the expected models, or their hashes differ."""


@dataclass(frozen=True)
class BuiltModel:
    """The result of an offline build.

    Attributes
    ----------
    path
        Where the ``.task`` bundle was written.
    sha256
        Hex digest of the bundle.
    source_sha256
        Hex digests of the two ``.tflite`` members read from the wheel.
    """

    path: Path
    sha256: str
    source_sha256: Mapping[str, str]


def compute_sha256(data: bytes) -> str:
    """Return the hex sha256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def read_wheel_models(wheel: Path) -> tuple[bytes, bytes]:
    """Read the detector and full landmark ``.tflite`` files from a wheel.

    Parameters
    ----------
    wheel
        Path of a ``mediapipe-0.10.21-*.whl`` file (any platform).

    Returns
    -------
    tuple of bytes
        ``(detector, landmarks)`` model bytes.

    Raises
    ------
    ModelBuildError
        If the file is not a zip or lacks either model.
    """
    try:
        with zipfile.ZipFile(wheel) as archive:
            return archive.read(DETECTOR_MEMBER), archive.read(LANDMARKS_MEMBER)
    except zipfile.BadZipFile as err:
        raise ModelBuildError(f"{wheel} is not a wheel (zip) file") from err
    except KeyError as err:
        raise ModelBuildError(
            f"{wheel} does not contain {err.args[0]}; expected the mediapipe==0.10.21 "
            "wheel, which ships the legacy pose models"
        ) from err


def _aligned_zip_info(name: str, offset: int) -> zipfile.ZipInfo:
    """Return a ZipInfo whose data starts on a 64-byte boundary (zipalign-style).

    TFLite reads weights straight from the bundle; unaligned data forces it
    to copy every tensor.
    """
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_STORED
    header = 30 + len(name.encode()) + 4  # local header + name + padding record
    pad = (-(offset + header)) % _ZIP_DATA_ALIGN
    info.extra = _ZIP_PADDING_HEADER_ID.to_bytes(2, "little") + pad.to_bytes(2, "little")
    info.extra += b"\0" * pad
    return info


def bundle_task(members: Mapping[str, bytes]) -> bytes:
    """Zip model files into a deterministic, aligned ``.task`` bundle.

    Parameters
    ----------
    members
        File name inside the bundle to file contents, written in this order.

    Returns
    -------
    bytes
        The zip file, uncompressed, with fixed timestamps and each member's
        data aligned to 64 bytes.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(_aligned_zip_info(name, buffer.tell()), data)
    return buffer.getvalue()


def build_full_task(detector: bytes, landmarks: bytes) -> bytes:
    """Add Tasks-API metadata to the legacy models and bundle them.

    Parameters
    ----------
    detector, landmarks
        The ``pose_detection.tflite`` and ``pose_landmark_full.tflite`` bytes.

    Returns
    -------
    bytes
        The contents of ``pose_landmarker_full.task``.
    """
    return bundle_task(
        {
            _BUNDLE_DETECTOR: attach_metadata(detector, build_image_model_metadata(DETECTOR_SPEC)),
            _BUNDLE_LANDMARKS: attach_metadata(
                landmarks, build_image_model_metadata(LANDMARKS_SPEC)
            ),
        }
    )


def build_task_from_wheel(
    wheel: Path,
    *,
    expected_source_sha256: Mapping[str, str] | None = None,
) -> tuple[bytes, dict[str, str]]:
    """Build the full-model bundle from a mediapipe 0.10.21 wheel.

    Parameters
    ----------
    wheel
        Path of the wheel.
    expected_source_sha256
        Optional digests of the two members (keys ``"detector"`` and
        ``"landmarks"``); a mismatch raises :class:`ModelBuildError`.

    Returns
    -------
    tuple
        ``(task_bytes, source_sha256)``.
    """
    detector, landmarks = read_wheel_models(wheel)
    digests = {
        "detector": compute_sha256(detector),
        "landmarks": compute_sha256(landmarks),
    }
    for key, expected in (expected_source_sha256 or {}).items():
        if digests[key] != expected:
            raise ModelBuildError(
                f"the {key} model in {wheel.name} has sha256 {digests[key]}, "
                f"expected {expected}; the wheel is not the one the recipe names"
            )
    return build_full_task(detector, landmarks), digests
