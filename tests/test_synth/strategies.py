"""Hypothesis strategies for the synthetic-runner tests."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import assume
from hypothesis import strategies as st

from runform.synth import RunnerParams


@st.composite
def runner_params(draw: st.DrawFn) -> RunnerParams:
    """Random valid runner parameters (infeasible draws are rejected)."""
    kw = {
        "cadence_spm": draw(st.floats(165, 200)),
        "duty_factor": draw(st.floats(0.26, 0.36)),
        "speed_mps": draw(st.floats(2.0, 3.2)),
        "knee_flexion_at_contact_deg": draw(st.floats(15, 40)),
        "overstride_cm": draw(st.floats(15, 35)),
        "foot_strike": draw(st.sampled_from(["heel", "midfoot", "forefoot"])),
        "vertical_oscillation_cm": draw(st.floats(4, 9)),
        "pull_height_frac": draw(st.floats(0.30, 0.55)),
        "pull_behind_hip_cm": draw(st.floats(0, 20)),
        "trunk_lean_deg": draw(st.floats(-5, 20)),
        "arm_swing_deg": draw(st.floats(20, 90)),
        "body_height_cm": draw(st.floats(150, 200)),
        "direction": draw(st.sampled_from(["right", "left"])),
        "setting": draw(st.sampled_from(["overground", "treadmill", "tracking"])),
        "first_contact_phase": draw(st.floats(0, 0.99)),
        "fps": draw(st.sampled_from([30, 50, 60, Fraction(30000, 1001), 120, 240])),
        "duration_s": draw(st.floats(1.0, 2.5)),
        "width_px": draw(st.integers(320, 1280)),
        "height_px": draw(st.integers(240, 720)),
    }
    try:
        return RunnerParams(**kw)
    except ValueError:
        assume(False)
        raise
