"""Price elasticity of demand per SKU or category: log-log regression with controls, double ML, naive OLS.

The panel is one row per SKU, region and date (channels summed): units, the average net price paid and a
promotion flag (any discount on the day's lines). Every method absorbs SKU x region fixed effects by demeaning;
then, per group:

- ``loglog``: ``log units ~ log price + promotion + month of year + trend`` by OLS, heteroskedasticity-robust
  (HC1) standard errors and t intervals;
- ``dml``: double machine learning, partialling out: gradient-boosted models of log units and of log price on
  the controls (month, week of year, promotion, trend, region, category), cross-fitted on ``n_folds`` folds;
  the elasticity is the residual-on-residual slope per group, with its sandwich standard error;
- ``naive``: ``log units ~ log price`` with nothing else, the benchmark of what ignoring controls costs.

Warnings say when the data cannot identify an elasticity: too few observations, a price that barely moves once
controls are removed, a price that moves only with promotions, a positive slope, a very wide interval.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> price = np.exp(rng.normal(0, 0.2, 300))
>>> panel = pd.DataFrame({"sku": "A", "region": "EU", "date": pd.date_range("2024-01-01", periods=300),
...                       "units": np.exp(3 - 1.5 * np.log(price) + rng.normal(0, 0.05, 300)), "price": price})
>>> estimate = ElasticityEstimator().fit(panel).estimates_[0]
>>> round(estimate.elasticity, 1), bool(estimate.lower < -1.5 < estimate.upper)
(-1.5, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from argentier.errors import InputError, NotFittedError
from argentier.profitability._data import ProfitData
from argentier.profitability._files import atomic_write_text

__all__ = ["ElasticityEstimate", "ElasticityEstimator", "price_panel", "read_elasticities", "write_elasticities"]

_METHODS = ("loglog", "dml", "naive")


@dataclass(frozen=True)
class ElasticityEstimate:
    """One group's elasticity with its interval (``None`` when the data cannot give one) and warnings."""

    group: str
    elasticity: float | None
    std_error: float | None
    lower: float | None
    upper: float | None
    n_obs: int
    method: str
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        def r(value):
            return None if value is None else round(value, 6)

        return {
            "group": self.group,
            "elasticity": r(self.elasticity),
            "std_error": r(self.std_error),
            "lower": r(self.lower),
            "upper": r(self.upper),
            "n_obs": self.n_obs,
            "method": self.method,
            "warnings": list(self.warnings),
        }


def price_panel(
    data: ProfitData, *, period: tuple[date, date] | None = None, filters: dict[str, Any] | None = None
):
    """One row per SKU, region and date: ``units``, ``price`` (net revenue / units), ``promotion``, ``category``."""
    where, params = data.where(period, filters)
    category = "category" if "category" in data.dimensions else "sku"
    promo = "bool_or(discount_c > 0)" if data.has_discount else "NULL"
    frame = data.connection.execute(
        f"SELECT sku, region, any_value({category}) AS category, date, sum(units_m) / 1000.0 AS units, "
        f"sum(revenue_c) / 100.0 AS revenue, {promo} AS promotion FROM lines "
        f"WHERE {where} AND units_m > 0 AND revenue_c > 0 GROUP BY sku, region, date ORDER BY sku, region, date",
        params,
    ).df()
    frame["price"] = frame["revenue"] / frame["units"]
    if not data.has_discount:
        frame = frame.drop(columns="promotion")
    return frame


class ElasticityEstimator:
    """Estimate price elasticities per ``level`` (``sku`` or ``category``) from a :func:`price_panel` frame."""

    def __init__(
        self,
        *,
        method: str = "loglog",
        level: str = "sku",
        min_obs: int = 30,
        confidence: float = 0.95,
        n_folds: int = 3,
        seed: int = 0,
    ) -> None:
        self.method = method
        self.level = level
        self.min_obs = min_obs
        self.confidence = confidence
        self.n_folds = n_folds
        self.seed = seed

    def fit(self, panel) -> ElasticityEstimator:
        if self.method not in _METHODS:
            raise InputError(f"unknown method {self.method!r}; choose among {', '.join(_METHODS)}")
        if not 0 < self.confidence < 1:
            raise InputError(f"confidence must be between 0 and 1, got {self.confidence}")
        frame = _prepare(panel, self.level)
        if self.method == "dml":
            estimates = _fit_dml(frame, self)
        else:
            estimates = [_fit_group(group, part, self) for group, part in frame.groupby("group", sort=True)]
        self.estimates_ = tuple(estimates)
        return self

    def elasticities(self) -> dict[str, float]:
        """``group -> elasticity`` for the groups that have one."""
        if not hasattr(self, "estimates_"):
            raise NotFittedError("call fit first")
        return {e.group: e.elasticity for e in self.estimates_ if e.elasticity is not None}


