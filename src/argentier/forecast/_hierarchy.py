"""Hierarchies: every aggregate level built from hierarchy columns, reconciliation, and an exact coherence check.

A hierarchy ``("region", "category")`` gives the levels ``total``, ``region`` and ``region/category``; series
ids are ``Total``, ``North``, ``North/Food`` ... (a finer ``unique_id`` under the last column becomes one more
level). Reconciled forecasts add up: every aggregate equals the sum of its bottom series, checked in code.

>>> import pandas as pd
>>> frame = pd.DataFrame({"unique_id": ["N/a", "N/b", "S/a"] * 2, "ds": [1, 1, 1, 2, 2, 2],
...                       "y": [1.0, 2.0, 4.0, 1.5, 2.5, 4.5], "region": ["N", "N", "S"] * 2,
...                       "category": ["a", "b", "a"] * 2})
>>> y, hierarchy = aggregate_levels(frame, ("region", "category"))
>>> hierarchy.level_of("N"), list(y[y.ds == 1].set_index("unique_id").y.loc[["Total", "N", "S"]])
('region', [7.0, 3.0, 4.0])
>>> coherence_error(y, hierarchy, "y")
0.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from argentier.errors import ArgentierError, InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "RECONCILERS",
    "Hierarchy",
    "aggregate_levels",
    "coherence_error",
    "reconcile",
    "sum_bottom_up",
]

TOTAL = "Total"
Reconciler = Literal["bottom_up", "min_trace", "min_trace_ols", "wls_struct"]
RECONCILERS: tuple[str, ...] = ("bottom_up", "min_trace", "min_trace_ols", "wls_struct")


@dataclass(frozen=True)
class Hierarchy:
    """The summing structure: ``levels`` (names, top first), ``tags`` (level -> series ids), ``summing`` matrix."""

    columns: tuple[str, ...]
    tags: dict[str, tuple[str, ...]] = field(repr=False)
    summing: pd.DataFrame = field(repr=False)  # index: every series id; columns: bottom ids; 0/1
    bottom_keys: dict[str, dict[str, str]] = field(repr=False)  # bottom id -> {column: value}

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(self.tags)

    @property
    def bottom(self) -> tuple[str, ...]:
        return tuple(self.summing.columns)

    def level_of(self, unique_id: str) -> str:
        """The level a series belongs to (``total``, ``region``, ``region/category`` ...)."""
        for level, ids in self.tags.items():
            if unique_id in ids:
                return level
        raise InputError(f"{unique_id!r} is not a series of this hierarchy")

    def children(self, unique_id: str) -> tuple[str, ...]:
        """The series one level below ``unique_id`` that add up to it (empty for a bottom series)."""
        levels = self.levels
        position = levels.index(self.level_of(unique_id))
        if position == len(levels) - 1:
            return ()
        mine = set(self.summing.columns[self.summing.loc[unique_id].to_numpy() > 0])
        return tuple(
            child
            for child in self.tags[levels[position + 1]]
            if set(self.summing.columns[self.summing.loc[child].to_numpy() > 0]) <= mine
        )

    def to_dict(self) -> dict[str, Any]:
        matrix = self.summing.to_numpy() > 0
        bottom = list(self.summing.columns)
        return {
            "columns": list(self.columns),
            "tags": {k: list(v) for k, v in self.tags.items()},
            "bottom_keys": self.bottom_keys,
            "sums": {
                uid: [b for b, used in zip(bottom, row) if used]
                for uid, row in zip(self.summing.index, matrix)
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hierarchy:
        """Rebuild a hierarchy stored with :meth:`to_dict`.

        >>> import pandas as pd
        >>> frame = pd.DataFrame({"unique_id": ["a", "b"], "ds": 1, "y": 1.0, "region": ["N", "S"]})
        >>> hierarchy = aggregate_levels(frame, ["region"])[1]
        >>> Hierarchy.from_dict(hierarchy.to_dict()).summing.equals(hierarchy.summing)
        True
        """
        import pandas as pd

        bottom = list(data["tags"][list(data["tags"])[-1]])
        sums = data["sums"]
        summing = pd.DataFrame(0.0, index=pd.Index(list(sums), name="unique_id"), columns=bottom)
        for uid, members in sums.items():
            summing.loc[uid, members] = 1.0
        return cls(
            tuple(data["columns"]),
            {k: tuple(v) for k, v in data["tags"].items()},
            summing,
            dict(data["bottom_keys"]),
        )


def _spec(frame: pd.DataFrame, columns: Sequence[str]) -> list[list[str]]:
    spec = [["_total"]] + [["_total", *columns[: i + 1]] for i in range(len(columns))]
    per_combination = frame.groupby(list(columns), sort=False)["unique_id"].nunique()
    if (per_combination > 1).any():
        spec.append(["_total", *columns, "_series"])  # the ids are finer than the last hierarchy column
    return spec


def aggregate_levels(
    frame: pd.DataFrame, columns: Sequence[str], exog_aggregation: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, Hierarchy]:
    """All series of every level, summed from the bottom; returns ``(long frame, hierarchy)``.

    Numeric columns other than ``y`` (exogenous drivers) are averaged over the children, or aggregated as
    ``exog_aggregation`` says (``{"promo_spend": "sum"}``; see :mod:`argentier.forecast._drivers`).
    """
    from hierarchicalforecast.utils import aggregate

    columns = tuple(columns)
    if not columns:
        raise InputError("a hierarchy needs at least one column")
    exog = [c for c in frame.columns if c not in ("unique_id", "ds", "y", *columns)]
    work = frame.assign(_total=TOTAL).rename(columns={"unique_id": "_series"})
    spec = _spec(frame, columns)
    try:
        y, summing, tags = aggregate(
            work[["ds", "y", "_total", *spec[-1][1:], *exog]],
            spec,
            exog_vars={c: (exog_aggregation or {}).get(c, "mean") for c in exog} or None,
        )
    except ValueError as exc:
        raise InputError(f"cannot build the hierarchy {', '.join(columns)}: {exc}") from exc

    def rename(uid: str) -> str:
        return uid[len(TOTAL) + 1 :] if uid.startswith(TOTAL + "/") else uid

    y["unique_id"] = y["unique_id"].map(rename)
    y = y.rename(columns={f"{c}_{agg}": c for c, agg in ((c, (exog_aggregation or {}).get(c, "mean")) for c in exog)})
    summing = summing.assign(unique_id=summing["unique_id"].map(rename)).set_index("unique_id")
    summing.columns = [rename(c) for c in summing.columns]
    names = ["total"] + ["/".join(level[1:]).replace("_series", "series") for level in spec[1:]]
    tags_out = {name: tuple(rename(uid) for uid in tags[key]) for name, key in zip(names, tags)}
    bottom_cols = [c for c in spec[-1] if c != "_total"]
    keys = work.drop_duplicates(bottom_cols)
    bottom_keys = {
        rename("/".join([TOTAL, *map(str, row)])): dict(zip(columns, map(str, row[: len(columns)])))
        for row in keys[bottom_cols].itertuples(index=False)
    }
    return y.reset_index(drop=True), Hierarchy(columns, tags_out, summing.astype(float), bottom_keys)


def sum_bottom_up(frame: pd.DataFrame, hierarchy: Hierarchy, value_columns: Sequence[str]) -> pd.DataFrame:
    """Rebuild every level of ``frame`` by summing its bottom series (used by scenarios and bottom-up checks)."""
    import pandas as pd

    bottom = frame[frame["unique_id"].isin(hierarchy.bottom)]
    parts = []
    for column in value_columns:
        wide = bottom.pivot(index="ds", columns="unique_id", values=column).reindex(columns=hierarchy.bottom)
        summed = wide.to_numpy() @ hierarchy.summing.to_numpy().T
        parts.append(
            pd.DataFrame(summed, index=wide.index, columns=hierarchy.summing.index).stack().rename(column)
        )
    out = pd.concat(parts, axis=1).reset_index()
    out.columns = ["ds", "unique_id", *value_columns]
    return out[["unique_id", "ds", *value_columns]].sort_values(["unique_id", "ds"]).reset_index(drop=True)


def coherence_error(frame: pd.DataFrame, hierarchy: Hierarchy, column: str = "yhat") -> float:
    """The largest gap, relative to the series' scale, between any series and the sum of its bottom series."""
    import numpy as np

    wide = frame.pivot(index="unique_id", columns="ds", values=column)
    missing = set(hierarchy.summing.index) - set(wide.index)
    if missing:
        raise InputError(f"series missing from the hierarchy's forecast: {sorted(missing)[:3]}")
    bottom = wide.loc[list(hierarchy.bottom)].to_numpy()
    summed = hierarchy.summing.to_numpy() @ bottom
    actual = wide.loc[list(hierarchy.summing.index)].to_numpy()
    scale = np.maximum(np.abs(actual), 1.0)
    return float(np.max(np.abs(actual - summed) / scale))


