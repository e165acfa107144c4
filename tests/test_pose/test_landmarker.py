import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from runform.pose.extract import ExtractionSettings, prefetch
from runform.pose.landmarker import LandmarkerSettings, to_monotonic_ms


@given(st.lists(st.floats(0, 1e4, allow_nan=False), min_size=1, max_size=200))
def test_monotonic_ms_strictly_increases(times):
    ms = to_monotonic_ms(np.sort(np.array(times)))
    assert np.all(np.diff(ms) >= 1)
    assert ms.dtype == np.int64
    assert ms[0] == round(min(times) * 1000)


def test_monotonic_ms_keeps_exact_times():
    times = np.arange(10) * 1001 / 30000
    assert list(to_monotonic_ms(times)) == [round(t * 1000) for t in times]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"min_detection_confidence": 1.5}, "min_detection"),
        ({"num_poses": 0}, "num_poses"),
    ],
)
def test_landmarker_settings_validate(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LandmarkerSettings(**kwargs)


def test_extraction_settings_validate():
    with pytest.raises(ValueError, match="slowmo"):
        ExtractionSettings(slowmo=0)
    with pytest.raises(ValueError, match="max_side"):
        ExtractionSettings(max_side=10)
    assert ExtractionSettings().to_dict()["landmarker"]["num_poses"] == 1


def test_prefetch_preserves_order_and_errors():
    assert list(prefetch(iter(range(50)), size=3)) == list(range(50))

    def broken():
        yield 1
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for item in prefetch(broken()):
            got.append(item)
    assert got == [1]


def test_prefetch_forwards_warnings():
    import warnings

    def warns():
        yield 1
        warnings.warn("3 corrupt frames skipped", RuntimeWarning, stacklevel=1)

    with pytest.warns(RuntimeWarning, match="corrupt"):
        assert list(prefetch(warns())) == [1]


def test_prefetch_stops_producer_when_consumer_stops():
    produced = []

    def endless():
        i = 0
        while True:
            produced.append(i)
            yield i
            i += 1

    for item in prefetch(endless(), size=2):
        if item == 5:
            break
    n = len(produced)
    assert n < 20


@given(st.lists(st.booleans(), max_size=60))
def test_in_view_rate(detected):
    from runform.pose.extract import compute_in_view_rate

    arr = np.array(detected, dtype=bool)
    rate = compute_in_view_rate(arr)
    if not arr.any():
        assert rate == 0.0
    else:
        assert arr.mean() <= rate <= 1.0
        padded = np.concatenate([np.zeros(5, bool), arr, np.zeros(7, bool)])
        assert compute_in_view_rate(padded) == rate


def test_skeleton_tables_are_consistent():
    from runform.skeleton import EDGES, KEYPOINT_INDEX, KEYPOINT_NAMES, LEFT_RIGHT_PAIRS

    assert len(KEYPOINT_NAMES) == 33 == len(set(KEYPOINT_NAMES))
    assert KEYPOINT_INDEX["left_hip"] == 23 and KEYPOINT_INDEX["right_foot_index"] == 32
    assert all(a in KEYPOINT_INDEX and b in KEYPOINT_INDEX for a, b in EDGES)
    paired = [name for pair in LEFT_RIGHT_PAIRS for name in pair]
    assert len(paired) == len(set(paired)) == 32  # all but the nose
    assert set(KEYPOINT_NAMES) - set(paired) == {"nose"}


@given(
    duration=st.floats(0.1, 3600),
    fps=st.floats(10, 240),
    workers=st.integers(1, 16),
)
def test_segments_cover_the_video_contiguously(duration, fps, workers):
    from runform.pose.extract import MIN_SEGMENT_FRAMES, plan_segments

    n_frames = int(duration * fps)
    segments = plan_segments(duration, n_frames, workers)
    assert 1 <= len(segments) <= workers
    assert segments[0][0] is None and segments[-1][1] is None
    for (_, end), (start, _) in itertools.pairwise(segments):
        assert end == start and 0 < start < duration
    if len(segments) > 1:
        assert n_frames / len(segments) >= MIN_SEGMENT_FRAMES  # each worth a process


def test_segments_when_duration_unknown():
    from runform.pose.extract import plan_segments

    assert plan_segments(None, 1000, 4) == [(None, None)]


def test_worker_warnings_are_merged_per_category():
    import warnings

    from runform.pose.segments import _warn_once_per_category

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _warn_once_per_category(
            [
                ("skipped 14 corrupt frames", RuntimeWarning),
                ("skipped 14 corrupt frames", RuntimeWarning),
                ("odd", UserWarning),
            ]
        )
    assert [str(w.message) for w in caught] == [
        "skipped 14 corrupt frames (and 1 similar report(s) from other segments)",
        "odd",
    ]
