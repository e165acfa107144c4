"""The offline-built model gives the stored landmarks on a fixed image.

The image is a frozen frame of the synthetic runner, committed with the
landmarks the built ``pose_landmarker_full.task`` produced on it and the
runner's exact joint positions. If the metadata (input normalisation) were
wrong, MediaPipe would still run but the landmarks would drift or vanish.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from runform.pose.landmarker import PoseLandmarker

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def reference():
    return json.loads((DATA / "reference_landmarks.json").read_text())


@pytest.fixture(scope="module")
def detected(pose_model, reference):
    bgr = cv2.imread(str(DATA / reference["image"]))
    rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    with PoseLandmarker(pose_model.path, mode="image") as landmarker:
        found = landmarker.detect(rgb)
    assert found.n_people == 1
    return found, rgb.shape[1], rgb.shape[0]


def test_landmarks_match_stored_reference(detected, reference, pose_model):
    found, width, height = detected
    expected = np.array(reference["landmarks_normalized_xy"])
    drift_px = np.linalg.norm((found.normalized[0] - expected) * [width, height], axis=1)
    if pose_model.sha256 == reference["model_sha256"]:
        assert drift_px.max() < 1.0  # same model, same image: same answer
    else:  # another MediaPipe model (e.g. an official download): close, not equal
        assert np.median(drift_px) < 0.03 * reference["body_height_px"]


def test_landmarks_match_truth(detected, reference):
    found, width, height = detected
    truth = np.array(reference["truth_px_xy"])
    error = np.linalg.norm(found.normalized[0] * [width, height] - truth, axis=1)
    assert np.median(error[11:]) < 0.03 * reference["body_height_px"]
    assert np.all(found.visibility[0][[11, 12, 23, 24]] > 0.5)
