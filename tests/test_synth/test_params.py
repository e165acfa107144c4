from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from runform.synth import PRESETS, RunnerParams, get_preset

REQUIRED_PRESETS = {"pose_runner", "heel_striker", "waist_bender", "treadmill", "slow_fps"}


def test_required_presets_exist_and_are_valid():
    assert set(PRESETS) >= REQUIRED_PRESETS
    for params in PRESETS.values():
        assert isinstance(params, RunnerParams)
        assert isinstance(params.fps, Fraction)


def test_preset_characteristics():
    pose, heel = PRESETS["pose_runner"], PRESETS["heel_striker"]
    assert pose.foot_strike in ("forefoot", "midfoot")
    assert heel.foot_strike == "heel"
    assert heel.cadence_spm < pose.cadence_spm
    assert heel.overstride_cm > pose.overstride_cm
    assert heel.knee_flexion_at_contact_deg < pose.knee_flexion_at_contact_deg
    assert heel.pull_height_frac < pose.pull_height_frac
    assert PRESETS["waist_bender"].waist_bend_deg > 5
    assert PRESETS["treadmill"].setting == "treadmill"
    assert PRESETS["slow_fps"].frame_rate == 30


def test_get_preset_unknown_name_lists_known():
    with pytest.raises(KeyError, match="pose_runner"):
        get_preset("nope")
    assert get_preset("pose_runner") == PRESETS["pose_runner"]


@pytest.mark.parametrize(
    ("fps", "expected"),
    [
        (60, Fraction(60)),
        ("30000/1001", Fraction(30000, 1001)),
        (30000 / 1001, Fraction(30000, 1001)),
        (29.97, Fraction(2997, 100)),
        (Fraction(240), Fraction(240)),
    ],
)
def test_fps_is_stored_as_exact_fraction(fps, expected):
    params = RunnerParams(fps=fps)
    assert params.frame_rate == expected
    assert params.to_dict()["fps"] == f"{expected.numerator}/{expected.denominator}"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cadence_spm", 90.0, "cadence_spm must be in"),
        ("duty_factor", 0.6, "duty_factor must be in"),
        ("knee_flexion_at_contact_deg", float("nan"), "knee_flexion_at_contact_deg"),
        ("foot_strike", "toe", "foot_strike must be one of"),
        ("direction", "up", "direction must be one of"),
        ("setting", "track", "setting must be one of"),
        ("width_px", 10, "width_px must be an int"),
        ("height_px", 720.0, "height_px must be an int"),
        ("fps", "fast", "fps must be a number"),
        ("fps", 5, "fps must be in"),
        ("duration_s", -1.0, "duration_s"),
        ("seed", -3, "seed"),
        ("first_contact_phase", 1.0, "first_contact_phase"),
    ],
)
def test_invalid_values_are_rejected_with_the_field_name(field, value, message):
    with pytest.raises(ValueError, match=message):
        RunnerParams(**{field: value})


def test_foot_angle_must_agree_with_strike_style():
    with pytest.raises(ValueError, match="contradicts foot_strike='heel'"):
        RunnerParams(foot_strike="heel", foot_angle_at_contact_deg=-5.0)
    params = RunnerParams(foot_strike="heel", foot_angle_at_contact_deg=20.0, overstride_cm=30)
    assert params.foot_angle_deg == 20.0
    assert RunnerParams(foot_strike="forefoot").foot_angle_deg < 0


def test_trunk_lean_and_waist_bend_are_exclusive():
    with pytest.raises(ValueError, match="exactly one of trunk_lean_deg and waist_bend_deg"):
        RunnerParams(trunk_lean_deg=5.0, waist_bend_deg=10.0)
    with pytest.raises(ValueError, match="exactly one"):
        RunnerParams(trunk_lean_deg=None)
    bent = PRESETS["pose_runner"].with_overrides(waist_bend_deg=10.0)
    assert bent.trunk_lean_deg is None
    back = bent.with_overrides(trunk_lean_deg=4.0)
    assert back.waist_bend_deg is None


def test_infeasible_gait_names_the_fields_to_change():
    with pytest.raises(ValueError, match=r"stance is too long.*speed_mps"):
        RunnerParams(speed_mps=6.0, duty_factor=0.45, cadence_spm=150)
    with pytest.raises(ValueError, match="overstride_cm"):
        RunnerParams(overstride_cm=60.0, foot_strike="heel", body_height_cm=120.0)


def test_with_overrides_revalidates_and_is_frozen():
    params = PRESETS["pose_runner"]
    with pytest.raises(ValueError):
        params.with_overrides(cadence_spm=10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.cadence_spm = 170  # type: ignore[misc]
    assert params.with_overrides(seed=9).seed == 9


def test_to_dict_round_trips():
    params = PRESETS["ntsc_portrait"]
    assert RunnerParams(**params.to_dict()) == params
