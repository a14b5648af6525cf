"""Model choice for a detected change: a step (level shift) or a ramp (a drift that builds up), and where it starts.

The step and bend scans of :mod:`argentier.forecast._anomaly_scan` say *that* the level changed near a period;
they do not say *how*. A ramp lifts the step test most in its middle (half the ramp after its start), and a
noisy step can lift the bend test too. So for each candidate, one segment of the seasonally adjusted series
around it is fitted by a line plus a change ``d * r(t)`` that starts at ``tau`` and reaches its full size after
``L`` periods (``r = clip((t - tau + 1) / L, 0, 1)``; ``L = 1`` is a step), for every ``tau`` near the candidate
and ``L`` on a geometric grid. The best step and the best ramp (``L >= 3``) are compared on the same segment by
their residual sums of squares, with a penalty for the ramp's extra parameter (a BIC-like
``S * log(RSS_step / RSS_ramp) > penalty``): the kind is a model choice, not a threshold, and the start is the
first period off the old line. The expected value at the start is that old line, extrapolated.

>>> t = np.arange(80.0)
>>> a = 0.01 * t + np.random.default_rng(0).normal(0, 0.01, 80)
>>> a[50:] += 0.3 * np.minimum(np.arange(1, 31) / 12, 1)   # a ramp of +0.3 over 12 periods from 50
>>> choice = choose_change(a, 56, 16)
>>> choice.kind, abs(choice.position - 50) <= 1, round(choice.size, 1)
('ramp', True, 0.3)
>>> b = 0.01 * t + np.random.default_rng(0).normal(0, 0.01, 80)
>>> b[50:] += 0.3
>>> c = choose_change(b, 52, 16)
>>> c.kind, c.position, round(c.size, 1), c.length
('level_shift', 50, 0.3, 1)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["RAMP_PENALTY", "Choice", "choose_change"]

# log-likelihood gain (in units of S * log RSS) a ramp needs over a step; about log(S) + the choice of L.
RAMP_PENALTY = 8.0
LENGTHS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)


@dataclass(frozen=True)
class Choice:
    kind: str  # level_shift | ramp
    position: int  # first period off the old line
    size: float  # full size of the change (working scale)
    length: int  # periods to reach it (1: a step)
    expected: float  # the old line at ``position`` (seasonally adjusted, working scale)
    gain: float  # S * log(RSS_step / RSS_ramp): > penalty means ramp


def choose_change(a: np.ndarray, peak: int, window: int, *, penalty: float | None = None) -> Choice:
    """Fit step and ramp models around ``peak`` on the adjusted series ``a`` and keep the better one (module doc)."""
    penalty = RAMP_PENALTY if penalty is None else penalty
    a = np.asarray(a, float)
    n = len(a)
    lo, hi = max(peak - 2 * window, 0), min(peak + window, n)
    segment = a[lo:hi]
    size = len(segment)
    t = np.arange(lo, hi, dtype=float)
    first, last = max(lo + 3, peak - window), min(peak + max(window // 4, 1), hi - 2)
    if size < 8 or last < first:
        return Choice("level_shift", int(peak), 0.0, 1, float(a[min(peak, n - 1)]), 0.0)
    taus = np.arange(first, last + 1)
    lengths = np.array([length for length in LENGTHS if length <= max(hi - first, 1)])
    # every (tau, L): the change regressor over the segment
    tau_grid, length_grid = np.repeat(taus, len(lengths)), np.tile(lengths, len(taus))
    r = np.clip((t[None, :] - tau_grid[:, None] + 1) / length_grid[:, None], 0.0, 1.0)
    # the line (1, t) is common to all models: project it out once
    base = np.stack([np.ones(size), (t - t.mean()) / max(size, 1)], axis=1)
    q, _ = np.linalg.qr(base)
    y_res = segment - q @ (q.T @ segment)
    r_res = r - (r @ q) @ q.T
    rr = np.einsum("ks,ks->k", r_res, r_res)
    ry = r_res @ y_res
    ok = rr > 1e-12
    gain_fit = np.where(ok, ry**2 / np.where(ok, rr, 1.0), 0.0)
    rss = np.maximum(float(y_res @ y_res) - gain_fit, 1e-12 * max(float(segment @ segment), 1e-12))
    step, ramp = length_grid == 1, length_grid >= 3
    best_step = int(np.flatnonzero(step)[np.argmin(rss[step])])
    gain = 0.0
    best = best_step
    if ramp.any():
        best_ramp = int(np.flatnonzero(ramp)[np.argmin(rss[ramp])])
        gain = float(size * np.log(rss[best_step] / rss[best_ramp]))
        if gain > penalty:
            best = best_ramp
    tau, length = int(tau_grid[best]), int(length_grid[best])
    design = np.stack([np.ones(size), t - tau, r[best]], axis=1)
    coef, *_ = np.linalg.lstsq(design, segment, rcond=None)
    kind = "ramp" if length >= 3 and best != best_step else "level_shift"
    return Choice(kind, tau, float(coef[2]), length, float(coef[0]), gain)
