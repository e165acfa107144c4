"""The rubric is data: the default loads, a coach's file overrides it by id."""

from __future__ import annotations

from pathlib import Path

import pytest

from runform.checkpoints.rubric import ELEMENTS, RubricError, load_rubric

REQUIRED = {
    "pose_alignment",
    "support_knee_bend",
    "ball_of_foot_landing",
    "landing_under_gcm",
    "fall_angle",
    "waist_bend",
    "pull_timing",
    "pull_under_hip",
    "cadence",
    "vertical_oscillation",
    "arm_carriage",
}
DRILLS = {
    "pose_stance",
    "pony",
    "change_of_support",
    "foot_tap",
    "wall_fall",
    "timber_fall",
    "front_lean",
    "hamstring_pull",
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "coach.toml"
    path.write_text(text)
    return path


def test_default_rubric_has_the_required_checkpoints_and_drills():
    rubric = load_rubric()
    ids = {c.id for c in rubric.checkpoints}
    assert ids >= REQUIRED
    assert set(rubric.drills) >= DRILLS
    for checkpoint in rubric.checkpoints:
        assert checkpoint.element in ELEMENTS
        assert checkpoint.cue and checkpoint.band.message
        assert checkpoint.drills, checkpoint.id
        assert all(d in rubric.drills for d in checkpoint.drills)
        assert 0 < checkpoint.band.warn < checkpoint.band.fail


def test_fall_angle_is_not_scored_on_treadmill_or_tracking():
    applies = load_rubric().get("fall_angle").applies
    assert "treadmill" not in applies and "tracking" not in applies
    assert "overground" in applies


def test_override_changes_only_the_given_fields(tmp_path):
    rubric = load_rubric(
        write(tmp_path, '[[checkpoints]]\nid = "cadence"\ntarget = [175.0, 195.0]\n')
    )
    cadence = rubric.get("cadence")
    default = load_rubric().get("cadence")
    assert cadence.band.target == (175.0, 195.0)
    assert cadence.band.warn == default.band.warn
    assert cadence.drills == default.drills
    assert rubric.source.endswith("coach.toml")


def test_override_can_disable_and_add_checkpoints(tmp_path):
    text = """
[[checkpoints]]
id = "arm_carriage"
enabled = false

[[checkpoints]]
id = "knee_at_landing"
name = "Knee bent at landing"
element = "landing"
metric = "knee_flexion_at_contact_deg"
target = [15.0, 45.0]
warn = 5.0
fail = 15.0
applies = ["overground", "treadmill"]
cue = "Land with a soft knee."
message = "Your knee is bent {value:.0f} deg at landing."
drills = ["pony"]
"""
    rubric = load_rubric(write(tmp_path, text))
    ids = [c.id for c in rubric.checkpoints]
    assert "arm_carriage" not in ids
    assert ids[-1] == "knee_at_landing"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[checkpoints]]\nid = "cadence"\nelement = "speed"\n', "element must be one of"),
        ('[[checkpoints]]\nid = "cadence"\nwarn = 30.0\n', "need 0 < warn < fail"),
        ('[[checkpoints]]\nid = "cadence"\ndrills = ["sprint"]\n', "unknown drills ['sprint']"),
        ('[[checkpoints]]\nid = "cadence"\nmessage = "{speed}"\n', "'message' cannot be filled"),
        ('[[checkpoints]]\nid = "cadence"\ntarget = [200.0, 170.0]\n', "is above high"),
        ('[[checkpoints]]\nid = "cadence"\ntarget = "fast"\n', "must be [low, high]"),
        ('[[checkpoints]]\nname = "x"\n', "needs a text 'id'"),
        ("checkpoints = 3\n", "array of tables"),
        ("this is not toml = = \n", "not valid TOML"),
    ],
)
def test_bad_rubric_files_give_a_specific_error(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(RubricError) as error:
        load_rubric(path)
    assert expected in str(error.value)
    assert str(path) in str(error.value)


def test_missing_rubric_file(tmp_path):
    with pytest.raises(RubricError, match="not found"):
        load_rubric(tmp_path / "absent.toml")


def test_every_drill_name_has_checkpoints_and_a_rep_finder(exact_gaits):
    from runform.checkpoints.drill_measures import find_drill_reps
    from runform.checkpoints.rubric import DRILL_NAMES

    rubric = load_rubric()
    gait, _truth = exact_gaits["treadmill"]
    for drill in DRILL_NAMES:
        assert any(drill in c.applies for c in rubric.checkpoints), drill
        assert isinstance(find_drill_reps(gait, drill), list)
