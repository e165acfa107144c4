"""Capture-quality warnings: what in the footage limits the measurements.

Each warning has a stable ``code`` (for programs) and a message that says
what was found and what it affects (for people). Thresholds follow the
published guidance gathered in ``docs/accuracy.md``: below 60 fps timing
gets coarse (Sports2D README, citing Hardy et al.); a small figure loses
foot detail; few strides leave averages uncertain.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaptureWarning:
    """One capture-quality problem.

    Attributes
    ----------
    code
        Stable identifier, e.g. ``"low_fps"``.
    message
        One sentence for the user.
    """

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-ready dict."""
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class QualityInputs:
    """What the quality check looks at.

    Attributes
    ----------
    fps
        Real-world frame rate, frames per second.
    frame_height_px
        Height of the frame, pixels.
    body_height_px
        Estimated standing height of the runner in the image, pixels.
    n_strides
        Complete strides measured.
    median_confidence
        Median landmark confidence of the legs, 0-1.
    detection_rate
        Fraction of frames in which the runner was found.
    view
        The classified view.
    activity
        The classified activity.
    cadence_spm
        Measured cadence as played, steps per minute (NaN if unknown).
    """

    fps: float
    frame_height_px: float
    body_height_px: float
    n_strides: int
    median_confidence: float
    detection_rate: float
    view: str
    activity: str = "running"
    cadence_spm: float = float("nan")


def check_capture_quality(inputs: QualityInputs) -> list[CaptureWarning]:
    """Return the warnings that apply to a capture (empty when all is well)."""
    warnings = []
    if inputs.fps < 59.0:
        warnings.append(
            CaptureWarning(
                "low_fps",
                f"{inputs.fps:.0f} fps: one frame is {1000 / inputs.fps:.0f} ms, so contact "
                "and flight times are coarse; film at 60 fps or more.",
            )
        )
    if inputs.body_height_px < 0.25 * inputs.frame_height_px or inputs.body_height_px < 120:
        warnings.append(
            CaptureWarning(
                "runner_small",
                f"the runner is about {inputs.body_height_px:.0f} px tall in a "
                f"{inputs.frame_height_px:.0f} px frame; feet and joints are hard to place, "
                "so film closer.",
            )
        )
    if inputs.n_strides < 4:
        warnings.append(
            CaptureWarning(
                "few_strides",
                f"only {inputs.n_strides} complete strides; averages are uncertain, "
                "aim for 6 or more.",
            )
        )
    if inputs.median_confidence < 0.5 or inputs.detection_rate < 0.8:
        warnings.append(
            CaptureWarning(
                "low_confidence",
                f"landmark confidence {inputs.median_confidence:.2f}, runner found in "
                f"{100 * inputs.detection_rate:.0f} % of frames; results may be unreliable.",
            )
        )
    if inputs.activity == "running" and inputs.cadence_spm < 130:
        factor = 170.0 / inputs.cadence_spm
        warnings.append(
            CaptureWarning(
                "possible_slow_motion",
                f"running at {inputs.cadence_spm:.0f} steps/min is slower than real running "
                f"(140-220); if the clip is slow motion, pass --slowmo (about {factor:.1f} "
                "here) so times are real-world.",
            )
        )
    if inputs.view != "side":
        warnings.append(
            CaptureWarning(
                "non_sagittal_view",
                f"{inputs.view} view: joint and lean angles need a side view and are not "
                "measured; cadence and bounce still are, contact and flight times only "
                "approximately (a swinging foot moving toward or away from the camera shifts "
                "in the image as if it were landing).",
            )
        )
    return warnings
