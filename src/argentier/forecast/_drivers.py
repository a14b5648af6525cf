"""Exogenous drivers across a hierarchy: each aggregate series gets drivers aggregated from its bottom series.

One rule per driver column, the same for the history and the future, so that a driver means the same thing at
every level and on both sides of the forecast origin:

* ``sum``: additive drivers (promotion spend, units on promotion, cost totals): the region's spend is the sum;
* ``mean`` (the default): the plain mean over the children (a list price, an index);
* ``wmean``: the mean weighted by each bottom series' size, its mean ``y`` over the last season of history
  (a revenue-weighted price: the region's price moves with its big sellers).

>>> import pandas as pd
>>> frame = pd.DataFrame({"unique_id": ["a", "a", "b", "b"], "ds": [1, 2, 1, 2], "y": [30.0, 30.0, 10.0, 10.0],
...                       "region": "R", "price": [2.0, 2.0, 4.0, 4.0], "promo": [1.0, 0.0, 1.0, 1.0]})
>>> rules = parse_rules(["price=wmean", "promo=sum"], ("price", "promo"))
>>> levels, _ = aggregate_with_drivers(frame, ("region",), rules, driver_weights(frame, 1))
>>> levels[levels.unique_id == "R"][["y", "price", "promo"]].values.tolist()  # price: (2*30 + 4*10) / 40
[[40.0, 2.5, 2.0], [40.0, 2.5, 1.0]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from argentier.errors import InputError
from argentier.forecast._hierarchy import Hierarchy, aggregate_levels

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AGGREGATIONS", "aggregate_future", "aggregate_with_drivers", "driver_weights", "parse_rules"]

AGGREGATIONS = ("sum", "mean", "wmean")


def parse_rules(spec: Sequence[str] | Mapping[str, str] | None, exog: Sequence[str]) -> dict[str, str]:
    """``["price=wmean", "promo=sum"]`` (or a mapping) to a rule for every driver, ``mean`` where none is given."""
    given = dict(spec) if isinstance(spec, Mapping) else {}
    if spec is not None and not isinstance(spec, Mapping):
        for item in spec:
            column, sep, rule = str(item).partition("=")
            if not sep:
                raise InputError(f"driver aggregation {item!r}: expected COLUMN=RULE, e.g. price=wmean")
            given[column.strip()] = rule.strip()
    unknown = sorted(set(given) - set(exog))
    if unknown:
        raise InputError(f"driver aggregation for {', '.join(unknown)}: not an exogenous column of the data")
    bad = {c: r for c, r in given.items() if r not in AGGREGATIONS}
    if bad:
        column, rule = next(iter(bad.items()))
        raise InputError(f"driver aggregation {column}={rule}: choose one of {', '.join(AGGREGATIONS)}")
    return {column: given.get(column, "mean") for column in exog}


def driver_weights(history: pd.DataFrame, season_length: int) -> pd.Series:
    """Each bottom series' weight for ``wmean``: its mean ``|y|`` over its last season (floored above zero)."""
    tail = history.sort_values("ds").groupby("unique_id")["y"].apply(
        lambda y: float(y.tail(max(int(season_length), 1)).abs().mean())
    )
    return tail.fillna(0.0).clip(lower=1e-9)


def aggregate_with_drivers(
    frame: pd.DataFrame, columns: Sequence[str], rules: Mapping[str, str], weights: pd.Series
) -> tuple[pd.DataFrame, Hierarchy]:
    """Every level's ``y`` (summed) and drivers (aggregated by ``rules``): ``(long frame, hierarchy)``."""
    work = frame.copy()
    aggregation: dict[str, str] = {}
    weighted = [c for c, rule in rules.items() if rule == "wmean"]
    for column, rule in rules.items():
        aggregation[column] = "sum" if rule in ("sum", "wmean") else "mean"
    if weighted:
        weight = work["unique_id"].astype(str).map(weights).fillna(1e-9)
        for column in weighted:
            work[f"_weight_{column}"] = weight.where(work[column].notna())
            work[column] = work[column] * weight
            aggregation[f"_weight_{column}"] = "sum"
    levels, hierarchy = aggregate_levels(work, columns, aggregation)
    for column in weighted:
        levels[column] = levels[column] / levels.pop(f"_weight_{column}")
    return levels, hierarchy


def aggregate_future(
    future: pd.DataFrame,
    history: pd.DataFrame,
    columns: Sequence[str],
    rules: Mapping[str, str],
    weights: pd.Series,
) -> pd.DataFrame:
    """Future drivers given per bottom series, aggregated to every level like the history."""
    missing = [c for c in ("unique_id", "ds", *rules) if c not in future.columns]
    if missing:
        raise InputError(f"future drivers lack column(s) {', '.join(missing)}")
    keys = history[["unique_id", *columns]].drop_duplicates("unique_id").assign(
        unique_id=lambda f: f["unique_id"].astype(str)
    )
    given = future.assign(unique_id=future["unique_id"].astype(str))[["unique_id", "ds", *rules]]
    given = given[given["unique_id"].isin(keys["unique_id"])]
    if given.empty:
        raise InputError("future drivers name none of the bottom series of the data")
    work = given.merge(keys, on="unique_id", how="left").assign(y=0.0)
    levels, _ = aggregate_with_drivers(work[["unique_id", "ds", "y", *columns, *rules]], columns, rules, weights)
    return levels[["unique_id", "ds", *rules]]
