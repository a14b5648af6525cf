"""Anomaly detection on real series with injected, known anomalies: precision, recall, F1, detection delay.

Run from the project root::

    flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/forecast_anomalies.py --dataset tourism
    flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/forecast_anomalies.py --dataset m4-hourly

Half the series (seeded) get one anomaly, the kinds in turn: level shift (+/-15..40 %), ramp (+/-20..50 %
reached over two seasons), seasonal change (seasonal swing x1.5..2.5); start drawn in the last half of the
series (but not its last ``tolerance`` periods). The other half stay as they are, so their alarms count against
precision. The real series carry their own, unlabelled oddities: alarms on them count as false positives,
so precision here is a lower bound.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "forecast"
sys.path.insert(0, str(ROOT / "src"))

from argentier.forecast import load_series
from argentier.forecast._anomalies import AnomalyDetector
from argentier.forecast._anomaly_eval import INJECTIONS, inject, score_events

DATASETS = {
    "tourism": {"path": DATA / "tourism_au_quarterly" / "train.csv", "m": 4, "tolerance": 4},
    "m4-hourly": {"path": DATA / "m4" / "hourly-train.csv", "m": 24, "tolerance": 24},
}
RANGES = {"level_shift": (0.15, 0.40), "ramp": (0.20, 0.50), "seasonal_change": (0.5, 1.5)}


def labelled_set(frame: pd.DataFrame, m: int, tolerance: int, seed: int) -> tuple[pd.DataFrame, dict, dict]:
    rng = np.random.default_rng(seed)
    parts, starts, kinds = [], {}, {}
    for number, (uid, group) in enumerate(frame.groupby("unique_id", sort=True)):
        y = group["y"].to_numpy(float)
        if rng.random() < 0.5:
            kind = INJECTIONS[len(kinds) % len(INJECTIONS)]
            low, high = RANGES[kind]
            magnitude = rng.uniform(low, high) * (rng.choice([-1, 1]) if kind != "seasonal_change" else 1)
            start = int(rng.integers(len(y) // 2, len(y) - tolerance))
            y = inject(y, kind, start, magnitude=magnitude, season_length=m)
            starts[uid], kinds[uid] = start, kind
        parts.append(group.assign(y=y))
    return pd.concat(parts, ignore_index=True), starts, kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(DATASETS), required=True)
    parser.add_argument("--level", type=float, default=99.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    setting = DATASETS[args.dataset]
    frame = pd.read_csv(setting["path"]).rename(columns={"t": "ds"})[["unique_id", "ds", "y"]]
    labelled, starts, kinds = labelled_set(frame, setting["m"], setting["tolerance"], args.seed)
    started = time.perf_counter()
    data = load_series(labelled, season_length=setting["m"], freq=None if args.dataset == "tourism" else 1)
    result = AnomalyDetector(level=args.level).fit(data).predict()
    elapsed = time.perf_counter() - started
    flags = {
        uid: group["is_anomaly"].to_numpy() for uid, group in result.frame.groupby("unique_id", sort=False)
    }
    rows = [("all", score_events(flags, starts, tolerance=setting["tolerance"]))]
    clean = {uid: f for uid, f in flags.items() if uid not in starts}
    for kind in INJECTIONS:
        subset = {uid: flags[uid] for uid in starts if kinds[uid] == kind}
        rows.append(
            (
                kind,
                score_events(
                    {**subset, **clean}, {u: starts[u] for u in subset}, tolerance=setting["tolerance"]
                ),
            )
        )
    periods_clean = sum(len(f) for f in clean.values())
    false_rate = sum(int(np.sum(np.diff(np.concatenate([[0], f.astype(int)])) == 1)) for f in clean.values())
    print(
        f"{args.dataset}: {len(flags)} series ({len(starts)} injected, {len(clean)} clean), level {args.level},"
        f" tolerance {setting['tolerance']} periods, {elapsed:.0f} s"
    )
    print("| injected | labelled | found | precision | recall | F1 | mean delay | median delay |")
    print("|---|---|---|---|---|---|---|---|")
    for name, s in rows:
        print(
            f"| {name} | {s['labelled']} | {s['found']} | {s['precision']} | {s['recall']} | {s['f1']} |"
            f" {s['mean_delay']} | {s['median_delay']} |"
        )
    print(
        f"alarms on clean series: {false_rate} events over {periods_clean} periods"
        f" ({1000 * false_rate / max(periods_clean, 1):.2f} per 1000 periods)"
    )
    if args.json_out:
        args.json_out.write_text(
            json.dumps(
                {
                    "dataset": args.dataset,
                    "seconds": elapsed,
                    "rows": dict(rows),
                    "clean_false_events": false_rate,
                    "clean_periods": periods_clean,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
