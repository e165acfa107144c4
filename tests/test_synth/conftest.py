"""Fixtures shared by the synthetic-runner tests."""

from __future__ import annotations

import pytest

from runform.synth import PRESETS, SyntheticTruth, compute_truth


@pytest.fixture(scope="session")
def preset_truths() -> dict[str, SyntheticTruth]:
    """Ground truth of every preset, computed once."""
    return {name: compute_truth(params) for name, params in PRESETS.items()}
