"""Train the shipped clause model on CUAD v1 (train split minus the 40 dev ids) and write it into the package.

flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/train_clause_model.py --data ../shared/data/cuad
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from argentier.contracts._model import _DEFAULT_PATH
from argentier.contracts.training import train_clause_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", default="../shared/data/cuad", help="CUAD folder (train.jsonl, dev_ids.txt)"
    )
    parser.add_argument("--out", default=str(_DEFAULT_PATH), help="where to write the model (.npz)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--alpha", type=float, default=2e-5)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--negative-rate", type=float, default=0.15)
    parser.add_argument("--json-out", help="also write the training summary as JSON here")
    args = parser.parse_args()
    started = time.perf_counter()
    model, dev = train_clause_model(
        args.data,
        seed=args.seed,
        alpha=args.alpha,
        epochs=args.epochs,
        negative_rate=args.negative_rate,
        progress=lambda message: print(f"{time.perf_counter() - started:7.1f}s  {message}", flush=True),
    )
    path = model.save(args.out)
    summary = {
        **{key: value for key, value in model.info_.items() if key != "categories"},
        "seconds": round(time.perf_counter() - started, 1),
        "model_bytes": path.stat().st_size,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "dev_contracts_held_out": len(dev),
    }
    for key, value in summary.items():
        print(f"{key:24s} {value}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
