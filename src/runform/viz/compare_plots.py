"""Plots comparing sessions. Every function takes ``ax=None`` and returns ``(fig, ax)``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from runform.checkpoints.measures import average_finite_rows
from runform.viz.plots import prepare_axes

SESSION_COLOURS = ("#7f7f7f", "#1f6fd1")


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
    fig, ax = prepare_axes(ax)
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


def plot_trend(trend: Any, labels: list[str], ax: Axes | None = None) -> tuple[Figure, Axes]:
    """One checkpoint (or cadence) over the sessions, with a ±uncertainty band and the target band.

    ``trend`` is a :class:`runform.compare.progress.Trend`; ``labels`` name
    the sessions (dates or file names) on the x axis.
    """
    fig, ax = prepare_axes(ax, (5.0, 2.8))
    x = np.arange(len(trend.values), dtype=float)
    values = np.array([np.nan if v is None else v for v in trend.values], dtype=float)
    uncs = np.array([np.nan if u is None else u for u in trend.uncertainties], dtype=float)
    low, high = trend.target
    if low is not None and high is not None and np.isfinite(values).any():
        span = np.nanmax(np.abs(values)) + np.nanmax(np.nan_to_num(uncs)) + 1.0
        ax.axhspan(
            max(low, -10 * span), min(high, 10 * span), color="#2e9d4f", alpha=0.08, linewidth=0
        )
    ax.fill_between(
        x, values - uncs, values + uncs, color=SESSION_COLOURS[1], alpha=0.2, linewidth=0
    )
    ax.plot(x, values, marker="o", color=SESSION_COLOURS[1])
    ax.set_xticks(x, labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel(trend.unit)
    ax.set_title(trend.name, fontsize=10)
    if np.isfinite(values).any():
        finite = values[np.isfinite(values)]
        pad = max(float(np.nanmax(np.nan_to_num(uncs))), 0.1 * float(np.ptp(finite)) + 1e-6)
        ax.set_ylim(float(finite.min()) - 2 * pad, float(finite.max()) + 2 * pad)
    return fig, ax
