"""Plots comparing sessions. Every function takes ``ax=None`` and returns ``(fig, ax)``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from runform.checkpoints.measures import average_finite_rows

SESSION_COLOURS = ("#7f7f7f", "#1f6fd1")


def _axes(ax: Axes | None, size: tuple[float, float] = (6.0, 3.6)) -> tuple[Figure, Axes]:
    if ax is not None:
        fig = ax.figure
        assert isinstance(fig, Figure)
        return fig, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _mean_curve(analysis: Mapping[str, Any], angle: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Mean ± SD over the cycle, averaged over the sides present."""
    curves = analysis.get("cycle_curves", {})
    means, sds = [], []
    for side in ("left", "right"):
        entry = curves.get(side, {}).get(angle)
        if entry and entry.get("mean"):
            means.append(np.array([np.nan if v is None else v for v in entry["mean"]], dtype=float))
            sds.append(np.array([np.nan if v is None else v for v in entry["sd"]], dtype=float))
    if not means:
        return None
    return average_finite_rows(np.vstack(means)), average_finite_rows(np.vstack(sds))


def plot_cycle_overlay(
    sessions: Mapping[str, Mapping[str, Any]], angle: str = "knee_flexion", ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """One angle over the gait cycle for each session (``{label: analysis dict}``), overlaid."""
    fig, ax = _axes(ax)
    for (label, analysis), colour in zip(sessions.items(), SESSION_COLOURS * 4, strict=False):
        curve = _mean_curve(analysis, angle)
        if curve is None:
            continue
        mean, sd = curve
        x = np.linspace(0.0, 100.0, mean.size)
        ax.plot(x, mean, color=colour, label=label)
        ax.fill_between(x, mean - sd, mean + sd, color=colour, alpha=0.18, linewidth=0)
    ax.set_xlabel("gait cycle (% from initial contact)")
    ax.set_ylabel(f"{angle.replace('_', ' ')} (deg)")
    ax.set_xlim(0, 100)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False)
    return fig, ax
