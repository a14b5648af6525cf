"""Analytical results reshaped for the web app's charts: one entry per series with its history, forecast,
bands and anomalies, and waterfall bars with their running bases."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["forecast_series", "waterfall_bars"]


def _label(value: Any) -> str:
    from argentier.forecast._data import period_label

    return period_label(value)


def _number(value: Any) -> float | None:
    import math

    number = float(value)
    return number if math.isfinite(number) else None  # NaN -> None


def forecast_series(
    forecast: Any,
    *,
    history: Any = None,
    level: Iterable[int] = (),
    hierarchy: Any = None,
    anomalies: Any = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Per series, top of the hierarchy first: ``history`` (ds, y), ``forecast`` (ds, yhat, bands by level) and
    ``anomalies`` (the flagged periods with their expected band), ready to draw.

    ``forecast`` has ``unique_id, ds, yhat, yhat_lo_L, yhat_hi_L``; ``history`` ``unique_id, ds, y``;
    ``anomalies`` is an anomaly detector's per-period frame.
    """
    levels = [int(value) for value in level]
    ids = list(dict.fromkeys(forecast["unique_id"].astype(str))) if forecast is not None else []
    if not ids and anomalies is not None:
        ids = list(dict.fromkeys(anomalies["unique_id"].astype(str)))
    if hierarchy is not None:
        order = {name: index for index, name in enumerate(hierarchy.levels)}
        ids.sort(key=lambda uid: order.get(hierarchy.level_of(uid), len(order)))
    groups = {
        name: (dict(tuple(frame.groupby("unique_id", sort=False))) if frame is not None else {})
        for name, frame in (("history", history), ("forecast", forecast), ("anomalies", anomalies))
    }
    out = []
    for uid in ids[:limit]:
        entry: dict[str, Any] = {"unique_id": uid, "level": None, "children": []}
        if hierarchy is not None:
            entry["level"], entry["children"] = hierarchy.level_of(uid), list(hierarchy.children(uid))
        past = groups["history"].get(uid)
        entry["history"] = [] if past is None else [
            {"ds": _label(ds), "y": _number(y)} for ds, y in zip(past["ds"], past["y"])
        ]
        ahead = groups["forecast"].get(uid)
        entry["forecast"] = [] if ahead is None else [
            {
                "ds": _label(row["ds"]),
                "yhat": _number(row["yhat"]),
                "bands": {
                    str(lvl): [_number(row[f"yhat_lo_{lvl}"]), _number(row[f"yhat_hi_{lvl}"])]
                    for lvl in levels
                    if f"yhat_lo_{lvl}" in row
                },
            }
            for row in ahead.to_dict(orient="records")
        ]
        scored = groups["anomalies"].get(uid)
        if scored is not None and not entry["history"]:
            entry["history"] = [{"ds": _label(ds), "y": _number(y)} for ds, y in zip(scored["ds"], scored["y"])]
        entry["anomalies"] = [] if scored is None else [
            {
                "ds": _label(row["ds"]),
                "y": _number(row["y"]),
                "expected": _number(row["expected"]),
                "band": [_number(row["lo"]), _number(row["hi"])],
                "score": _number(row["score"]),
                "kind": row["kind"],
            }
            for row in scored[scored["is_anomaly"].astype(bool)].to_dict(orient="records")
        ]
        out.append(entry)
    return out


def waterfall_bars(steps: Iterable[Any]) -> list[dict[str, Any]]:
    """Waterfall steps (``label, amount, kind``) with where each bar starts and ends, for a floating-bar chart.

    >>> from decimal import Decimal
    >>> from argentier.profitability import WaterfallStep
    >>> bars = waterfall_bars([WaterfallStep("revenue", Decimal("100"), "total"),
    ...                        WaterfallStep("cogs", Decimal("-40"), "change"),
    ...                        WaterfallStep("contribution", Decimal("60"), "total")])
    >>> [(bar["label"], bar["start"], bar["end"]) for bar in bars]
    [('revenue', '0', '100'), ('cogs', '100', '60'), ('contribution', '0', '60')]
    """
    from decimal import Decimal

    bars, running = [], Decimal(0)
    for step in steps:
        data: Mapping[str, Any] = step.to_dict() if hasattr(step, "to_dict") else step
        amount = Decimal(str(data["amount"]))
        if data["kind"] == "total":
            start, running = Decimal(0), amount
            end = amount
        else:
            start, end = running, running + amount
            running = end
        bars.append({"label": data["label"], "amount": str(amount), "kind": data["kind"],
                     "start": str(start), "end": str(end)})
    return bars
