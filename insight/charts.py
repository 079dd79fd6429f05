"""The report's charts: matplotlib bar charts as PNG data: URLs, for one self-contained file.

Drawn on matplotlib's Figure directly (no pyplot, no GUI backend), in a dark blue with 8:1
contrast on white and dark text, with each bar's value written beside it.
"""
from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

BAR = "#1d4f91"
INK = "#1b1b1b"
LABEL_WIDTH = 40  # characters a category label wraps at
MOST_DAY_LABELS = 16  # on a longer period only every n-th day is labelled
DPI = 110


def _png_data_url(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _axes(width: float, height: float):
    figure = Figure(figsize=(width, height))
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(colors=INK, labelsize=11)
    return figure, axes


def columns(labels: Sequence[str], values: Sequence[int], axis_label: str) -> str:
    """Vertical bars, one per label in order (days, say)."""
    figure, axes = _axes(8.5, 3.8)
    positions = range(len(labels))
    bars = axes.bar(positions, values, color=BAR)
    step = max(1, -(-len(labels) // MOST_DAY_LABELS))
    axes.set_xticks(list(positions)[::step], list(labels)[::step], rotation=45 if step > 1 or len(labels) > 8 else 0,
                    ha="right" if step > 1 or len(labels) > 8 else "center")
    axes.set_ylabel(axis_label, color=INK, fontsize=11)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    if len(labels) <= MOST_DAY_LABELS * 2:
        axes.bar_label(bars, color=INK, fontsize=10, padding=2)
    axes.margins(y=0.15)
    return _png_data_url(figure)


def rows(labels: Sequence[str], values: Sequence[int], axis_label: str) -> str:
    """Horizontal bars, the first label at the top (questions in the tree's order, say)."""
    wrapped = [textwrap.fill(label, LABEL_WIDTH) for label in labels]
    lines = sum(label.count("\n") + 1 for label in wrapped)
    figure, axes = _axes(8.5, 0.6 + 0.3 * lines + 0.2 * len(labels))
    bars = axes.barh(range(len(labels)), values, color=BAR)
    axes.set_yticks(range(len(labels)), wrapped)
    axes.invert_yaxis()
    axes.set_xlabel(axis_label, color=INK, fontsize=11)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.bar_label(bars, color=INK, fontsize=10, padding=3)
    axes.margins(x=0.12)
    return _png_data_url(figure)
