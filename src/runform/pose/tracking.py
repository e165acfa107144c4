"""Link the people found in each frame into tracks (stable identities across frames).

MediaPipe returns the people of a frame in no stable order, and in
single-person mode it silently moves to whoever it finds when it loses the
runner. :func:`link_tracks` gives every detection a track id:

* each open track predicts where its body is now from its last keypoints and
  its velocity: the least-squares slope of its detections of the last
  :data:`VELOCITY_WINDOW_S`, median over keypoints (an estimate from
  consecutive frames carries the landmark noise, tens of px/s, into every
  prediction across a gap). A track unseen for more than :data:`LAST_BODY_S`
  is predicted from the median of its bodies of its last :data:`ANCHOR_S`
  instead of its last body alone: the last body before a person is lost is
  often one MediaPipe merged with someone passing. The cost of a detection
  for it is the median distance of the 12 body keypoints (shoulders to
  ankles) from that prediction, in units of the track's body height, plus
  the change in body height (log ratio). A track seen ``gap`` seconds ago
  allows ``JITTER_COST + ACCELERATION * gap**2`` (landmark noise plus what a
  person can accelerate), at most :data:`MAX_COST`;
* two detections of one frame on the same body (MediaPipe reports a person
  twice now and then) count once;
* a detection that two open tracks could both take, at costs within
  :data:`AMBIGUITY_MARGIN` of each other (two people passing in front of
  each other, where MediaPipe reports a body that is partly both), is left
  out (id -1): neither track is moved by it, so each keeps its own velocity
  and takes its own body back when they separate;
* while two tracks pass each other (their predicted bodies meet while they
  move at different velocities) every detection near either is left out:
  bodies merge there, and a track must not drift onto the other person. A
  passing starts when the predicted bodies come within :data:`CONTACT_COST`
  and ends only once they are :data:`SEPARATED_COST` apart (or one track's
  velocity is no longer trusted, after :data:`CROSSING_HORIZON_S` unseen,
  as long as it could be taken back): MediaPipe reports two people separately
  again only well after they stop overlapping, and a single threshold let
  landmark noise switch the rule off and on from frame to frame, handing a
  merged body to one of the tracks;
* the other detections and the tracks are paired by least total cost
  (Hungarian method, :func:`scipy.optimize.linear_sum_assignment`) among
  the pairs allowed; a detection left over starts a new track;
* a track missing for up to ``max_gap_s`` is kept open, so short occlusions
  are bridged;
* a track missing for longer, up to :data:`RELINK_S`, is *lost*: it takes
  back a detection no open track takes, when that is where its body would
  be now, under half the cost limit (:data:`RELINK_COST`) and within 15 % of
  its height. A runner hidden for a second by someone walking past the
  treadmill keeps their track; the walker, coming out a third of a body
  height further on, does not take it;
* after that, a track is closed for good.

A body that jumps more than :data:`MAX_COST` from one frame to the next is
therefore never the same track: an identity switch inside MediaPipe's own
tracking becomes two tracks (cut, never stitched).

Pure functions on arrays: keypoints in pixels, times in seconds.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: BlazePose indices of the body keypoints used to match (shoulders to ankles).
BODY_KEYPOINTS = (11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
#: Largest cost (body heights of keypoint displacement + log size change) of a match.
MAX_COST = 0.5
#: Two track costs of one detection closer than this make the detection ambiguous.
AMBIGUITY_MARGIN = 0.1
#: Cost between two tracks' predicted bodies under which they are in contact.
CONTACT_COST = 0.25
#: Cost between two passing tracks' predicted bodies over which they have separated
#: (MediaPipe reported the runner and a walker crossing in front separately again
#: about 0.7 body heights apart; bodies 0.6 heights apart cost about 0.7).
SEPARATED_COST = 0.6
#: Two detections of one frame closer than this are one body reported twice.
DUPLICATE_COST = 0.1
#: A track's velocity is trusted for crossings once it has been seen this long, s.
STEADY_S = 0.3
#: ... and until it has been lost this long (as long as it may be taken back, RELINK_S), s.
CROSSING_HORIZON_S = 2.0
#: Relative speed above which two tracks that meet are passing each other, heights/s.
CROSSING_SPEED = 0.3
#: A track unseen for longer than this is no longer open (only lost), seconds.
MAX_GAP_S = 0.5
#: A lost track unseen for longer than this is closed for good, seconds.
RELINK_S = 2.0
#: Largest cost at which a lost track is taken back (stricter than an open track's).
RELINK_COST = 0.25
#: Largest body-height change (log ratio) at which a lost track is taken back.
_RELINK_SIZE = 0.15
#: A track's velocity is fitted to its detections of the last this many seconds, s
#: (a stride or more, so that a runner's bounce and swinging limbs average out).
VELOCITY_WINDOW_S = 1.0
#: ... once they span at least this long (until then it keeps the velocity it had), s.
VELOCITY_MIN_SPAN_S = 0.1
#: Up to this long unseen, a track is predicted from its last body (its limbs go on), s.
LAST_BODY_S = 0.1
#: ... after that, from the median of its bodies of this last stretch, s.
ANCHOR_S = 0.3
#: Cost a body may show from one frame to the next (landmark noise), body heights.
JITTER_COST = 0.25
#: Half the largest acceleration of a person, body heights/s^2 (a runner
#: accelerates at most ~4 heights/s^2): a track seen ``gap`` s ago allows
#: ``JITTER_COST + ACCELERATION * gap**2``, at most :data:`MAX_COST`.
ACCELERATION = 2.0


@dataclass
class _Track:
    id: int
    keypoints: FloatArray  # (12, 2) last seen body keypoints, px
    height: float  # body height, px
    time_s: float
    velocity: FloatArray = field(default_factory=lambda: np.zeros(2))  # px/s, whole body
    first_s: float = np.nan  # when first seen
    # (time, body) of its detections of the last VELOCITY_WINDOW_S
    recent: list[tuple[float, FloatArray]] = field(default_factory=list)
    anchor: FloatArray = field(default_factory=lambda: np.zeros((0, 2)))  # (12, 2) px
    passing: set[int] = field(default_factory=set)  # ids of the tracks it is passing

    def __post_init__(self) -> None:
        if not np.isfinite(self.first_s):
            self.first_s = self.time_s
        if not self.recent:
            self.recent = [(self.time_s, self.keypoints)]
        if self.anchor.shape != self.keypoints.shape:
            self.anchor = self.keypoints

    def steady(self, time_s: float) -> bool:
        """Whether its velocity can be trusted now: seen long enough, lost not long ago."""
        return (self.time_s - self.first_s >= STEADY_S
                and time_s - self.time_s <= CROSSING_HORIZON_S)  # fmt: skip

    def predict(self, time_s: float) -> FloatArray:
        gap = time_s - self.time_s
        return (self.keypoints if gap <= LAST_BODY_S else self.anchor) + self.velocity * gap


def measure_body_height(keypoints: FloatArray) -> float:
    """Height of a body from its keypoints (nose to lowest ankle/heel/toe), px.

    Parameters
    ----------
    keypoints
        ``(33, 2)`` BlazePose keypoints, px, y down; NaN allowed.

    Returns
    -------
    float
        The vertical extent of the finite keypoints, at least 1 px; NaN if
        none is finite.
    """
    y = keypoints[:, 1]
    y = y[np.isfinite(y)]
    if y.size == 0:
        return float("nan")
    return max(1.0, float(y.max() - y.min()))


def compute_match_cost(track_body: FloatArray, track_height: float, body: FloatArray,
                       height: float) -> float:  # fmt: skip
    """Cost of matching a detection to a track's predicted body.

    Parameters
    ----------
    track_body, body
        ``(12, 2)`` body keypoints (:data:`BODY_KEYPOINTS`) predicted for the
        track and detected, px.
    track_height, height
        Their body heights, px.

    Returns
    -------
    float
        Median keypoint distance over the larger height, plus
        ``|log(height / track_height)|``; ``inf`` when nothing is comparable.
    """
    distance = np.linalg.norm(body - track_body, axis=1)
    distance = distance[np.isfinite(distance)]
    if distance.size == 0 or not (height > 0 and track_height > 0):
        return float("inf")
    scale = max(height, track_height)
    return float(np.median(distance) / scale + abs(np.log(height / track_height)))


def link_tracks(
    keypoints: Sequence[FloatArray], times_s: FloatArray, max_gap_s: float = MAX_GAP_S
) -> list[IntArray]:
    """Give every detection of every frame a track id.

    Parameters
    ----------
    keypoints
        One ``(n_people, 33, 2)`` array per frame (px, x right, y down);
        ``n_people`` may be 0.
    times_s
        Frame times, seconds, increasing, one per frame.
    max_gap_s
        Longest gap a track bridges, seconds.

    Returns
    -------
    list of numpy.ndarray
        Per frame, the track id of each detection (``int64``, ``(n_people,)``);
        -1 for a detection left out as ambiguous (or without keypoints). Ids
        count up from 0 in order of first appearance.
    """
    if len(keypoints) != len(times_s):
        raise ValueError(f"{len(keypoints)} frames of keypoints but {len(times_s)} times")
    tracks: list[_Track] = []
    next_id = 0
    out: list[IntArray] = []
    for people, time_s in zip(keypoints, np.asarray(times_s, dtype=float), strict=True):
        tracks = [t for t in tracks if time_s - t.time_s <= RELINK_S]
        _update_passing(tracks, float(time_s))
        bodies = [np.asarray(p, dtype=float)[list(BODY_KEYPOINTS)] for p in people]
        heights = [measure_body_height(np.asarray(p, dtype=float)) for p in people]
        ids = _assign(tracks, bodies, heights, time_s, max_gap_s)
        for c in np.flatnonzero(ids == -1):
            if not np.isfinite(heights[c]):
                continue
            tracks.append(_Track(next_id, bodies[c], heights[c], float(time_s)))
            ids[c] = next_id
            next_id += 1
        out.append(np.where(ids == _LEFT_OUT, -1, ids))
    return out


#: Marks an ambiguous detection while a frame is assigned (reported as -1).
_LEFT_OUT = -2


def _gated_costs(
    tracks: list[_Track], bodies: list[FloatArray], heights: list[float], time_s: float,
    max_gap_s: float,
) -> FloatArray:  # fmt: skip
    """``(tracks, detections)`` match costs, ``inf`` where a pair is not allowed.

    An open track (seen within ``max_gap_s``) allows landmark noise plus what
    a person can accelerate in the gap, at most :data:`MAX_COST`; a lost one
    allows up to :data:`RELINK_COST`, within :data:`_RELINK_SIZE` of its height.
    """
    cost = np.full((len(tracks), len(bodies)), np.inf)
    for r, track in enumerate(tracks):
        lost = time_s - track.time_s > max_gap_s
        predicted = track.predict(time_s)
        for c, (body, height) in enumerate(zip(bodies, heights, strict=True)):
            value = compute_match_cost(predicted, track.height, body, height)
            if lost:
                size = abs(np.log(height / track.height)) if height > 0 else np.inf
                allowed = value <= RELINK_COST and size <= _RELINK_SIZE
            else:
                gap = time_s - track.time_s
                allowed = value <= min(MAX_COST, JITTER_COST + ACCELERATION * gap * gap)
            cost[r, c] = value if allowed else np.inf
    return cost


def _passing_each_other(a: _Track, b: _Track, time_s: float) -> bool:
    """Whether two tracks are passing each other now (see :func:`_update_passing`)."""
    if not (a.steady(time_s) and b.steady(time_s)):
        return False
    relative = float(np.linalg.norm(a.velocity - b.velocity)) / max(a.height, b.height)
    if relative <= CROSSING_SPEED:
        return False
    contact = compute_match_cost(a.predict(time_s), a.height, b.predict(time_s), b.height)
    return contact <= (SEPARATED_COST if b.id in a.passing else CONTACT_COST)


def _update_passing(tracks: list[_Track], time_s: float) -> None:
    """Start and end the passings of pairs of tracks (each track's ``passing``, in place).

    Two tracks start passing each other when their predicted bodies (each
    moved by its own velocity; only tracks seen for :data:`STEADY_S` and lost
    for at most :data:`CROSSING_HORIZON_S`, whose velocity means something)
    are within :data:`CONTACT_COST` of each other while their velocities
    differ by more than :data:`CROSSING_SPEED` body heights per second. They
    stay so until the predicted bodies are more than :data:`SEPARATED_COST`
    apart (the hysteresis: a passing starts closer than it ends), their
    velocities differ by :data:`CROSSING_SPEED` or less (no hysteresis on the
    speed), or either velocity is no longer trusted.
    """
    alive = {t.id for t in tracks}
    for track in tracks:
        track.passing &= alive
    for a, b in itertools.combinations(tracks, 2):
        if _passing_each_other(a, b, time_s):
            a.passing.add(b.id)
            b.passing.add(a.id)
        else:
            a.passing.discard(b.id)
            b.passing.discard(a.id)


def _find_crossing(
    tracks: list[_Track], bodies: list[FloatArray], heights: list[float], time_s: float
) -> NDArray[np.bool_]:
    """Flag the detections near a track that is passing another.

    MediaPipe then reports bodies that are partly one, partly the other: a
    detection within :data:`MAX_COST` of either track is left out.
    """
    flagged = np.zeros(len(bodies), dtype=bool)
    for track in tracks:
        if not track.passing:
            continue
        predicted = track.predict(time_s)
        for c, (body, height) in enumerate(zip(bodies, heights, strict=True)):
            if compute_match_cost(predicted, track.height, body, height) <= MAX_COST:
                flagged[c] = True
    return flagged


def _find_duplicates(bodies: list[FloatArray], heights: list[float]) -> NDArray[np.bool_]:
    """Flag the second of two detections of one frame that are the same body.

    MediaPipe now and then reports one person twice; two detections closer
    than :data:`DUPLICATE_COST` are one body.
    """
    flagged = np.zeros(len(bodies), dtype=bool)
    for i, j in itertools.combinations(range(len(bodies)), 2):
        if not flagged[i] and compute_match_cost(bodies[i], heights[i], bodies[j],
                                                 heights[j]) < DUPLICATE_COST:  # fmt: skip
            flagged[j] = True
    return flagged


def _assign(
    tracks: list[_Track], bodies: list[FloatArray], heights: list[float], time_s: float,
    max_gap_s: float,
) -> IntArray:  # fmt: skip
    """Give the detections of one frame the ids of ``tracks`` (updated in place).

    Returns the id per detection: a track's, -1 for none (a new track is
    started by the caller), :data:`_LEFT_OUT` for an ambiguous detection.
    """
    ids = np.full(len(bodies), -1, dtype=np.int64)
    ids[_find_duplicates(bodies, heights)] = _LEFT_OUT
    if not tracks or not bodies:
        return ids
    cost = _gated_costs(tracks, bodies, heights, time_s, max_gap_s)
    cost[:, ids == _LEFT_OUT] = np.inf
    from scipy.optimize import linear_sum_assignment  # 0.7 s to import: only when tracking

    crossing = _find_crossing(tracks, bodies, heights, time_s)
    ids[crossing] = _LEFT_OUT
    cost[:, crossing] = np.inf
    is_open = np.array([time_s - t.time_s <= max_gap_s for t in tracks])
    if is_open.sum() > 1:  # two open tracks that could both take a body: neither does
        best = np.sort(cost[is_open], axis=0)
        with np.errstate(invalid="ignore"):  # inf - inf where nothing is allowed
            ambiguous = np.isfinite(best[1]) & (best[1] - best[0] < AMBIGUITY_MARGIN)
        ids[ambiguous] = _LEFT_OUT
        cost[:, ambiguous] = np.inf
    for rows_wanted in (is_open, ~is_open):  # open tracks first, then the lost ones
        sub = np.where(rows_wanted[:, None] & (ids == -1)[None, :], cost, np.inf)
        rows, cols = linear_sum_assignment(np.where(np.isfinite(sub), sub, 1e6))
        for r, c in zip(rows, cols, strict=True):
            if np.isfinite(sub[r, c]):
                _update(tracks[r], bodies[c], heights[c], time_s)
                ids[c] = tracks[r].id
    return ids


def _update(track: _Track, body: FloatArray, height: float, time_s: float) -> None:
    # fitted to a second of detections, the velocity is not set by one body taken
    # back after a gap (perhaps merged with someone passing); after a gap longer
    # than that it is kept until the body has been seen for VELOCITY_MIN_SPAN_S
    window = [(t, b) for t, b in track.recent if time_s - t <= VELOCITY_WINDOW_S]
    track.recent = [*window, (time_s, body)]
    velocity = fit_velocity(track.recent)
    if velocity is not None:
        track.velocity = velocity
    track.keypoints = np.where(np.isfinite(body), body, track.keypoints)
    moved = [b + track.velocity * (time_s - t) for t, b in track.recent if time_s - t <= ANCHOR_S]
    with warnings.catch_warnings():  # a keypoint missing throughout: the last one
        warnings.simplefilter("ignore", RuntimeWarning)
        anchor = np.nanmedian(np.stack(moved), axis=0)
    track.anchor = np.where(np.isfinite(anchor), anchor, track.keypoints)
    track.height = height
    track.time_s = time_s


def fit_velocity(run: Sequence[tuple[float, FloatArray]]) -> FloatArray | None:
    """Whole-body velocity of detections of one body: least-squares slope, median over keypoints.

    Parameters
    ----------
    run
        ``(time_s, keypoints)`` of the detections, in time order (gaps
        allowed); keypoints ``(k, 2)`` px, NaN allowed.

    Returns
    -------
    numpy.ndarray or None
        ``(2,)`` px/s: each keypoint finite in every detection is fitted by a
        straight line, and the median of their slopes is taken (limbs swing,
        the body moves). ``None`` when the run spans less than
        :data:`VELOCITY_MIN_SPAN_S` or no keypoint is finite throughout.
    """
    times = np.array([t for t, _ in run], dtype=float)
    if times.size < 2 or times[-1] - times[0] < VELOCITY_MIN_SPAN_S:
        return None
    points = np.stack([np.asarray(p, dtype=float) for _, p in run])  # (n, k, 2)
    finite = np.isfinite(points).all(axis=(0, 2))
    if not finite.any():
        return None
    dt = times - times.mean()
    centred = points[:, finite] - points[:, finite].mean(axis=0)
    slopes = np.tensordot(dt, centred, axes=1) / float(dt @ dt)  # (k, 2)
    return np.asarray(np.median(slopes, axis=0), dtype=float)
