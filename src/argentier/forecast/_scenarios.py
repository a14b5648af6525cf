"""What-if scenarios: driver overrides applied to a base forecast, kept coherent across the hierarchy.

Overrides act on bottom series (chosen by hierarchy values ``where`` or by id patterns ``series``) from
``start`` (to ``end``); aggregates are then summed again, so a scenario adds up like its base. Intervals move
with the point forecast (bottom series are scaled, aggregates shifted by the change), a plain approximation.

- ``price``: a price change ``change`` with constant demand ``elasticity``: revenue x ``(1 + change) ** (1 + e)``;
- ``cost_shock``: a cost change passed through to prices (``pass_through``), then as ``price``;
- ``scale``: revenue x ``(1 + change)`` (a lost or won share of demand, a promotion);
- ``lost_customer``: revenue less ``amount`` per period (never below zero);
- ``launch``: a new product adding ``scale`` x the forecast shape of ``analogue`` (or an explicit ``shape``),
  ramped up over ``ramp`` periods.

>>> import pandas as pd
>>> base = pd.DataFrame({"unique_id": ["a"] * 3, "ds": [1, 2, 3], "yhat": [100.0, 100.0, 100.0]})
>>> apply_overrides(base, [Override("price", series=("a",), start="2", change=-0.1, elasticity=-2.0)])["yhat"].round(2).tolist()
[100.0, 111.11, 111.11]
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from argentier.errors import InputError
from argentier.forecast._data import period_label
from argentier.forecast._hierarchy import Hierarchy, sum_bottom_up

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["OVERRIDE_KINDS", "Override", "apply_overrides", "compare_totals"]

OVERRIDE_KINDS = ("price", "cost_shock", "scale", "lost_customer", "launch")


@dataclass(frozen=True)
class Override:
    """One change to the drivers of a forecast (see the module docstring for each kind)."""

    kind: str
    where: Mapping[str, Any] = field(default_factory=dict)
    series: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    change: float = 0.0
    elasticity: float = -1.0
    pass_through: float = 1.0
    amount: float = 0.0
    analogue: str | None = None
    shape: tuple[float, ...] = ()
    scale: float = 1.0
    ramp: int = 1

    def __post_init__(self) -> None:
        if self.kind not in OVERRIDE_KINDS:
            raise InputError(f"unknown override kind {self.kind!r}; choose from {', '.join(OVERRIDE_KINDS)}")
        if self.kind == "launch" and not (self.analogue or self.shape):
            raise InputError("a launch needs an analogue series or a shape")
        if self.ramp < 1:
            raise InputError("ramp must be at least 1 period")
        if self.kind in ("price", "cost_shock", "scale") and self.change <= -1.0:
            raise InputError(f"change must be above -100 %, got {self.change}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Override:
        """An override from a YAML/JSON mapping; unknown keys are an error naming them."""
        if not isinstance(data, Mapping):
            raise InputError(f"an override must be a mapping, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"unknown override key(s) {', '.join(unknown)}")
        values = dict(data)
        for key in ("series", "shape"):
            if key in values:
                raw = values[key]
                values[key] = tuple(raw) if isinstance(raw, (list, tuple)) else (raw,)
        for key in ("start", "end"):
            if values.get(key) is not None:
                values[key] = str(values[key])
        try:
            return cls(**values)
        except TypeError as exc:
            raise InputError(f"invalid override: {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        return {
            f.name: (list(v) if isinstance(v, tuple) else dict(v) if isinstance(v, Mapping) else v)
            for f in fields(self)
            for v in [getattr(self, f.name)]
        }

    def factor(self) -> float:
        """The revenue multiplier of a price, cost or scale override."""
        if self.kind == "price":
            return (1.0 + self.change) ** (1.0 + self.elasticity)
        if self.kind == "cost_shock":
            return (1.0 + self.pass_through * self.change) ** (1.0 + self.elasticity)
        return 1.0 + self.change


def _targets(override: Override, ids: Sequence[str], hierarchy: Hierarchy | None) -> list[str]:
    chosen = list(ids)
    if override.where:
        if hierarchy is None:
            raise InputError("'where' needs a forecast with hierarchy columns; use 'series' instead")
        unknown = [k for k in override.where if k not in hierarchy.columns]
        if unknown:
            raise InputError(
                f"'where' names {unknown[0]!r}, not a hierarchy column ({', '.join(hierarchy.columns)})"
            )
        wanted = {
            k: {str(v) for v in (vs if isinstance(vs, (list, tuple)) else [vs])}
            for k, vs in override.where.items()
        }
        chosen = [
            uid
            for uid in chosen
            if all(hierarchy.bottom_keys[uid].get(k) in values for k, values in wanted.items())
        ]
    if override.series:
        chosen = [uid for uid in chosen if any(fnmatch.fnmatchcase(uid, p) for p in override.series)]
    if not chosen:
        raise InputError(f"override {override.kind} matches no series")
    return chosen


def _period_mask(ds: pd.Series, override: Override) -> pd.Series:
    import pandas as pd

    def bound(value: str) -> Any:
        if pd.api.types.is_integer_dtype(ds):
            return int(value)
        try:
            return pd.Timestamp(value)
        except ValueError as exc:
            raise InputError(f"override {override.kind}: {value!r} is not a date") from exc

    mask = pd.Series(True, index=ds.index)
    if override.start is not None:
        mask &= ds >= bound(override.start)
    if override.end is not None:
        mask &= ds <= bound(override.end)
    return mask


def apply_overrides(
    base: pd.DataFrame, overrides: Sequence[Override], hierarchy: Hierarchy | None = None
) -> pd.DataFrame:
    """The scenario's rows: ``base`` (``unique_id, ds, yhat[, yhat_lo_L, yhat_hi_L]``) with ``overrides`` applied.

    With a hierarchy, overrides change bottom series only and every aggregate is summed again.
    """
    import numpy as np

    value_columns = [c for c in base.columns if c.startswith("yhat")]
    bottom_ids = list(hierarchy.bottom) if hierarchy else list(dict.fromkeys(base["unique_id"]))
    frame = base[base["unique_id"].isin(bottom_ids)].copy().reset_index(drop=True)
    for override in overrides:
        targets = _targets(override, bottom_ids, hierarchy)
        rows = frame["unique_id"].isin(targets) & _period_mask(frame["ds"], override)
        if override.kind in ("price", "cost_shock", "scale"):
            frame.loc[rows, value_columns] *= override.factor()
        elif override.kind == "lost_customer":
            frame.loc[rows, value_columns] = (frame.loc[rows, value_columns] - override.amount).clip(
                lower=0.0
            )
        else:
            for uid in targets:
                mine = rows & (frame["unique_id"] == uid)
                count = int(mine.sum())
                if override.shape:
                    shape = np.resize(np.asarray(override.shape, float), count)
                else:
                    source = base[base["unique_id"] == override.analogue]
                    if source.empty:
                        raise InputError(
                            f"launch analogue {override.analogue!r} is not a series of the forecast"
                        )
                    shape = np.resize(source["yhat"].to_numpy(float), count)
                added = override.scale * shape * np.minimum(np.arange(1, count + 1) / override.ramp, 1.0)
                for column in value_columns:
                    frame.loc[mine, column] += added
    if hierarchy is None:
        return frame
    summed = sum_bottom_up(frame, hierarchy, ["yhat"])
    original = base.set_index(["unique_id", "ds"])
    out = summed.set_index(["unique_id", "ds"])
    delta = out["yhat"] - original["yhat"].reindex(out.index)
    for column in value_columns:
        if column != "yhat":
            out[column] = original[column].reindex(out.index) + delta
    scaled = frame.set_index(["unique_id", "ds"])
    out.loc[scaled.index, value_columns] = scaled[value_columns]
    return out.reset_index()[["unique_id", "ds", *value_columns]]


def compare_totals(frames: Mapping[str, pd.DataFrame], series: str) -> pd.DataFrame:
    """Side by side: one column per scenario (the first is the base) of ``series``' forecast per period,
    then a last row ``total`` and, per scenario, its change against the base.

    >>> import pandas as pd
    >>> base = pd.DataFrame({"unique_id": ["a", "a"], "ds": [1, 2], "yhat": [10.0, 10.0]})
    >>> compare_totals({"base": base, "cut": base.assign(yhat=[9.0, 8.0])}, "a").to_dict("list")
    {'ds': ['1', '2', 'total'], 'base': [10.0, 10.0, 20.0], 'cut': [9.0, 8.0, 17.0], 'cut vs base': [-1.0, -2.0, -3.0]}
    """
    import pandas as pd

    columns = {}
    for name, frame in frames.items():
        part = frame[frame["unique_id"] == series]
        if part.empty:
            raise InputError(f"no series {series!r} in {name}")
        columns[name] = part.set_index("ds")["yhat"]
    table = pd.DataFrame(columns)
    table.loc["total"] = table.sum()
    base_name = next(iter(frames))
    for name in list(frames)[1:]:
        table[f"{name} vs base"] = table[name] - table[base_name]
    table.index = table.index.map(period_label)
    return table.rename_axis("ds").reset_index()
