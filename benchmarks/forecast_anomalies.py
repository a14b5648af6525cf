"""Anomaly detection on real series with injected, known anomalies: precision, recall, F1, detection delay.

Run from the project root::

    flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/forecast_anomalies.py \\
        --datasets tourism m4-weekly m4-hourly --online-delay --json-out /tmp/anomalies.json

Half the series of each dataset (seeded) get one anomaly, the kinds in turn: level shift x(1 +/- 15..40 %) (a
regional price change), ramp to +/- 20..50 % (a supply-cost drift), seasonal swing x1.5..2.5, spike (one period
+30..80 % or -22..60 %); start drawn in the second half of the series (not in its last ``tolerance`` periods).
The other half stay as they are, so their alarms count against precision; the real series carry their own,
unlabelled oddities, so precision here is a lower bound.

The series are split at random (seeded) into a **tuning** half and a **held-out** half. The thresholds (one per
kind and regime: series under ``SHORT_SERIES`` = 300 periods, and longer ones) are chosen on the tuning half only,
by coordinate search for the best mean F1 over the datasets given; the held-out half is scored once with them. A labelled anomaly is found when a flagged period falls in
``[start, start + tolerance]``; delay = periods from the start to that flag (the detector looks at the whole
series). ``--online-delay`` also measures the delay of a detector that only sees the data up to each period:
the series is cut after ``start + k`` and re-scanned for growing ``k``; the online delay is the first ``k`` at
which the anomaly is flagged (held-out anomalies found on the full series).

``--public`` adds the public labelled series that sktime ships inside its wheel (``pip install sktime``): one
Yahoo S5 series (7 labelled points, via TSB-UAD) and the UK seatbelt-law series (monthly road casualties, the
labelled law change, via the Turing change-point dataset); and the Nile's annual flow (statsmodels ships it; the
1898 change, Cobb 1978). They are read from the installed packages, never downloaded, and scored with the
thresholds chosen on the tuning split and with the shipped defaults.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "forecast"
sys.path.insert(0, str(ROOT / "src"))

from argentier.forecast._anomaly_eval import INJECTIONS, inject, score_events
from argentier.forecast._anomaly_scan import (
    DEFAULT_SHORT_THRESHOLDS,
    DEFAULT_THRESHOLDS,
    KINDS,
    SHORT_SERIES,
    find_events,
    scan_series,
)

SHIPPED = {"short": DEFAULT_SHORT_THRESHOLDS, "long": DEFAULT_THRESHOLDS}

DATASETS = {
    "tourism": {"path": DATA / "tourism_au_quarterly" / "train.csv", "periods": (4,), "tolerance": 4, "ramp": 8},
    "m4-weekly": {"path": DATA / "m4" / "weekly-train.csv", "periods": (52,), "tolerance": 8, "ramp": 26},
    "m4-hourly": {"path": DATA / "m4" / "hourly-train.csv", "periods": (24, 168), "tolerance": 24, "ramp": 48},
}
RANGES = {"level_shift": (0.15, 0.40), "ramp": (0.20, 0.50), "seasonal_change": (0.5, 1.5), "spike": (0.3, 0.8)}
GRID = {
    "spike": [3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 7.0, 8.0, 10.0, 12.0, 15.0, 20.0, 99.0],
    "level_shift": [2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 7.0, 8.0, 10.0, 12.0, 15.0],
    "ramp": [2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 7.0, 8.0, 10.0, 12.0, 15.0, 99.0],
    "seasonal_change": [2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 7.0, 8.0, 10.0, 12.0, 15.0, 99.0],
}
MAX_PERIODS = 1000  # at most the last 1,000 periods (about 19 years of weeks): keeps the scan time in bounds


def labelled_set(frame: pd.DataFrame, setting: dict, seed: int) -> list[dict]:
    """One record per series: values (maybe injected), start and kind (or None), split."""
    rng = np.random.default_rng(seed)
    records, injected = [], 0
    tolerance, m = setting["tolerance"], setting["periods"][0]
    for uid, group in frame.groupby("unique_id", sort=True):
        y = group["y"].to_numpy(float)[-MAX_PERIODS:]
        record = {"uid": str(uid), "y": y, "start": None, "kind": None}
        if rng.random() < 0.5:
            kind = INJECTIONS[injected % len(INJECTIONS)]
            injected += 1
            magnitude = rng.uniform(*RANGES[kind])
            if kind != "seasonal_change" and rng.random() < 0.5:
                magnitude = -magnitude * (0.75 if kind == "spike" else 1.0)
            start = int(rng.integers(len(y) // 2, len(y) - tolerance))
            record["y"] = inject(y, kind, start, magnitude=magnitude, season_length=m, ramp_length=setting["ramp"])
            record.update(start=start, kind=kind)
        record["split"] = "tuning" if rng.random() < 0.5 else "held-out"
        records.append(record)
    return records


def events_of(scan, thresholds: dict, start: int = 0) -> list:
    """The scan's events with the thresholds of its regime (``thresholds``: {"short": {...}, "long": {...}})."""
    return find_events(scan, thresholds["short" if len(scan.z) < SHORT_SERIES else "long"], start=start)


