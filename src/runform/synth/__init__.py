"""Synthetic runner: side-view running footage with exact ground truth.

The synthetic runner is the project's main test instrument. A
:class:`RunnerParams` describes the technique (cadence, duty factor,
landing, lean, pull, arm swing), the setting (overground, treadmill or a
tracking shot; direction) and the footage (frame rate, size, duration,
seed).
:func:`compute_truth` gives the exact keypoints, gait events and angles;
:func:`render_frame` draws a frame MediaPipe can detect;
:func:`write_synthetic_clip` writes the MP4 and its truth JSON.
:func:`sample_varied_params` draws varied runners and footage from a seed
(:data:`TUNE_SEEDS` for tuning, :data:`HELDOUT_SEEDS` for reports).

Example
-------
>>> from runform.synth import PRESETS, compute_truth
>>> truth = compute_truth(PRESETS["pose_runner"])
>>> round(truth.contact_time_ms)
200
"""

from runform.synth.body import BodyDimensions, compute_body_dimensions
from runform.synth.camera import Camera, project_to_pixels
from runform.synth.clip import SyntheticClip, write_synthetic_clip
from runform.synth.gait import compute_leg_pose, plan_gait
from runform.synth.gait_plan import GaitPlan
from runform.synth.ground_truth import compute_truth
from runform.synth.kinematics import (
    compute_body_keypoints,
    compute_frame_times,
    compute_world_keypoints,
    plan_camera,
)
from runform.synth.params import PRESETS, RunnerParams, get_preset
from runform.synth.render import Scene, build_scene, render_frame, render_frames
from runform.synth.style import FootageStyle
from runform.synth.truth import ContactTruth, SyntheticTruth, read_truth_json
from runform.synth.variation import HELDOUT_SEEDS, TUNE_SEEDS, sample_varied_params

__all__ = [
    "HELDOUT_SEEDS",
    "PRESETS",
    "TUNE_SEEDS",
    "BodyDimensions",
    "Camera",
    "ContactTruth",
    "FootageStyle",
    "GaitPlan",
    "RunnerParams",
    "Scene",
    "SyntheticClip",
    "SyntheticTruth",
    "build_scene",
    "compute_body_dimensions",
    "compute_body_keypoints",
    "compute_frame_times",
    "compute_leg_pose",
    "compute_truth",
    "compute_world_keypoints",
    "get_preset",
    "plan_camera",
    "plan_gait",
    "project_to_pixels",
    "read_truth_json",
    "render_frame",
    "render_frames",
    "sample_varied_params",
    "write_synthetic_clip",
]
