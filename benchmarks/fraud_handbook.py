"""Fraud detection on the Fraud Detection Handbook's protocol, and real-time scoring latency.

Simulates the handbook's dataset design (5,000 customers, 10,000 terminals, 183 days from 2018-04-01), trains on
7 days (2018-07-25 to 07-31), waits the 7-day label delay and tests on the next 7 days (2018-08-08 to 08-14), with
the cards already known compromised removed from each test day (handbook chapter 5.2, ``get_train_test_set``).
Reports AUC ROC, average precision and card precision@100 beside the handbook's published bests, then replays the
test week one event at a time through ``Scorer.score`` / ``Scorer.label`` for latency (p50 / p99) and events/s,
and checks that the real-time scores equal the batch scores.

    .venv/bin/python benchmarks/fraud_handbook.py [--customers 5000 --terminals 10000 --days 183] [--json-out PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import date, timedelta

import numpy as np
import pandas as pd

from argentier.fraud import (
    FraudModel,
    OnlineLearner,
    Scorer,
    card_precision_at_k,
    compute_features,
    prepare_transactions,
    ranking_metrics,
    simulate_transactions,
)
from argentier.fraud._data import day_mask
from argentier.fraud._stream import replay_stream

PUBLISHED = {"auc": 0.879, "average_precision": 0.687, "card_precision_at_100": 0.303}


def handbook_test_mask(
    frame: pd.DataFrame, train_start: date, train_days: int, delay_days: int, test_days: int
) -> np.ndarray:
    """Test rows minus the customers known compromised by each test day (frauds since training start)."""
    days = (frame.timestamp - pd.Timestamp(train_start)).dt.days.to_numpy()
    customers = frame.customer_id.to_numpy()
    fraud = frame.is_fraud.to_numpy() == 1
    keep = np.zeros(len(frame), dtype=bool)
    for day in range(test_days):
        test_day = train_days + delay_days + day
        known = set(customers[fraud & (days >= 0) & (days <= train_days + day - 1)])
        today = days == test_day
        keep |= today & ~np.isin(customers, list(known))
    return keep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--terminals", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=183)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-start", default="2018-07-25")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--online", action="store_true", help="Also replay with the online learner and compare."
    )
    parser.add_argument(
        "--compare-gc", action="store_true", help="Also replay without gc.freeze() after warm-up."
    )
    parser.add_argument("--online-weight", type=float, default=0.5)
    parser.add_argument("--online-learning-rate", type=float, default=0.01)
    parser.add_argument("--json-out")
    args = parser.parse_args()

    clock = time.perf_counter()
    raw = simulate_transactions(args.customers, args.terminals, args.days, seed=args.seed)
    frame = prepare_transactions(raw).frame
    simulated = time.perf_counter() - clock
    train_start = date.fromisoformat(args.train_start)
    train_end, test_start = train_start + timedelta(days=6), train_start + timedelta(days=14)
    test_end = test_start + timedelta(days=6)
    train = day_mask(frame, train_start, train_end).to_numpy()
    test = handbook_test_mask(frame, train_start, 7, 7, 7)
    frame = frame[frame.timestamp < pd.Timestamp(test_end) + pd.Timedelta(days=1)]
    train, test = train[: len(frame)], test[: len(frame)]

    clock = time.perf_counter()
    features = compute_features(frame, rows=train | test)
    feature_seconds = time.perf_counter() - clock
    train_rows = train[train | test]
    clock = time.perf_counter()
    model = FraudModel(num_threads=args.threads).fit(
        features[train_rows], frame.is_fraud[train], frame.timestamp[train]
    )
    fit_seconds = time.perf_counter() - clock
    tested = frame[test].assign(score=model.predict_score(features[~train_rows]))
    quality = {
        **ranking_metrics(tested.is_fraud, tested.score),
        "card_precision_at_100": float(np.mean(card_precision_at_k(tested, 100))),
    }

    # Real time: state warmed on everything before the test week, then every event of the week in order.
    decisions, stream = replay_stream(frame, Scorer(model), test_start, test_end)
    unfrozen = None
    if args.compare_gc:
        _, unfrozen = replay_stream(frame, Scorer(model), test_start, test_end, freeze_gc=False)
    batch = dict(zip(tested.transaction_id, tested.score))
    online = dict(zip(decisions.transaction_id, decisions.score))
    common = [key for key in batch if key in online]
    max_diff = max((abs(batch[key] - online[key]) for key in common), default=float("nan"))
    learning = None
    if args.online:
        learner = OnlineLearner(model.feature_names_, learning_rate=args.online_learning_rate)
        # Start the replay after training so that the labels arriving in the test week (7-day delay) belong to
        # transactions the scorer has seen, and the online learner learns from them.
        _, learning = replay_stream(
            frame,
            Scorer(model, online=learner, online_weight=args.online_weight),
            test_start,
            test_end,
            learn_from=train_end + timedelta(days=1),
        )

    result = {
        "machine": f"{platform.processor() or platform.machine()}, Python {platform.python_version()}",
        "data": {
            "transactions": len(raw),
            "fraud_rate": float(raw.is_fraud.mean()),
            "simulate_s": simulated,
            "train_rows": int(train.sum()),
            "train_frauds": int(frame.is_fraud[train].sum()),
            "test_rows": int(test.sum()),
            "test_frauds": int(tested.is_fraud.sum()),
        },
        "quality": quality,
        "published": PUBLISHED,
        "model": {
            "trees": model.n_trees_,
            "version": model.version,
            "fit_s": fit_seconds,
            "feature_s": feature_seconds,
            "feature_us_per_event": 1e6 * feature_seconds / len(frame),
        },
        "stream": stream.to_dict(),
        "stream_without_gc_freeze": unfrozen and unfrozen.to_dict(),
        "real_time_vs_batch": {"compared": len(common), "max_abs_score_diff": max_diff},
        "online_learning": learning and learning.to_dict(),
    }
    print(
        f"transactions {len(raw):,}, fraud {100 * result['data']['fraud_rate']:.2f} %;"
        f" train {result['data']['train_rows']:,} ({result['data']['train_frauds']} fraud),"
        f" test {result['data']['test_rows']:,} ({result['data']['test_frauds']} fraud)"
    )
    print(f"{'metric':<24}{'argentier':>12}{'handbook best':>15}")
    for name, value in quality.items():
        print(f"{name:<24}{value:>12.3f}{PUBLISHED[name]:>15.3f}")
    for name, report in (("gc.freeze", stream), ("no freeze", unfrozen)):
        if report is not None:
            print(
                f"Scorer.score ({name}): p50 {report.p50_ms:.3f} ms, p99 {report.p99_ms:.3f} ms,"
                f" max {report.max_ms:.1f} ms, CPU p50 {report.cpu_p50_ms:.3f} ms, CPU p99 {report.cpu_p99_ms:.3f}"
                f" ms; {report.events_per_second:,.0f} events/s ({report.transactions:,} transactions,"
                f" {report.labels:,} labels)"
            )
    if learning is not None:
        for name in ("model", "online", "blended"):
            metrics = getattr(learning, name)
            print(f"stream {name:<8} AUC {metrics['auc']:.3f}  AP {metrics['average_precision']:.3f}")
    print(f"real-time vs batch: {len(common):,} transactions, max |score difference| {max_diff:.3g}")
    print(
        f"features {feature_seconds:.1f} s ({result['model']['feature_us_per_event']:.0f} us/event),"
        f" fit {fit_seconds:.1f} s, {model.n_trees_} trees"
    )
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as file:
            json.dump(result, file, indent=2)


if __name__ == "__main__":
    main()
