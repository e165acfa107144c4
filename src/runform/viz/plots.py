"""Plots of an analysis (matplotlib). Every function takes ``ax=None`` and returns ``(fig, ax)``.

Pure: nothing is saved here (see :func:`runform.report.files.save_figure`).
Use a non-interactive backend (``Agg``) when plotting without a display.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from runform.checkpoints.assess import Analysis
from runform.checkpoints.drill_scoring import DrillResult
from runform.checkpoints.rubric import ELEMENTS

SIDE_COLOURS = {"left": "#4287f5", "right": "#f58c28"}
STATUS_COLOURS = {
    "pass": "#2e9d4f",
    "warn": "#e0a800",
    "fail": "#d64545",
    "not_measured": "#999999",
    "observed": "#4a7fb5",
}


def prepare_axes(ax: Axes | None, size: tuple[float, float] = (6.0, 3.6)) -> tuple[Figure, Axes]:
    """Return ``ax`` and its figure, or a new figure of ``size`` inches with one axes."""
    if ax is not None:
        fig = ax.figure
        assert isinstance(fig, Figure)
        return fig, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def plot_cycle_angles(
    analysis: Analysis, angle: str = "knee_flexion", ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """One joint or segment angle over the normalised gait cycle, mean ± SD per side."""
    fig, ax = prepare_axes(ax)
    x = np.linspace(0.0, 100.0, 101)
    for side, curves in analysis.gait.cycle_curves.items():
        if angle not in curves:
            continue
        mean, sd = curves[angle]
        colour = SIDE_COLOURS.get(side, "k")
        ax.plot(x, mean, color=colour, label=side)
        ax.fill_between(x, mean - sd, mean + sd, color=colour, alpha=0.2, linewidth=0)
    ax.set_xlabel("gait cycle (% from initial contact)")
    ax.set_ylabel(f"{angle.replace('_', ' ')} (deg)")
    ax.set_xlim(0, 100)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False)
    else:
        ax.text(0.5, 0.5, "no side-view strides", ha="center", va="center", transform=ax.transAxes)
    return fig, ax


def plot_com_path(analysis: Analysis, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Plot the centre of mass's height over time, with the vertical oscillation.

    Height is in cm with a known body height, else in % of leg length; up is
    positive (the image's y axis is flipped).
    """
    fig, ax = prepare_axes(ax)
    gait = analysis.gait
    com = gait.center_of_mass
    if "individual" in com.dims:
        com = com.isel(individual=0)
    time = np.asarray(gait.poses["time"].values, dtype=float)
    y = -np.asarray(com.sel(space="y").values, dtype=float)
    scale = gait.capture.scale
    if scale.px_per_m:
        values, unit = 100.0 * (y - np.nanmin(y)) / scale.px_per_m, "cm"
    else:
        values, unit = 100.0 * (y - np.nanmin(y)) / scale.leg_length_px, "% leg"
    ax.plot(time, values, color="#444444", linewidth=1.2)
    for contact in gait.contacts:
        if math.isfinite(contact.initial_contact_s):
            ax.axvline(
                contact.initial_contact_s,
                color=SIDE_COLOURS[contact.side],
                alpha=0.35,
                linewidth=0.8,
            )
    metric = gait.metrics.get("vertical_oscillation_cm") or gait.metrics.get(
        "vertical_oscillation_pct_leg"
    )
    if metric is not None and metric.value is not None:
        ax.set_title(f"vertical oscillation {metric.value:.1f} {metric.unit} per step", fontsize=10)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(f"centre of mass height ({unit}, above its lowest)")
    return fig, ax


def plot_events_timeline(analysis: Analysis, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Ground contacts of each foot as bars over time; gaps between them are flights."""
    fig, ax = prepare_axes(ax, (6.0, 2.2))
    for row, side in enumerate(("left", "right")):
        spans = [
            (c.initial_contact_s, c.toe_off_s - c.initial_contact_s)
            for c in analysis.gait.contacts
            if c.side == side and math.isfinite(c.initial_contact_s) and math.isfinite(c.toe_off_s)
        ]
        ax.broken_barh(spans, (row - 0.35, 0.7), color=SIDE_COLOURS[side])
    ax.set_yticks([0, 1], ["left", "right"])
    ax.set_xlabel("time (s)")
    ax.set_title("ground contacts (bars) and flights (gaps)", fontsize=10)
    return fig, ax


def plot_checkpoint_profile(analysis: Analysis, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Each measured checkpoint's score by element, with the uncertainty as a score range.

    The bar is the 0-100 score; the whisker spans the scores of
    ``value ± uncertainty``. Not-measured checkpoints are listed greyed.
    """
    fig, ax = prepare_axes(ax, (6.5, 0.35 * max(4, len(analysis.checkpoints)) + 1.0))
    rows = sorted(analysis.checkpoints, key=lambda r: (ELEMENTS.index(r.element), r.id))
    for i, result in enumerate(rows):
        if result.score is None or result.value is None:
            text = "observed, not scored" if result.status == "observed" else "not measured"
            ax.text(2, i, text, va="center", fontsize=8, color="#777777")
            continue
        ax.barh(i, result.score, color=STATUS_COLOURS[result.status], height=0.6)
        low, high = result.details.get("score_range", (result.score, result.score))
        ax.plot([low, high], [i, i], color="k", linewidth=1)
    ax.set_yticks(range(len(rows)), [f"{r.element}: {r.name}" for r in rows], fontsize=8)
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel("score (0-100); whisker: the score range within the uncertainty")
    return fig, ax


def _score_colour(score: float) -> str:
    if not np.isfinite(score):
        return STATUS_COLOURS["not_measured"]
    return STATUS_COLOURS["pass" if score >= 100 else "warn" if score >= 50 else "fail"]


def plot_rep_scores(drill: DrillResult, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Score of each repetition of a drill."""
    fig, ax = prepare_axes(ax, (6.0, 2.6))
    scores = [np.nan if s is None else s for s in drill.rep_scores]
    reps = np.arange(1, len(scores) + 1)
    colours = [_score_colour(s) for s in scores]
    ax.bar(reps, np.nan_to_num(scores), color=colours)
    ax.set_ylim(0, 105)
    ax.set_xlabel("repetition")
    ax.set_ylabel("score")
    ax.set_title(f"{drill.name.replace('_', ' ')}: {len(scores)} repetitions", fontsize=10)
    return fig, ax