def _prepare(panel, level: str):
    import pandas as pd

    required = {"sku", "region", "date", "units", "price"} | ({"category"} if level == "category" else set())
    missing = required - set(panel.columns)
    if missing:
        raise InputError(f"the price panel lacks column(s) {', '.join(sorted(missing))}")
    if level not in ("sku", "category"):
        raise InputError(f"level must be sku or category, got {level!r}")
    frame = panel[(panel["units"] > 0) & (panel["price"] > 0)].copy()
    if frame.empty:
        raise InputError("no observations with positive units and price")
    frame["group"] = frame[level].astype(str)
    frame["entity"] = frame["sku"].astype(str) + "|" + frame["region"].astype(str)
    frame["y"] = np.log(frame["units"].astype(float))
    frame["x"] = np.log(frame["price"].astype(float))
    dates = pd.to_datetime(frame["date"])
    frame["month"] = dates.dt.month
    frame["week"] = dates.dt.isocalendar().week.astype(int).to_numpy()
    frame["trend"] = (dates - dates.min()).dt.days / 365.25
    frame["promo"] = frame["promotion"].astype(float) if "promotion" in frame else 0.0
    return frame


def _controls(part) -> np.ndarray:
    months = [(part["month"].to_numpy() == m).astype(float) for m in range(2, 13)]
    return np.column_stack([part["promo"].to_numpy(), part["trend"].to_numpy(), *months])


def _demean(values: np.ndarray, entity_codes: np.ndarray) -> np.ndarray:
    counts = np.bincount(entity_codes)
    if values.ndim == 1:
        return values - (np.bincount(entity_codes, values) / counts)[entity_codes]
    means = np.stack([np.bincount(entity_codes, column) for column in values.T], axis=1) / counts[:, None]
    return values - means[entity_codes]


def _interval(estimate: float, se: float, dof: int, confidence: float) -> tuple[float, float]:
    from scipy import stats

    half = stats.t.ppf(0.5 + confidence / 2, max(dof, 1)) * se
    return estimate - half, estimate + half


def _fit_group(group: str, part, config: ElasticityEstimator) -> ElasticityEstimate:
    n = len(part)
    if n < config.min_obs:
        return ElasticityEstimate(group, None, None, None, None, n, config.method, (f"only {n} observations",))
    y, x = part["y"].to_numpy(), part["x"].to_numpy()
    if config.method == "naive":
        design, n_fixed = np.column_stack([x, np.ones(n)]), 0
    else:
        codes = part["entity"].astype("category").cat.codes.to_numpy()
        controls = _controls(part)
        keep = controls.std(axis=0) > 0
        design = _demean(np.column_stack([x, controls[:, keep]]), codes)
        y = _demean(y, codes)
        n_fixed = int(codes.max()) + 1
    warnings = _identification_warnings(design, part, config.method)
    dof = n - design.shape[1] - n_fixed
    if dof < 5 or np.linalg.matrix_rank(design) < design.shape[1]:
        return ElasticityEstimate(group, None, None, None, None, n, config.method, (*warnings, "controls are collinear"))
    bread = np.linalg.inv(design.T @ design)
    beta = bread @ design.T @ y
    residuals = y - design @ beta
    meat = (design * residuals[:, None] ** 2).T @ design
    covariance = bread @ meat @ bread * n / dof
    se = float(np.sqrt(covariance[0, 0]))
    return _estimate(group, float(beta[0]), se, dof, n, config, warnings)


def _estimate(group, elasticity, se, dof, n, config, warnings) -> ElasticityEstimate:
    lower, upper = _interval(elasticity, se, dof, config.confidence)
    warnings = list(warnings)
    if lower > 0:
        warnings.append("positive elasticity: demand rising with price points to confounding or a mis-specification")
    if upper - lower > 2.0:
        warnings.append(f"wide interval ({lower:.2f} to {upper:.2f}): the data barely identify the elasticity")
    return ElasticityEstimate(group, elasticity, se, lower, upper, n, config.method, tuple(warnings))