def flags_of(scan, thresholds: dict, n: int) -> np.ndarray:
    flags = np.zeros(n, bool)
    for event in events_of(scan, thresholds):
        flags[event.position] = True
    return flags


def evaluate(records: list[dict], scans: dict, thresholds: dict, tolerance: int, kinds: bool = True) -> dict:
    flags = {r["uid"]: flags_of(scans[r["uid"]], thresholds, len(r["y"])) for r in records}
    starts = {r["uid"]: r["start"] for r in records if r["start"] is not None}
    clean = {r["uid"]: flags[r["uid"]] for r in records if r["start"] is None}
    rows = {"all": score_events(flags, starts, tolerance=tolerance)}
    for kind in INJECTIONS:
        subset = {r["uid"]: flags[r["uid"]] for r in records if r["kind"] == kind}
        rows[kind] = score_events({**subset, **clean}, {u: starts[u] for u in subset}, tolerance=tolerance)
        if kinds:
            rows[kind]["kind_correct"] = _kind_accuracy(records, scans, thresholds, kind, tolerance)
    periods = sum(len(f) for f in clean.values())
    false_events = sum(int(f.sum()) for f in clean.values())
    rows["clean"] = {"series": len(clean), "periods": periods, "events": false_events}
    return rows


def _kind_accuracy(records, scans, thresholds, kind, tolerance) -> float | None:
    """Of the found anomalies of ``kind``, the share whose first event in the window carries the right kind."""
    right = found = 0
    for r in records:
        if r["kind"] != kind:
            continue
        inside = [
            e for e in events_of(scans[r["uid"]], thresholds) if r["start"] <= e.position <= r["start"] + tolerance
        ]
        if inside:
            found += 1
            right += inside[0].kind == kind
    return round(right / found, 3) if found else None


def calibrate(parts: list[tuple[list[dict], dict, int]]) -> dict:
    """Coordinate search (two rounds) for the thresholds with the best mean F1 over the tuning parts.

    Eight coordinates: the four kinds' thresholds for long series, then for short ones (under ``SHORT_SERIES``
    periods), both starting from the long-series defaults. Then each threshold is lowered as long as the mean F1
    stays within 0.005 of the best: of nearly equal choices, the most sensitive one.
    """
    thresholds = {"short": dict(DEFAULT_THRESHOLDS), "long": dict(DEFAULT_THRESHOLDS)}
    coordinates = [(regime, kind) for regime in ("long", "short") for kind in KINDS]

    def objective(candidate: dict) -> float:
        return float(np.mean([evaluate(rs, sc, candidate, tol, kinds=False)["all"]["f1"] for rs, sc, tol in parts]))

    def setting(regime: str, kind: str, value: float) -> dict:
        return {**thresholds, regime: {**thresholds[regime], kind: value}}

    best = objective(thresholds)
    for _ in range(2):
        for regime, kind in coordinates:
            for value in GRID[kind]:
                candidate = setting(regime, kind, value)
                score = objective(candidate)
                if score > best + 1e-9:
                    best, thresholds = score, candidate
    for regime, kind in coordinates:
        for value in sorted(v for v in GRID[kind] if v < thresholds[regime][kind])[::-1]:
            candidate = setting(regime, kind, value)
            if objective(candidate) < best - 0.005:
                break
            thresholds = candidate
    return thresholds


def online_delays(records, setting, thresholds, scans) -> dict:
    """Periods after the start a detector that sees data only up to now needs to flag each found anomaly."""
    tolerance, delays = setting["tolerance"], {kind: [] for kind in INJECTIONS}
    steps = list(range(1, tolerance + 2)) if tolerance <= 8 else [1, 2, 3, 4, 6, 8, 12, 16, 20, 25]
    for r in records:
        if r["start"] is None or r["split"] != "held-out":
            continue
        window = (r["start"], r["start"] + tolerance)
        if not flags_of(scans[r["uid"]], thresholds, len(r["y"]))[window[0] : window[1] + 1].any():
            continue
        for k in steps:
            cut = r["y"][: r["start"] + k]
            events = events_of(scan_series(cut, setting["periods"]), thresholds, start=r["start"])
            if any(window[0] <= e.position <= window[1] for e in events):
                delays[r["kind"]].append(k - 1)
                break
        else:
            delays[r["kind"]].append(None)
    return {
        kind: {
            "found_online": sum(d is not None for d in values),
            "of": len(values),
            "median": float(np.median([d for d in values if d is not None])) if any(d is not None for d in values)
            else None,
        }
        for kind, values in delays.items()
    }


def public_sets() -> list[dict]:
    """Series with public labels read from the installed sktime wheel (no download)."""
    spec = importlib.util.find_spec("sktime")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("--public needs sktime installed (pip install sktime): it ships the labelled files")
    folder = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"
    yahoo = pd.read_csv(folder / "yahoo" / "yahoo.csv")
    belts = pd.read_csv(folder / "seatbelts" / "seatbelts.csv")
    nile = _nile()
    return [
        {"name": "Yahoo S5 (sktime yahoo.csv)", "y": yahoo["data"].to_numpy(float),
         "labels": np.flatnonzero(yahoo["label"].to_numpy()).tolist(), "periods": (24,), "tolerance": 3},
        {"name": "UK seatbelt law (sktime seatbelts.csv)", "y": belts["KSI"].to_numpy(float),
         "labels": np.flatnonzero(belts["label"].to_numpy()).tolist(), "periods": (12,), "tolerance": 3},
        *nile,
    ]


