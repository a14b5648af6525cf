"""Synthetic monthly revenue by region and category, for examples, tests and a first try of the CLI.

>>> frame = demo_sales(periods=24)
>>> frame.shape, sorted(frame.unique_id.unique())[:2]
((96, 5), ['North/Food', 'North/Tech'])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["demo_sales"]

_CELLS = (("North", "Food", 120.0), ("North", "Tech", 80.0), ("South", "Food", 70.0), ("South", "Tech", 50.0))


def demo_sales(
    *, periods: int = 48, start: str = "2021-01-01", seed: int = 0, noise: float = 0.02
) -> pd.DataFrame:
    """``unique_id, ds, y, region, category``: four series with trend, yearly seasonality and noise.

    ``noise`` is the standard deviation of the multiplicative noise; the same ``seed`` gives the same data.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    t = np.arange(periods)
    dates = pd.date_range(start, periods=periods, freq="MS")
    parts = []
    for number, (region, category, level) in enumerate(_CELLS):
        season = 1 + (0.15 + 0.05 * number) * np.sin(2 * np.pi * (t + number) / 12)
        y = level * (1 + 0.01 * t) * season * (1 + rng.normal(0, noise, periods))
        parts.append(
            pd.DataFrame(
                {
                    "unique_id": f"{region}/{category}",
                    "ds": dates,
                    "y": y.round(2),
                    "region": region,
                    "category": category,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