def _reconciler(method: Reconciler, nonnegative: bool):
    from hierarchicalforecast.methods import BottomUp, MinTrace

    if method == "bottom_up":
        return BottomUp()
    name = {"min_trace": "mint_shrink", "min_trace_ols": "ols", "wls_struct": "wls_struct"}[method]
    return MinTrace(name, nonnegative=nonnegative)


def reconcile(
    forecast: pd.DataFrame,
    hierarchy: Hierarchy,
    *,
    method: Reconciler = "min_trace",
    nonnegative: bool = False,
    fitted: pd.DataFrame | None = None,
    level: Sequence[int] = (),
    tolerance: float = 1e-6,
) -> pd.DataFrame:
    """Reconcile base forecasts (``unique_id, ds, yhat, yhat-lo-L, yhat-hi-L``) so that every level adds up.

    ``min_trace`` (MinT with a shrunk covariance) needs in-sample ``fitted`` values (``unique_id, ds, y, yhat``);
    without them it falls back to ``wls_struct``. ``nonnegative`` keeps every reconciled value at or above zero.
    Raises :class:`ArgentierError` if the result is not coherent to ``tolerance`` (relative).
    """
    import numpy as np
    from hierarchicalforecast.core import HierarchicalReconciliation

    if method not in RECONCILERS:
        raise InputError(f"unknown reconciliation {method!r}; choose from {', '.join(RECONCILERS)}")
    if method == "min_trace" and fitted is None:
        method = "wls_struct"
    base = forecast.copy()
    if nonnegative and method == "bottom_up":
        for column in [c for c in base.columns if c.startswith("yhat")]:
            base[column] = base[column].clip(lower=0.0)
    summing = hierarchy.summing.reset_index()
    tags = {name: np.asarray(ids, dtype=object) for name, ids in hierarchy.tags.items()}
    levels = sorted(set(level))
    with np.errstate(all="ignore"):
        try:
            out = HierarchicalReconciliation([_reconciler(method, nonnegative)]).reconcile(
                Y_hat_df=base,
                tags=tags,
                S_df=summing,
                Y_df=fitted,
                level=levels or None,
            )
        except Exception as exc:
            if method != "min_trace":
                raise ArgentierError(f"reconciliation ({method}) failed: {exc}") from exc
            return reconcile(
                forecast,
                hierarchy,
                method="wls_struct",
                nonnegative=nonnegative,
                level=level,
                tolerance=tolerance,
            )
    name = next(c for c in out.columns if c.startswith("yhat/") and "-lo-" not in c and "-hi-" not in c)
    result = out[["unique_id", "ds"]].copy()
    result["yhat"] = out[name]
    for value in levels:
        result[f"yhat-lo-{value}"] = np.minimum(out[f"{name}-lo-{value}"], result["yhat"])
        result[f"yhat-hi-{value}"] = np.maximum(out[f"{name}-hi-{value}"], result["yhat"])
    error = coherence_error(result, hierarchy, "yhat")
    if error > tolerance:
        raise ArgentierError(f"reconciled forecasts are not coherent (largest relative gap {error:.2e})")
    return result.reset_index(drop=True)