def _identification_warnings(design: np.ndarray, part, method: str) -> list[str]:
    if method == "naive":
        return []
    price, others = design[:, 0], design[:, 1:]
    residual = price - others @ np.linalg.lstsq(others, price, rcond=None)[0] if others.shape[1] else price
    spread = float(residual.std())
    if spread >= 0.01:
        return []
    if float(price.std()) >= 0.01 and (part["promo"].to_numpy() > 0).any():
        return ["price moves only with promotions: the elasticity is confounded with the promotion effect"]
    return [f"price barely varies once controls are removed (sd of log price {spread:.4f})"]


def _fit_dml(frame, config: ElasticityEstimator) -> list[ElasticityEstimate]:
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.model_selection import KFold
    from threadpoolctl import threadpool_limits

    codes = frame["entity"].astype("category").cat.codes.to_numpy()
    y = _demean(frame["y"].to_numpy(), codes)
    x = _demean(frame["x"].to_numpy(), codes)
    features = np.column_stack(
        [
            frame["month"].to_numpy(),
            frame["week"].to_numpy(),
            frame["promo"].to_numpy(),
            frame["trend"].to_numpy(),
            frame["region"].astype("category").cat.codes.to_numpy(),
            frame["category"].astype("category").cat.codes.to_numpy() if "category" in frame else np.zeros(len(frame)),
        ]
    )
    residual_y, residual_x = np.empty_like(y), np.empty_like(x)
    folds = KFold(n_splits=config.n_folds, shuffle=True, random_state=config.seed)
    # One OpenMP thread: on a shared, busy machine the boosting's spinning threads ran ~70x slower (measured).
    with threadpool_limits(limits=1, user_api="openmp"):
        for train, test in folds.split(features):
            for target, out in ((y, residual_y), (x, residual_x)):
                model = HistGradientBoostingRegressor(max_iter=100, random_state=config.seed)
                model.fit(features[train], target[train])
                out[test] = target[test] - model.predict(features[test])
    frame = frame.assign(ry=residual_y, rx=residual_x)
    estimates = []
    for group, part in frame.groupby("group", sort=True):
        n = len(part)
        if n < config.min_obs:
            estimates.append(ElasticityEstimate(group, None, None, None, None, n, "dml", (f"only {n} observations",)))
            continue
        rx, ry = part["rx"].to_numpy(), part["ry"].to_numpy()
        denominator = float(rx @ rx)
        warnings = []
        spread = float(rx.std())
        if spread < 0.01:
            warnings.append(f"price barely varies once controls are removed (sd of log price {spread:.4f})")
        if denominator == 0:
            estimates.append(ElasticityEstimate(group, None, None, None, None, n, "dml", tuple(warnings)))
            continue
        theta = float(rx @ ry) / denominator
        se = float(np.sqrt(np.sum(rx**2 * (ry - theta * rx) ** 2)) / denominator)
        estimates.append(_estimate(group, theta, se, n - 1, n, config, warnings))
    return estimates


def write_elasticities(estimates, path) -> None:
    """Write estimates as CSV (``group, elasticity, std_error, lower, upper, n_obs, method, warnings``), atomically."""
    import pandas as pd

    rows = [e.to_dict() | {"warnings": "; ".join(e.warnings)} for e in estimates]
    atomic_write_text(path, pd.DataFrame(rows).to_csv(index=False))


def read_elasticities(path) -> dict[str, float]:
    """``group -> elasticity`` from a CSV with columns ``group`` (or ``sku``/``category``) and ``elasticity``.

    Rows without an elasticity (groups the data could not identify) are skipped.
    """
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from None
    key = next((c for c in ("group", "sku", "category") if c in frame.columns), None)
    if key is None or "elasticity" not in frame.columns:
        raise InputError("needs columns group (or sku, category) and elasticity", source=str(path))
    values = pd.to_numeric(frame["elasticity"], errors="coerce")
    bad = frame["elasticity"].notna() & values.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 1
        raise InputError(f"row {row}, column 'elasticity': {frame['elasticity'].iloc[row - 1]!r} is not a number", source=str(path))
    keep = values.notna()
    return dict(zip(frame.loc[keep, key].astype(str), values[keep].astype(float)))
