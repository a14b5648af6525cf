"""Australian domestic tourism (quarterly, 304 bottom series): per-level MASE for base, bottom-up and MinTrace.

Run from the project root::

    flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/forecast_tourism.py
    flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/forecast_tourism.py --models ets,theta,seasonal_naive

Train 1998Q1-2015Q4, test 2016Q1-2017Q4 (h = 8), hierarchy State > Region > Purpose (levels total, State,
State/Region, State/Region/Purpose: 1 + 7 + 77 + 304 = 389 series). One fit gives the base forecasts; each
reconciliation is applied to the same base forecasts. MASE uses the in-sample seasonal naive (m = 4) of each
series at its own level, averaged over the series of the level.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "forecast" / "tourism_au_quarterly"
sys.path.insert(0, str(ROOT / "src"))

from argentier.forecast import Forecaster, aggregate_levels, load_series, score_forecast

HIERARCHY = ("State", "Region", "Purpose")
METHODS = ("base", "bottom_up", "min_trace", "min_trace_ols", "wls_struct")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models",
        default="ets",
        help="comma-separated base models (default: ETS, as in the reconciliation literature)",
    )
    parser.add_argument("--no-global", action="store_true")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    models = tuple(args.models.split(","))
    started = time.perf_counter()
    train = load_series(DATA / "train.csv", hierarchy=HIERARCHY)
    test = load_series(DATA / "test.csv", hierarchy=HIERARCHY, freq=train.freq)
    actuals = aggregate_levels(test.frame, HIERARCHY)[0]
    forecaster = Forecaster(
        8, models=models, level=(80, 95), global_model=False if args.no_global else "auto"
    )
    forecaster.fit(train)
    fitted_at = time.perf_counter()
    scores = []
    for method in METHODS:
        result = forecaster.predict(reconciliation=method)
        scores.append(score_forecast(result, actuals, method=method))
        if method != "base":
            print(f"{method}: largest incoherence {result.coherence_error:.1e}")
    elapsed = time.perf_counter() - started
    table = pd.concat(scores).groupby(["level", "method"], sort=False)["mase"].mean().unstack("method")
    table = table[list(METHODS)]
    table.loc["all series"] = pd.concat(scores).groupby("method")["mase"].mean()[list(METHODS)]
    print(
        f"tourism: {actuals.unique_id.nunique()} series, models={','.join(models)}, fit {fitted_at - started:.0f} s,"
        f" total {elapsed:.0f} s"
    )
    print("| level | " + " | ".join(METHODS) + " |\n|---|" + "---|" * len(METHODS))
    for level, row in table.iterrows():
        print(f"| {level} | " + " | ".join(f"{value:.3f}" for value in row) + " |")
    coverage = pd.concat(scores).groupby("method")[["coverage_80", "coverage_95"]].mean()
    print("interval coverage (all series):", coverage.round(3).to_dict(orient="index"))
    if args.json_out:
        args.json_out.write_text(
            json.dumps(
                {"models": models, "seconds": elapsed, "mase": table.round(4).to_dict(orient="index")},
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
