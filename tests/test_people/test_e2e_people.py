"""More than one person in view, through MediaPipe: the runner is chosen, identities hold.

Synthetic clips of the runner with a bystander (standing beside the
treadmill, walking across in front of it, or standing by the path), all
with exact truth: the right person must be analysed and the metrics must
match the single-runner truth to the accuracy targets of issue 3.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from runform.cli import main
from runform.synth import PRESETS, write_synthetic_clip
from runform.synth.bystander import BystanderParams, write_crowd_clip

pytestmark = pytest.mark.slow

SIZE = {"width_px": 960, "height_px": 540, "duration_s": 3.0}
CLIPS = {
    "coach_beside_treadmill": (
        PRESETS["treadmill"].with_overrides(**SIZE),
        [BystanderParams("standing", start_x_m=-1.4, facing=1, depth_scale=1.08)],
    ),
    "walker_crossing_in_front": (
        PRESETS["treadmill"].with_overrides(**{**SIZE, "duration_s": 4.0}, seed=4),
        [BystanderParams("walking", start_x_m=2.6, speed_mps=-1.4, in_front=True, seed=5)],
    ),
    "bystander_by_the_path": (  # the runner crosses the frame (3.1 s), passing the bystander
        PRESETS["pose_runner"].with_overrides(
            width_px=1920, height_px=1080, figure_height_frac=0.3
        ),
        [BystanderParams("standing", start_x_m=5.0, depth_scale=0.9, seed=8)],
    ),
}


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crowd")
    return {name: write_crowd_clip(params, bystanders, folder, name)
            for name, (params, bystanders) in CLIPS.items()}  # fmt: skip


def load_poses(path):
    from runform.io.poses import load_poses as load

    return load(path)


def run_gait(clip, out, *extra):
    height = str(clip.truth.params.body_height_cm)
    code = main(["gait", str(clip.video_path), "-o", str(out), "--height-cm", height, "--quiet",
                 *extra])  # fmt: skip
    assert code == 0
    return json.loads((out / "gait.json").read_text())


@pytest.mark.parametrize("name", ["coach_beside_treadmill", "bystander_by_the_path"])
def test_the_runner_is_chosen_and_measured_as_if_alone(clips, tmp_path, name):
    clip = clips[name]
    result = run_gait(clip, tmp_path / "out")
    person = result["person"]
    # by the path both are about 0.3 of the frame high, and MediaPipe's person detector
    # mostly finds one of them: the bystander is then never tracked ("only person")
    assert person["method"] == "automatic" or name == "bystander_by_the_path"
    chosen = next(t for t in person["tracks"] if t["id"] == person["id"])
    assert chosen["stepping"] >= 0.25
    truth = clip.truth
    poses = load_poses(tmp_path / "out" / "poses.nc")
    hips = poses["position"].sel(individual=person["individual"], space="x")
    hips = hips.sel(keypoint=["left_hip", "right_hip"]).mean("keypoint").values
    truth_hips = truth.keypoints_px[:, [23, 24], 0].mean(axis=1)
    seen = np.isfinite(hips)
    assert np.all(
        np.abs(hips[seen] - truth_hips[seen]) < 0.25 * np.ptp(truth.keypoints_px[0, :, 1])
    )
    summary = result["summary"]
    assert result["capture"]["activity"] == "running"
    assert result["capture"]["setting"] == truth.params.setting
    assert abs(summary["cadence_spm"] - truth.cadence_spm) / truth.cadence_spm <= 0.01
    # MediaPipe tracking several people reads landings ~0.5 frame earlier than tracking one
    # (the same clip without the bystander, --people 4: contact +14 ms against +7 ms), so
    # contact time is held to 25 ms here against 15 ms for a lone runner (docs/people.md)
    assert abs(summary["ground_contact_ms"] - truth.contact_time_ms) <= 25


def test_no_identity_switch_leaks_into_the_runner_when_they_cross(clips, tmp_path):
    clip = clips["walker_crossing_in_front"]
    result = run_gait(clip, tmp_path / "out")
    chosen = next(t for t in result["person"]["tracks"] if t["id"] == result["person"]["id"])
    assert chosen["stepping"] >= 0.25
    # hidden for about a second of the 4 s by the walker (MediaPipe drops the runner while
    # the walker is near), so fewer strides: measured -1.9 % cadence, +16 ms contact
    truth = clip.truth
    assert abs(result["summary"]["cadence_spm"] - truth.cadence_spm) / truth.cadence_spm <= 0.03
    poses = load_poses(tmp_path / "out" / "poses.nc")
    runner = poses["position"].sel(individual=result["person"]["individual"])
    hips = runner.sel(keypoint=["left_hip", "right_hip"], space="x").mean("keypoint").values
    truth_hips = clip.truth.keypoints_px[:, [23, 24], 0].mean(axis=1)
    seen = np.isfinite(hips)
    height_px = np.ptp(clip.truth.keypoints_px[0, :, 1])
    # wherever the runner's track has a body, it is the runner's (never the walker's)
    assert np.all(np.abs(hips[seen] - truth_hips[seen]) < 0.25 * height_px)
    # MediaPipe loses the runner while the walker is close; the runner's track takes the
    # runner back afterwards (it is not cut into pieces the rule would have to choose from)
    second = len(hips) // 60
    assert seen[:60].mean() > 0.9 and seen[-60:].mean() > 0.9, f"{second} s clip"


def test_the_coach_can_choose_another_person(clips, tmp_path):
    clip = clips["coach_beside_treadmill"]
    assert main(["people", str(clip.video_path), "-o", str(tmp_path / "people"), "--quiet"]) == 0
    people = json.loads((tmp_path / "people" / "people.json").read_text())["runner"]
    assert (tmp_path / "people" / "people.png").stat().st_size > 10_000
    other = next(t["id"] for t in people["tracks"] if t["id"] != people["id"])
    chosen = run_gait(clip, tmp_path / "other", "--person", str(other))["person"]
    assert chosen["id"] == other and chosen["method"] == "--person"
    coach_x = float(clip.bystanders_px[0][0, :, 0].mean())
    coach_y = float(clip.bystanders_px[0][0, :, 1].mean())
    by_point = run_gait(clip, tmp_path / "at", "--person-at", f"{coach_x:.0f},{coach_y:.0f}")
    assert by_point["person"]["id"] == other
    code = main(["gait", str(clip.video_path), "-o", str(tmp_path / "bad"), "--person", "9",
                 "--quiet"])  # fmt: skip
    assert code == 2


def test_a_lone_runner_stays_in_the_fast_single_person_mode(tmp_path):
    params = PRESETS["treadmill"].with_overrides(**SIZE)
    clip = write_synthetic_clip(params, tmp_path, name="alone")
    result = run_gait(clip, tmp_path / "out")
    poses = load_poses(tmp_path / "out" / "poses.nc")
    assert poses.attrs["num_poses"] == 1 and list(poses["individual"].values) == ["runner"]
    assert result["person"]["method"] == "only person"


def test_the_report_names_the_person_and_greys_the_others(clips, tmp_path):
    clip = clips["coach_beside_treadmill"]
    out = tmp_path / "report"
    assert main(["analyze", str(clip.video_path), "-o", str(out), "--quiet"]) == 0
    analysis = json.loads((out / "analysis.json").read_text())
    assert analysis["person"]["method"] == "automatic"
    html = (out / "report.html").read_text()
    assert "people in view; analysed person" in html
    assert (out / "annotated.mp4").stat().st_size > 0
