"""Scale-out: the same Forecaster call on the local engine and on local Dask, Ray and Spark clusters.

Run from the project root (needs ``pip install 'argentier[distributed,spark]'`` and Java for Spark)::

    flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/forecast_engines.py --json-out bench-out/engines.json

Data: the Australian tourism hierarchy (``../shared/data/forecast/tourism_au_quarterly``, train 1998Q1-2015Q4,
389 series over four levels), h = 8, ETS + Theta + seasonal naive chosen per series by two rolling-origin windows,
MinTrace reconciliation (the distributed engines return no fitted values, so MinTrace falls back to WLS
structural there: the local run is given ``wls_struct`` too so the answers compare). ``--copies K`` stacks K
renamed copies of the bottom series to make the job larger. Each engine's time includes starting its cluster
(Dask: one worker process per core; Ray: ``ray.init`` with every core; Spark: a ``local[cores]`` session), which
a long-lived cluster would not pay on every call. The figure that matters beside the time: the largest difference from the local answer.
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

from argentier.forecast import Forecaster, load_series

HIERARCHY = ("State", "Region", "Purpose")


def tourism(copies: int) -> pd.DataFrame:
    frame = pd.read_csv(DATA / "train.csv")
    parts = []
    for k in range(copies):
        part = frame.copy()
        if k:
            part["State"] = part["State"] + f"#{k}"
            part["unique_id"] = part["unique_id"] + f"#{k}"
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def run(engine: str, data, cores: int) -> tuple[float, pd.DataFrame]:
    started = time.perf_counter()
    forecaster = Forecaster(
        8,
        models=("ets", "theta", "seasonal_naive"),
        level=(80,),
        global_model=False,
        reconciliation="wls_struct",
        engine=engine,
        n_jobs=cores,
    )
    if engine == "dask":
        import distributed

        with (
            distributed.LocalCluster(n_workers=cores, threads_per_worker=1, dashboard_address=None) as cluster,
            distributed.Client(cluster),
        ):
            result = forecaster.fit(data).predict()
    elif engine == "ray":
        import ray

        ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False)
        try:
            result = forecaster.fit(data).predict()
        finally:
            ray.shutdown()
    elif engine == "spark":
        from argentier.forecast import connect_engine, disconnect_engines

        connect_engine("spark", f"local[{cores}]")
        try:
            result = forecaster.fit(data).predict()
        finally:
            disconnect_engines()
    else:
        result = forecaster.fit(data).predict()
    return time.perf_counter() - started, result.frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["local", "dask", "ray", "spark"])
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    data = load_series(tourism(args.copies), hierarchy=HIERARCHY)
    rows, reference = [], None
    for engine in args.engines:
        seconds, frame = run(engine, data, args.cores)
        row = {"engine": engine, "series": int(frame["unique_id"].nunique()), "seconds": round(seconds, 1)}
        if reference is None:
            reference = frame
        else:
            merged = reference.merge(frame, on=["unique_id", "ds"], suffixes=("_ref", "_engine"))
            assert len(merged) == len(reference), "an engine returned other series or periods"
            gap = (merged["yhat_ref"] - merged["yhat_engine"]).abs()
            row["max_abs_diff_yhat"] = float(gap.max())
            row["max_rel_diff_yhat"] = float((gap / merged["yhat_ref"].abs().clip(lower=1e-9)).max())
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps({"copies": args.copies, "cores": args.cores, "runs": rows}, indent=2))


if __name__ == "__main__":
    main()
