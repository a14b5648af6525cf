"""Waterfall charts (margin waterfall, variance bridge) as PNG (matplotlib) or a self-contained HTML file (SVG).

>>> from decimal import Decimal
>>> from argentier.profitability._margins import WaterfallStep
>>> steps = [WaterfallStep("revenue", Decimal("100"), "total"), WaterfallStep("cogs", Decimal("-60"), "change"),
...          WaterfallStep("contribution", Decimal("40"), "total")]
>>> path = write_waterfall(steps, "waterfall.html", title="Margin")
>>> text = path.read_text()
>>> "<svg" in text and "http" not in text.replace("http://www.w3.org/2000/svg", "")
True
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from argentier.core.files import atomic_path
from argentier.errors import InputError
from argentier.profitability._margins import WaterfallStep

__all__ = ["write_waterfall"]

_GREEN, _RED, _GREY = "#2e7d32", "#c62828", "#546e7a"


def _bars(steps: Sequence[WaterfallStep]) -> list[tuple[str, float, float, str]]:
    """(label, bottom, top, colour) per bar: totals from zero, changes from the running total."""
    bars, running = [], 0.0
    for step in steps:
        amount = float(step.amount)
        if step.kind == "total":
            running = amount
            bars.append((step.label, min(0.0, amount), max(0.0, amount), _GREY))
        else:
            start, running = running, running + amount
            bars.append((step.label, min(start, running), max(start, running), _GREEN if amount >= 0 else _RED))
    return bars


def write_waterfall(steps: Sequence[WaterfallStep], path: str | Path, *, title: str = "") -> Path:
    """Write the chart to ``path`` (``.png`` or ``.html``), atomically; return the path."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".html", ".htm"):
        raise InputError("chart files must end in .png or .html", source=str(path))
    if not steps:
        raise InputError("nothing to draw")
    with atomic_path(path) as temporary:
        if suffix == ".png":
            _png(steps, temporary, title)
        else:
            temporary.write_text(_html(steps, title), encoding="utf-8")
    return path


def _png(steps: Sequence[WaterfallStep], target: str, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    bars = _bars(steps)
    figure = Figure(figsize=(max(6.0, 0.9 * len(bars)), 4.5), layout="constrained")
    axes = figure.subplots()
    for index, (label, bottom, top, colour) in enumerate(bars):
        axes.bar(index, top - bottom, bottom=bottom, color=colour, width=0.7)
        axes.annotate(f"{float(steps[index].amount):,.0f}", (index, top), ha="center", va="bottom", fontsize=7)
    axes.set_xticks(range(len(bars)), [label for label, *_ in bars], rotation=35, ha="right", fontsize=8)
    axes.axhline(0, color="black", linewidth=0.6)
    axes.set_title(title)
    figure.savefig(target, format="png", dpi=120)


def _html(steps: Sequence[WaterfallStep], title: str) -> str:
    bars = _bars(steps)
    width, height, margin = max(640, 80 * len(bars)), 420, 60
    low = min(0.0, *(bottom for _, bottom, _, _ in bars))
    high = max(0.0, *(top for _, _, top, _ in bars))
    span = (high - low) or 1.0

    def y(value: float) -> float:
        return margin + (high - value) / span * (height - 2 * margin)

    step_width = (width - 2 * margin) / len(bars)
    shapes = [f'<line x1="{margin}" x2="{width - margin}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="black"/>']
    for index, ((label, bottom, top, colour), step) in enumerate(zip(bars, steps)):
        x = margin + index * step_width + step_width * 0.15
        shapes.append(
            f'<rect x="{x:.1f}" y="{y(top):.1f}" width="{step_width * 0.7:.1f}" '
            f'height="{max(y(bottom) - y(top), 1):.1f}" fill="{colour}"><title>{html.escape(label)}: '
            f"{step.amount}</title></rect>"
        )
        shapes.append(
            f'<text x="{x + step_width * 0.35:.1f}" y="{y(top) - 4:.1f}" font-size="10" text-anchor="middle">'
            f"{float(step.amount):,.0f}</text>"
        )
        shapes.append(
            f'<text x="{x + step_width * 0.35:.1f}" y="{height - margin + 14}" font-size="10" text-anchor="end" '
            f'transform="rotate(-30 {x + step_width * 0.35:.1f} {height - margin + 14})">{html.escape(label)}</text>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 40}" '
        f'font-family="sans-serif">{"".join(shapes)}</svg>'
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body><h2 style='font-family:sans-serif'>{html.escape(title)}</h2>{svg}</body></html>\n"
    )
