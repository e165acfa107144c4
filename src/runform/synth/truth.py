"""Ground truth of a synthetic clip, and its JSON form.

:class:`SyntheticTruth` holds everything that is known exactly about a
rendered clip: frame times, keypoints per frame, gait events, stride-level
values and angles at each initial contact. :meth:`SyntheticTruth.to_json`
writes it with units in every key name (``contact_time_ms``,
``keypoints_px`` …); :func:`read_truth_json` reads it back.

Sign conventions (all angles in degrees):

* ``knee_flexion``: 0 for a straight leg, positive when bent.
* ``shank_angle`` / ``thigh_angle``: angle of the knee→ankle / hip→knee line
  from straight down, positive when the lower end is ahead (in the
  direction of travel).
* ``foot_angle`` / ``heel_toe_angle``: sole (or heel→foot-index line) to the
  horizontal, positive with the toes up.
* ``trunk_lean``: pelvis-centre→shoulder-centre line from vertical, positive
  forward.
* Distances ``*_ahead_of_pelvis_cm`` / ``overstride_*``: positive in the
  direction of travel.
"""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from runform.skeleton import KEYPOINT_NAMES
from runform.synth.body import BodyDimensions
from runform.synth.camera import Camera
from runform.synth.optics import ImageWarp
from runform.synth.params import RunnerParams

__all__ = ["ContactTruth", "SyntheticTruth", "read_truth_json"]

FloatArray = NDArray[np.float64]

#: Identifies the JSON layout; bump ``TRUTH_VERSION`` on incompatible change.
TRUTH_FORMAT = "runform-synth-truth"
TRUTH_VERSION = 1

#: Gait events listed per side, in the order they occur within a stride.
EVENT_KINDS = ("initial_contact", "pose", "heel_off", "toe_off")


@dataclass(frozen=True)
class ContactTruth:
    """Exact values at one initial contact (see the module docstring for signs).

    Attributes
    ----------
    side
        ``"left"`` or ``"right"``.
    time_s
        Time of the contact, seconds from the first frame.
    frame_float
        ``time_s * fps``: the contact lies between frames ``floor`` and
        ``ceil`` of this.
    knee_flexion_deg, shank_angle_deg, foot_angle_deg, trunk_lean_deg
        Angles at the contact instant.
    overstride_cm
        Contact point ahead of the pelvis centre (the parameter).
    overstride_com_cm
        Contact point ahead of the segmental (Winter) centre of mass.
    ankle_ahead_of_pelvis_cm, heel_ahead_of_pelvis_cm, foot_index_ahead_of_pelvis_cm
        Landmark ahead of the pelvis centre at the contact instant.
    """

    side: str
    time_s: float
    frame_float: float
    knee_flexion_deg: float
    shank_angle_deg: float
    foot_angle_deg: float
    trunk_lean_deg: float
    overstride_cm: float
    overstride_com_cm: float
    ankle_ahead_of_pelvis_cm: float
    heel_ahead_of_pelvis_cm: float
    foot_index_ahead_of_pelvis_cm: float


