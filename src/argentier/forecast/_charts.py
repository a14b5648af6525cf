"""Charts: history, forecast and intervals (or anomalies, or scenarios) as PNG, SVG or a self-contained HTML page.

Drawn with matplotlib's Agg backend; the HTML page embeds the SVG inline, so it opens anywhere with no network.

>>> import pandas as pd
>>> history = pd.DataFrame({"unique_id": "a", "ds": range(8), "y": [1.0, 2, 3, 2, 1, 2, 3, 2]})
>>> frame = pd.DataFrame({"unique_id": "a", "ds": [8, 9], "yhat": [1.0, 2.0], "yhat_lo_80": [0.5, 1.0],
...                       "yhat_hi_80": [1.5, 3.0]})
>>> forecast_chart(history, frame, "chart.html").read_text()[:15]
'<!DOCTYPE html>'
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from argentier.errors import InputError
from argentier.forecast._io import write_atomic

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["anomaly_chart", "forecast_chart", "save_figure", "scenario_chart"]

_FORMATS = (".png", ".svg", ".html")


def save_figure(figure, path: str | Path, title: str) -> Path:
    """Write ``figure`` as PNG, SVG or an HTML page with the SVG inline (by the suffix of ``path``)."""
    import matplotlib.pyplot as plt

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise InputError(f"chart must end in {', '.join(_FORMATS)}", source=str(path))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png" if suffix == ".png" else "svg", dpi=110, bbox_inches="tight")
    plt.close(figure)
    data = buffer.getvalue()
    if suffix == ".html":
        svg = data.decode("utf-8")
        svg = svg[svg.index("<svg") :]
        data = (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
            f"</title><style>body{{font-family:sans-serif;margin:2em}}svg{{max-width:100%;height:auto}}"
            f"</style></head><body><h1>{html.escape(title)}</h1>\n{svg}\n</body></html>\n"
        ).encode()
    return write_atomic(path, data)


def _figure(count: int):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(count, 1, figsize=(10, 2.8 * count), squeeze=False)
    return figure, [row[0] for row in axes]


def _pick(ids: Sequence[str], series: Sequence[str] | None, limit: int) -> list[str]:
    if series:
        missing = [s for s in series if s not in set(ids)]
        if missing:
            raise InputError(f"no series {missing[0]!r} to chart")
        return list(series)
    return list(ids)[:limit]


def forecast_chart(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    path: str | Path,
    *,
    series: Sequence[str] | None = None,
    max_series: int = 6,
    last: int = 104,
) -> Path:
    """One panel per series: the last ``last`` actuals, the forecast and its intervals (widest lightest)."""
    ids = _pick(list(dict.fromkeys(forecast["unique_id"])), series, max_series)
    figure, axes = _figure(len(ids))
    levels = sorted(
        {int(c.rsplit("_", 1)[1]) for c in forecast.columns if c.startswith("yhat_lo_")}, reverse=True
    )
    for axis, uid in zip(axes, ids):
        past = history[history["unique_id"] == uid].tail(last)
        future = forecast[forecast["unique_id"] == uid]
        axis.plot(past["ds"], past["y"], color="black", linewidth=1, label="actual")
        for shade, value in enumerate(levels):
            axis.fill_between(
                future["ds"],
                future[f"yhat_lo_{value}"],
                future[f"yhat_hi_{value}"],
                color="tab:blue",
                alpha=0.15 + 0.15 * shade,
                linewidth=0,
                label=f"{value} % interval",
            )
        axis.plot(future["ds"], future["yhat"], color="tab:blue", linewidth=1.5, label="forecast")
        axis.set_title(str(uid), loc="left", fontsize=10)
        axis.legend(loc="upper left", fontsize=8)
    return save_figure(figure, path, "Forecast")


def anomaly_chart(
    frame: pd.DataFrame, path: str | Path, *, series: Sequence[str] | None = None, max_series: int = 6
) -> Path:
    """Actuals against the expected band, anomalies marked in red (series with most anomalies first)."""
    ranked = frame.groupby("unique_id")["is_anomaly"].sum().sort_values(ascending=False, kind="stable")
    ids = _pick(list(ranked.index), series, max_series)
    figure, axes = _figure(len(ids))
    for axis, uid in zip(axes, ids):
        part = frame[frame["unique_id"] == uid]
        axis.fill_between(
            part["ds"],
            part["lo"],
            part["hi"],
            color="tab:green",
            alpha=0.2,
            linewidth=0,
            label="expected band",
        )
        axis.plot(part["ds"], part["expected"], color="tab:green", linewidth=1, label="expected")
        axis.plot(part["ds"], part["y"], color="black", linewidth=1, label="actual")
        flagged = part[part["is_anomaly"]]
        axis.scatter(flagged["ds"], flagged["y"], color="red", s=14, zorder=3, label="anomaly")
        axis.set_title(str(uid), loc="left", fontsize=10)
        axis.legend(loc="upper left", fontsize=8)
    return save_figure(figure, path, "Anomalies")


def scenario_chart(totals: pd.DataFrame, path: str | Path, title: str = "Scenarios") -> Path:
    """One line per scenario (columns of ``totals``, indexed by period), the base first."""
    figure, axes = _figure(1)
    for name in totals.columns:
        axes[0].plot(
            totals.index, totals[name], linewidth=2 if name == totals.columns[0] else 1.2, label=name
        )
    axes[0].set_title(title, loc="left", fontsize=10)
    axes[0].legend(loc="upper left", fontsize=8)
    return save_figure(figure, path, title)