def _nile() -> list[dict]:
    """The Nile's annual flow at Aswan, 1871-1970 (statsmodels ships it): the labelled change is 1898 (Cobb 1978).

    The flow drops by about a fifth from 1899 on (the first Aswan dam, and a drier regime); the Turing
    change-point dataset annotates the same change. Read from the installed statsmodels package, no download.
    """
    try:
        from statsmodels.datasets import nile
    except ImportError:  # statsmodels is a core dependency; without it, the series is left out
        return []
    data = nile.load_pandas().data
    years = data["year"].astype(int).tolist()
    return [{"name": "Nile at Aswan (statsmodels nile.csv)", "y": data["volume"].to_numpy(float),
             "labels": [years.index(1898)], "periods": (), "tolerance": 3}]


def _table(title: str, rows: dict) -> None:
    print(f"\n{title}")
    print("| injected | labelled | found | precision | recall | F1 | mean delay | median delay | right kind |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in ("all", *INJECTIONS):
        s = rows[name]
        print(
            f"| {name} | {s['labelled']} | {s['found']} | {s['precision']} | {s['recall']} | {s['f1']} |"
            f" {s['mean_delay']} | {s['median_delay']} | {s.get('kind_correct', '')} |"
        )
    c = rows["clean"]
    print(f"alarms on {c['series']} clean series: {c['events']} over {c['periods']} periods"
          f" ({1000 * c['events'] / max(c['periods'], 1):.2f} per 1000)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=sorted(DATASETS), default=["tourism"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--online-delay", action="store_true")
    parser.add_argument("--public", action="store_true")
    parser.add_argument("--window", type=int, help="Half-width of the change tests (default: the detector's).")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    out: dict = {"datasets": {}, "seed": args.seed}
    parts, loaded = [], {}
    for name in args.datasets:
        setting = DATASETS[name]
        frame = pd.read_csv(setting["path"]).rename(columns={"t": "ds"})[["unique_id", "ds", "y"]]
        records = labelled_set(frame, setting, args.seed)
        started = time.perf_counter()
        scans = {}
        for number, r in enumerate(records, 1):
            scans[r["uid"]] = scan_series(r["y"], setting["periods"], window=args.window)
            if number % 100 == 0:
                print(f"  {name}: {number}/{len(records)} series scanned", file=sys.stderr)
        seconds = time.perf_counter() - started
        print(f"{name}: {len(records)} series, {sum(len(r['y']) for r in records)} periods, scanned in {seconds:.1f} s")
        loaded[name] = (records, scans, setting)
        tuning = [r for r in records if r["split"] == "tuning"]
        parts.append((tuning, scans, setting["tolerance"]))
        out["datasets"][name] = {"seconds_scan": round(seconds, 1), "series": len(records)}
    started = time.perf_counter()
    thresholds = calibrate(parts)
    print(f"\nthresholds chosen on the tuning split ({time.perf_counter() - started:.0f} s): {thresholds}")
    print(f"shipped defaults: {SHIPPED}")
    out["thresholds"] = {"chosen": thresholds, "shipped": SHIPPED, "short_series": SHORT_SERIES}
    for label, chosen in (("chosen on tuning", thresholds), ("shipped defaults", SHIPPED)):
        for name, (records, scans, setting) in loaded.items():
            for split in ("tuning", "held-out"):
                subset = [r for r in records if r["split"] == split]
                rows = evaluate(subset, scans, chosen, setting["tolerance"])
                _table(f"{label}: {name}, {split} split ({len(subset)} series), tolerance {setting['tolerance']}", rows)
                out["datasets"][name][f"{label}/{split}"] = rows
            if args.online_delay and label == "shipped defaults":
                delays = online_delays(records, setting, chosen, scans)
                print(f"online delay (held-out, found anomalies): {delays}")
                out["datasets"][name]["online_delay"] = delays
    if args.public:
        out["public"] = []
        for item in public_sets():
            scan = scan_series(item["y"], item["periods"])
            for label, chosen in (("chosen on tuning", thresholds), ("shipped defaults", SHIPPED)):
                flags = flags_of(scan, chosen, len(item["y"]))
                result = score_events({"s": flags}, {"s": item["labels"]}, tolerance=item["tolerance"])
                print(f"\n{label}: {item['name']}: {len(item['y'])} periods, labels at {item['labels']}: {result}")
                print(f"  flagged at {np.flatnonzero(flags).tolist()}")
                out["public"].append(
                    {"name": item["name"], "thresholds": label, **result, "flagged": np.flatnonzero(flags).tolist()}
                )
    if args.json_out:
        args.json_out.write_text(json.dumps(out, indent=2, default=float))


if __name__ == "__main__":
    main()