@dataclass(frozen=True, eq=False)
class SyntheticTruth:
    """Everything known exactly about one synthetic clip.

    Attributes
    ----------
    params
        The parameters the clip was made from.
    frame_times_s
        Shape ``(N,)``: ``i / fps`` exactly (as float64).
    keypoints_px
        Shape ``(N, 33, 2)``: image pixels, ``x`` right, ``y`` down, origin at
        the top-left image corner (MediaPipe's ``x_norm * width``), in
        :data:`runform.skeleton.KEYPOINT_NAMES` order.
    keypoints_world_m
        Shape ``(N, 33, 2)``: world metres, ``x`` along the direction of
        travel, ``y`` up, ground at 0.
    camera
        The side-view camera.
    near_side
        Body side facing the camera (``"right"`` when running right).
    body
        Segment lengths.
    events_s
        ``{side: {kind: times}}`` for ``kind`` in ``initial_contact``,
        ``pose`` (stance ankle passes under the pelvis centre), ``heel_off``
        and ``toe_off``; times in seconds inside the clip, ascending.
    contacts
        One :class:`ContactTruth` per initial contact in the clip, by time.
    stance
        ``{side: (N,) bool}``: the foot is on the ground at the frame time.
    summary
        Stride-level values with units in the keys (``cadence_spm``,
        ``contact_time_ms``, ``flight_time_ms``, ``step_time_ms``, …).
    angles_deg
        Per-frame angles, shape ``(N,)`` each: ``trunk_lean`` and, per side,
        ``{side}_knee_flexion``, ``{side}_thigh_angle``,
        ``{side}_shank_angle``, ``{side}_heel_toe_angle``.
    warp
        The style's image warp (camera tilt, lens), already applied to
        ``keypoints_px``; ``None`` when the footage has none, then
        ``keypoints_px`` is the camera's projection of ``keypoints_world_m``.
    """

    params: RunnerParams
    frame_times_s: FloatArray
    keypoints_px: FloatArray
    keypoints_world_m: FloatArray
    camera: Camera
    near_side: str
    body: BodyDimensions
    events_s: dict[str, dict[str, FloatArray]]
    contacts: tuple[ContactTruth, ...]
    stance: dict[str, NDArray[np.bool_]]
    summary: dict[str, float]
    angles_deg: dict[str, FloatArray]
    warp: ImageWarp | None = None

    @property
    def fps(self) -> Fraction:
        """Exact frame rate, frames per second."""
        return self.params.frame_rate

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.frame_times_s.size)

    @property
    def cadence_spm(self) -> float:
        """Steps per minute."""
        return self.summary["cadence_spm"]

    @property
    def contact_time_ms(self) -> float:
        """Stance time of one foot, milliseconds."""
        return self.summary["contact_time_ms"]

    @property
    def flight_time_ms(self) -> float:
        """Time with no foot on the ground per step, milliseconds."""
        return self.summary["flight_time_ms"]

    @property
    def step_time_ms(self) -> float:
        """Contact of one foot to contact of the other, milliseconds."""
        return self.summary["step_time_ms"]

    def contact_times_s(self, side: str) -> FloatArray:
        """Initial-contact times of ``side`` (``"left"``/``"right"``), seconds."""
        return self.events_s[side]["initial_contact"]

    def toe_off_times_s(self, side: str) -> FloatArray:
        """Toe-off times of ``side``, seconds."""
        return self.events_s[side]["toe_off"]

    def to_dict(self) -> dict[str, Any]:
        """Return the truth as JSON-ready data (units in the key names)."""
        fps = self.fps
        out = {
            "format": TRUTH_FORMAT,
            "version": TRUTH_VERSION,
            "params": self.params.to_dict(),
            "video": {
                "fps": f"{fps.numerator}/{fps.denominator}",
                "fps_float": float(fps),
                "width_px": self.params.width_px,
                "height_px": self.params.height_px,
                "n_frames": self.n_frames,
                "duration_s": self.n_frames / float(fps),
            },
            "camera": {**dataclasses.asdict(self.camera), "near_side": self.near_side},
            "body_m": dataclasses.asdict(self.body),
            "summary": dict(self.summary),
            "events_s": {
                side: {kind: times.tolist() for kind, times in kinds.items()}
                for side, kinds in self.events_s.items()
            },
            "contacts": [dataclasses.asdict(c) for c in self.contacts],
            "keypoint_names": list(KEYPOINT_NAMES),
            "frame_times_s": self.frame_times_s.tolist(),
            "keypoints_px": np.round(self.keypoints_px, 4).tolist(),
            "keypoints_world_m": np.round(self.keypoints_world_m, 6).tolist(),
            "stance": {side: mask.astype(int).tolist() for side, mask in self.stance.items()},
            "angles_deg": {
                name: np.round(values, 4).tolist() for name, values in self.angles_deg.items()
            },
        }
        if self.warp is not None:
            out["warp"] = self.warp.to_dict()
        return out

    def to_json(self, path: str | os.PathLike[str]) -> Path:
        """Write the truth as JSON, atomically (temporary name, then rename).

        Parameters
        ----------
        path
            Destination file; its folder must exist.

        Returns
        -------
        Path
            The written file.
        """
        target = Path(path)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
        try:
            with partial.open("w", encoding="utf-8") as handle:
                json.dump(self.to_dict(), handle, separators=(",", ":"))
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        return target


def read_truth_json(path: str | os.PathLike[str]) -> SyntheticTruth:
    """Read a truth file written by :meth:`SyntheticTruth.to_json`.

    Parameters
    ----------
    path
        The JSON file.

    Returns
    -------
    SyntheticTruth
        The truth (keypoints rounded to 1e-4 px / 1e-6 m, angles to 1e-4°).

    Raises
    ------
    ValueError
        If the file is not a runform synthetic-truth file of this version.
    """
    with Path(path).open(encoding="utf-8") as handle:
        data = json.load(handle)
    if data.get("format") != TRUTH_FORMAT or data.get("version") != TRUTH_VERSION:
        raise ValueError(
            f"{path} is not a {TRUTH_FORMAT} file of version {TRUTH_VERSION} "
            f"(format={data.get('format')!r}, version={data.get('version')!r})"
        )
    camera = {k: v for k, v in data["camera"].items() if k != "near_side"}
    warp = data.get("warp")
    return SyntheticTruth(
        params=RunnerParams(**data["params"]),
        frame_times_s=np.asarray(data["frame_times_s"], dtype=float),
        keypoints_px=np.asarray(data["keypoints_px"], dtype=float),
        keypoints_world_m=np.asarray(data["keypoints_world_m"], dtype=float),
        camera=Camera(**camera),
        near_side=data["camera"]["near_side"],
        body=BodyDimensions(**data["body_m"]),
        events_s={
            side: {kind: np.asarray(t, dtype=float) for kind, t in kinds.items()}
            for side, kinds in data["events_s"].items()
        },
        contacts=tuple(ContactTruth(**c) for c in data["contacts"]),
        stance={side: np.asarray(m, dtype=bool) for side, m in data["stance"].items()},
        summary=dict(data["summary"]),
        angles_deg={k: np.asarray(v, dtype=float) for k, v in data["angles_deg"].items()},
        warp=None
        if warp is None
        else ImageWarp(
            warp["width_px"], warp["height_px"], tuple(warp["homography"]), warp["lens_k1"]
        ),
    )
