"""Lost frames put back as empty rows, and the read facts turned into warnings."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from runform.io.video import DecodeReport
from runform.pose.accumulate import Accumulator, count_lost_frames, restore_lost_frames
from runform.pose.landmarker import FrameLandmarks
from runform.pose.read_problems import (
    READ_FACTS,
    TRUNCATED_PHRASE,
    describe_read_problems,
    is_truncated,
    measure_read_problems,
)

STEP = 1 / 60


def collected(frame_numbers: list[int], damaged: bool = True) -> Accumulator:
    """An accumulator of one person seen in the given frames of a 60 fps clip."""
    acc = Accumulator(decode=DecodeReport(decoded=len(frame_numbers), corrupt=int(damaged)))
    for i, n in enumerate(frame_numbers):
        acc.frames.append(i)
        acc.lost.append(False)
        acc.times.append(n * STEP)
        acc.pts.append(n * STEP)
        acc.normalized.append(np.full((33, 2), 0.5, np.float32))
        acc.visibility.append(np.ones(33, np.float32))
        acc.presence.append(np.ones(33, np.float32))
        acc.world.append(np.zeros((33, 3), np.float32))
    return acc


def test_lost_frames_are_counted_on_the_nominal_grid() -> None:
    times = np.array([0, 1, 2, 5, 6, 8, 9]) * STEP

    assert count_lost_frames(times, STEP).tolist() == [0, 0, 0, 2, 0, 1, 0, 0]
    assert count_lost_frames(np.array([3, 4]) * STEP, STEP).tolist() == [3, 0, 0]
    assert count_lost_frames(times, STEP, last_s=12 * STEP).tolist()[-1] == 3
    jitter = np.array([0, 1.1, 2.3, 3.2]) * STEP  # under 1.5 intervals: nothing lost
    assert not count_lost_frames(jitter, STEP, last_s=3.3 * STEP).any()


def test_lost_frames_are_put_back_as_empty_rows_on_a_regular_axis() -> None:
    acc = collected([0, 1, 2, 5, 6, 9])

    out = restore_lost_frames(acc, STEP)

    np.testing.assert_allclose(np.diff(out.times), STEP)
    assert out.lost == [False] * 3 + [True] * 2 + [False] * 2 + [True] * 2 + [False]
    lost = np.array(out.lost)
    assert np.isnan(np.stack(out.normalized)[lost]).all()
    assert not np.isnan(np.stack(out.normalized)[~lost]).any()
    assert np.isnan(np.array(out.pts)[lost]).all()
    # a lost row carries the number of the next decoded frame, so each decoded
    # frame's own row is the last with its number
    assert out.frames == [0, 1, 2, 3, 3, 3, 4, 5, 5, 5]
    assert out.decode is acc.decode


def test_frames_lost_after_the_last_read_are_put_back_up_to_the_last_reached() -> None:
    """Damage near the end (no keyframe after it) is not a truncated file."""
    acc = collected([0, 1, 2])
    acc.decode.last_time_s = 6 * STEP

    out = restore_lost_frames(acc, STEP)

    np.testing.assert_allclose(out.times, np.arange(7) * STEP)
    assert out.lost == [False] * 3 + [True] * 4 and out.frames == [0, 1, 2, 3, 3, 3, 3]
    facts = measure_read_problems(out.lost, out.times, 7, False)
    assert not is_truncated(facts) and facts["frames_lost_count"] == [4]


def test_frames_lost_before_the_first_are_put_back_from_time_zero() -> None:
    out = restore_lost_frames(collected([3, 4, 5]), STEP)

    np.testing.assert_allclose(out.times, np.arange(6) * STEP)
    assert out.lost == [True, True, True, False, False, False]


def test_nothing_is_put_back_without_damage() -> None:
    """A good variable-frame-rate file keeps its gaps (a phone that skipped a frame)."""
    acc = collected([0, 1, 2, 5, 6], damaged=False)

    assert restore_lost_frames(acc, STEP) is acc


def test_tracked_crowds_get_rows_with_nobody() -> None:
    two = FrameLandmarks(np.zeros((2, 33, 2)), np.ones((2, 33)), np.ones((2, 33)),
                         np.zeros((2, 33, 3)))  # fmt: skip
    acc = collected([0, 2])
    acc.crowd = [two, two]

    out = restore_lost_frames(acc, STEP)

    assert out.crowd is not None
    assert [found.n_people for found in out.crowd] == [2, 0, 2]


def facts(lost: list[bool], stated: int, estimated: bool = False) -> dict[str, object]:
    return measure_read_problems(lost, np.arange(len(lost)) * STEP, stated, estimated)


def test_facts_name_no_file_and_locate_the_damage() -> None:
    lost = [False] * 10 + [True] * 3 + [False] * 5 + [True] + [False] * 4

    found = facts(lost, 23)

    assert set(found) == set(READ_FACTS)
    assert found["frames_read"] == 19 and found["frames_lost"] == 4
    assert found["frames_lost_count"] == [3, 1]
    assert found["frames_lost_start_s"] == pytest.approx([10 * STEP, 18 * STEP], abs=1e-6)


def test_damaged_frames_in_the_middle_are_not_a_truncated_file() -> None:
    found = facts([False] * 50 + [True] * 4 + [False] * 126, 180)

    sentences = describe_read_problems(found, "copy.mp4")

    assert not is_truncated(found)
    [damage] = sentences
    assert damage.startswith("copy.mp4 is damaged: 4 of 180 frame(s)")
    assert "4 from 0.83 s" in damage and TRUNCATED_PHRASE not in damage


def test_a_file_that_ends_early_is_truncated_under_the_name_given() -> None:
    found = facts([False] * 61, 272)

    assert is_truncated(found)
    assert describe_read_problems(found, "renamed.mp4") == (
        "renamed.mp4 ends early: read 61 of the 272 frames its header states; "
        "the file is probably truncated",
    )


def test_truncation_comes_first_when_a_file_is_also_damaged() -> None:
    found = facts([False] * 30 + [True] * 2 + [False] * 29, 272)

    truncation, damage = describe_read_problems(found, "a.mp4")

    assert truncation.endswith(TRUNCATED_PHRASE) and "stop at frame 61 of" in truncation
    assert "2 from" in damage


@pytest.mark.parametrize(
    ("frames", "stated", "estimated", "truncated"),
    [(178, 180, False, False), (177, 180, False, True), (80, 100, True, False),
     (79, 100, True, True)],
)  # fmt: skip
def test_truncation_thresholds(frames: int, stated: int, estimated: bool, truncated: bool) -> None:
    assert is_truncated(facts([False] * frames, stated, estimated)) is truncated


def test_poses_from_before_the_facts_are_re_addressed() -> None:
    old = {"truncated": "orig.mp4 ends early: read 5 of the 9 frames; " + TRUNCATED_PHRASE}

    assert describe_read_problems(old, "new.mp4") == (
        "new.mp4 ends early: read 5 of the 9 frames; " + TRUNCATED_PHRASE,
    )
    assert is_truncated(old)
    assert describe_read_problems({}, "new.mp4") == () and not is_truncated({})


def test_the_segment_workers_do_not_import_the_extraction() -> None:
    """The dependency between extract and segments runs one way."""
    code = (
        "import sys, runform.pose.segments;"
        "assert 'runform.pose.extract' not in sys.modules, 'segments imports extract'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
