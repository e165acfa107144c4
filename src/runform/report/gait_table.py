"""A readable terminal summary of a gait analysis (rich tables)."""

from __future__ import annotations

from rich.table import Table

from runform.gait.metrics import Metric
from runform.gait.result import GaitAnalysis

#: Metric name -> label shown to runners, in display order.
LABELS = {
    "cadence_spm": "Cadence",
    "ground_contact_ms": "Ground contact time",
    "flight_ms": "Flight time",
    "step_ms": "Step time",
    "duty_factor": "Duty factor",
    "gct_balance_left_pct": "GCT balance (left share)",
    "vertical_oscillation_cm": "Vertical oscillation",
    "vertical_oscillation_pct_leg": "Vertical oscillation",
    "step_length_m": "Step length",
    "knee_flexion_at_contact_deg": "Knee flexion at contact",
    "shank_angle_at_contact_deg": "Shank angle at contact",
    "foot_angle_at_contact_deg": "Foot angle at contact",
    "knee_flexion_mid_stance_deg": "Knee flexion at mid-stance",
    "max_knee_flexion_swing_deg": "Peak knee flexion in swing",
    "hip_flexion_at_toe_off_deg": "Hip flexion at toe-off",
    "trunk_lean_deg": "Trunk lean",
}
UNITS = {"spm": "spm", "ms": "ms", "1": "", "%": "%", "cm": "cm", "% leg": "% leg", "m": "m",
         "deg": "°"}  # fmt: skip


def format_metric(metric: Metric) -> tuple[str, str]:
    """Return ``(value ± sd unit, note)`` text for one metric."""
    if metric.value is None:
        return "—", metric.reason
    unit = UNITS.get(metric.unit, metric.unit)
    digits = 2 if metric.unit in ("1", "m") else 1
    text = f"{metric.value:.{digits}f}"
    if metric.sd is not None:
        text += f" ± {metric.sd:.{digits}f}"
    return f"{text} {unit}".rstrip(), f"n = {metric.n}"


def build_capture_table(result: GaitAnalysis) -> Table:
    """Table of what the footage is: view, direction, setting, activity, scale."""
    cap = result.capture
    table = Table(title="Capture", show_header=False, box=None, title_justify="left")
    for name in ("view", "direction", "setting", "activity"):
        item = getattr(cap, name)
        table.add_row(name, item.label, f"confidence {item.confidence:.2f}")
    table.add_row("frames", f"{cap.fps:.2f} fps", f"{cap.duration_s:.2f} s")
    scale = cap.scale
    size = f"leg {scale.leg_length_px:.0f} px"
    if scale.px_per_m is not None:
        size += f", {scale.px_per_m:.0f} px/m"
    table.add_row("scale", size, scale.method)
    return table


def build_metrics_table(result: GaitAnalysis) -> Table:
    """Table of the spatiotemporal and kinematic metrics (mean ± SD over strides)."""
    table = Table(title=f"Gait ({len(result.strides)} strides)", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("note", style="dim")
    for name, label in LABELS.items():
        if name in result.metrics:
            value, note = format_metric(result.metrics[name])
            table.add_row(label, value, note)
    return table
