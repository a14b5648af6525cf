"""M4 Hourly and Weekly with the official metrics (sMAPE, MASE, OWA vs Naive2) beside the organisers' table.

Run from the project root (figures recorded under the benchmark lock)::

    flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/forecast_m4.py --frequency hourly
    flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/forecast_m4.py --frequency weekly
    .venv/bin/python benchmarks/forecast_m4.py --frequency hourly --limit 20     # a quick look

Protocol (M4 guide): horizons 48 (hourly) and 13 (weekly); MASE scaled by the in-sample seasonal naive with
m = 24 (hourly) and m = 1 (weekly); Naive2 = naive on the series deseasonalised by classical multiplicative
decomposition when the 90 % autocorrelation test finds seasonality at lag m (so weekly Naive2 = Naive);
sMAPE and MASE averaged over series; OWA = mean of sMAPE/sMAPE(Naive2) and MASE/MASE(Naive2). Our Naive2 is
printed beside the official one as a check of the metric code. Official figures are read from
``../shared/data/forecast/m4/official_results/Point_Forecasts-Frequency.csv``.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "forecast" / "m4"
sys.path.insert(0, str(ROOT / "src"))

from argentier.forecast import Forecaster, load_series
from argentier.forecast._metrics import mase, owa, smape

SETTINGS = {
    "hourly": {
        "h": 48,
        "m_metric": 24,
        "m_model": 24,
        "column": "Hourly",
        "models": ("mstl", "dot", "seasonal_naive"),
    },
    "weekly": {
        "h": 13,
        "m_metric": 1,
        "m_model": 52,
        "column": "Weekly",
        "models": ("ets", "dot", "naive", "drift"),
    },
}


def seasonality_test(y: np.ndarray, m: int) -> bool:
    """M4's 90 % autocorrelation test at lag m."""
    if m <= 1 or len(y) < 3 * m:
        return False
    y = y - y.mean()
    denominator = float(np.sum(y * y))
    acf = [float(np.sum(y[k:] * y[:-k]) / denominator) for k in range(1, m + 1)]
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(np.square(acf[:-1]))) / len(y))
    return abs(acf[m - 1]) > limit


def naive2(y: np.ndarray, h: int, m: int) -> np.ndarray:
    """Naive on the seasonally adjusted series, reseasonalised (classical multiplicative decomposition)."""
    if not seasonality_test(y, m):
        return np.repeat(y[-1], h)
    series = pd.Series(y)
    trend = series.rolling(m, center=True).mean()
    if m % 2 == 0:
        trend = trend.rolling(2).mean().shift(-1)
    ratio = (series / trend).to_numpy()
    indices = np.array([np.nanmean(ratio[i::m]) for i in range(m)])
    indices = indices * m / indices.sum()
    seasonal = np.resize(indices, len(y) + h)
    adjusted = y / seasonal[: len(y)]
    return adjusted[-1] * seasonal[len(y) : len(y) + h]


def official(column: str) -> dict[str, tuple[float, float, float]]:
    with open(DATA / "official_results" / "Point_Forecasts-Frequency.csv") as file:
        rows = list(csv.reader(file))
    header = rows[1]
    positions = [i for i, name in enumerate(header) if name == column]
    return {
        row[0]: tuple(float(row[i]) for i in positions)
        for row in rows[2:]
        if row[0] and all(row[i] for i in positions)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frequency", choices=sorted(SETTINGS), required=True)
    parser.add_argument("--models", help="comma-separated model names (default: per frequency, see SETTINGS)")
    parser.add_argument("--limit", type=int, help="only the first N series (quick runs; not comparable)")
    parser.add_argument("--cv-windows", type=int, default=2)
    parser.add_argument("--no-global", action="store_true", help="leave out the LightGBM global model")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    setting = SETTINGS[args.frequency]
    h, m_metric = setting["h"], setting["m_metric"]
    models = tuple(args.models.split(",")) if args.models else setting["models"]
    train = pd.read_csv(DATA / f"{args.frequency}-train.csv").rename(columns={"t": "ds"})
    test = pd.read_csv(DATA / f"{args.frequency}-test.csv").rename(columns={"t": "ds"})
    if args.limit:
        keep = train["unique_id"].drop_duplicates().iloc[: args.limit]
        train, test = train[train.unique_id.isin(keep)], test[test.unique_id.isin(keep)]
    started = time.perf_counter()
    data = load_series(train, freq=1, season_length=setting["m_model"])
    forecaster = Forecaster(
        h,
        models=models,
        level=(95,),
        cv_windows=args.cv_windows,
        global_model=not args.no_global and "auto",
        n_jobs=args.n_jobs,
    )
    result = forecaster.fit(data).predict()
    elapsed = time.perf_counter() - started
    (ROOT / "bench-out").mkdir(exist_ok=True)
    result.frame.to_csv(ROOT / "bench-out" / f"forecast_m4_{args.frequency}_forecast.csv", index=False)
    forecast = result.frame.merge(test, on=["unique_id", "ds"])
    scores = {"ours": ([], []), "naive2": ([], [])}
    for uid, group in forecast.groupby("unique_id", sort=False):
        history = train.loc[train.unique_id == uid, "y"].to_numpy()
        y = group["y"].to_numpy()
        for name, yhat in (
            ("ours", group["yhat"].to_numpy()),
            ("naive2", naive2(history, h, setting["m_model"] if m_metric > 1 else 1)),
        ):
            scores[name][0].append(smape(y, yhat))
            scores[name][1].append(mase(y, yhat, insample=history, season_length=m_metric))
    table = official(setting["column"])
    ours = {name: (float(np.mean(s)), float(np.mean(m))) for name, (s, m) in scores.items()}
    # OWA against our Naive2 on the same series (equal to the official Naive2 when all series are run).
    rows = [
        ("Argentier forecaster (ours)", *ours["ours"], owa(*ours["ours"], *ours["naive2"])),
        ("Naive2 (ours, metric check)", *ours["naive2"], 1.0),
    ]
    best = min((v for k, v in table.items() if k not in ("Naive", "sNaive", "Naive2")), key=lambda v: v[2])
    for name in ("Naive2", "Theta", "Com"):
        rows.append((f"{name} (official)", *table[name]))
    rows.append(("best entry (official)", *best))
    print(
        f"M4 {args.frequency}: {forecast.unique_id.nunique()} series, h={h}, models={','.join(models)}"
        f" (+lgbm when chosen), cv_windows={args.cv_windows}, {elapsed:.0f} s on {platform.processor() or 'cpu'}"
    )
    print("| method | sMAPE | MASE | OWA |\n|---|---|---|---|")
    for name, s, m, o in rows:
        print(f"| {name} | {s:.3f} | {m:.3f} | {o:.3f} |")
    chosen = result.summary()["chosen"]
    print("chosen per series:", json.dumps(dict(list(chosen.items())[:8])))
    if args.json_out:
        args.json_out.write_text(
            json.dumps(
                {
                    "frequency": args.frequency,
                    "series": int(forecast.unique_id.nunique()),
                    "models": models,
                    "seconds": elapsed,
                    "rows": [dict(zip(("method", "smape", "mase", "owa"), row)) for row in rows],
                    "chosen": chosen,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
