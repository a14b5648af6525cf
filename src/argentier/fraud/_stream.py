"""Replay a period as a live stream: every transaction through ``Scorer.score``, every label through
``Scorer.label`` at the moment it becomes known, timing each decision.

This is how the real-time path is measured (latency, events per second) and how continuous learning is judged:
the online learner only ever learns from labels that were known before the transactions it then scores.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from argentier.errors import InputError
from argentier.fraud._data import day_mask
from argentier.fraud._features import compute_features, time_ns
from argentier.fraud._metrics import ranking_metrics
from argentier.fraud._scoring import Scorer

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class StreamReport:
    """Timing of the replay and the quality of the scores it produced (on transactions with a label).

    ``p50_ms``/``p99_ms`` are wall-clock latencies per decision; ``cpu_*`` the CPU time of the scoring thread,
    which leaves out the time spent waiting for a core on a busy machine.
    """

    transactions: int
    labels: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_p50_ms: float
    cpu_p99_ms: float
    events_per_second: float
    decisions: dict[str, int]
    model: dict[str, float | None]
    online: dict[str, float | None] | None
    blended: dict[str, float | None]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def replay_stream(
    frame: pd.DataFrame,
    scorer: Scorer,
    start: date,
    end: date,
    *,
    learn_from: date | None = None,
    freeze_gc: bool = True,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, StreamReport]:
    """Warm the scorer's state on the history before ``start``, then replay ``[start, end]`` event by event.

    With ``learn_from`` (before ``start``), the replay begins on that day instead, so that labels arriving during
    ``[start, end]`` belong to transactions the scorer has seen and its online learner can learn from them; only
    ``[start, end]`` is timed and reported.

    ``freeze_gc`` moves the warmed state out of the garbage collector's reach (``gc.freeze``): millions of
    long-lived history objects would otherwise be traversed by every full collection, a pause of tens of
    milliseconds in the middle of a decision. A long-running scoring service should do the same after warm-up.

    >>> from argentier.fraud import FraudModel, prepare_transactions, simulate_transactions, train_model
    >>> tx = prepare_transactions(simulate_transactions(100, 200, 30, seed=2)).frame
    >>> model = train_model(tx, date(2018, 4, 1), date(2018, 4, 20), model=FraudModel(n_estimators=10,
    ...                                                                                 num_threads=1))
    >>> decisions, report = replay_stream(tx, Scorer(model), date(2018, 4, 30), date(2018, 4, 30))
    >>> len(decisions) == report.transactions, report.p50_ms < report.p99_ms <= report.max_ms
    (True, True)
    """
    import pandas as pd

    reported = day_mask(frame, start, end).to_numpy()
    if not reported.any():
        raise InputError(f"no transactions between {start} and {end}")
    period = reported | day_mask(frame, learn_from, end).to_numpy() if learn_from is not None else reported
    first = int(np.flatnonzero(period)[0])
    if first:
        compute_features(frame, rows=np.arange(len(frame)) < first, state=scorer.state)
        warmed_until = int(time_ns(frame.timestamp.iloc[first - 1 : first])[0])
    else:
        warmed_until = None
    if freeze_gc:
        gc.collect()
        gc.freeze()
    stream = frame[reported]
    last = int(time_ns(stream.timestamp.iloc[-1:])[0])
    known = frame.is_fraud.notna().to_numpy()
    label_times = np.full(len(frame), np.iinfo(np.int64).max)
    label_times[known] = time_ns(frame.label_time[known])
    # Labels the warm-up has not taken in yet (it took those known strictly before its last transaction).
    pending = known & (label_times <= last)
    if warmed_until is not None:
        pending &= label_times >= warmed_until
    tx_times = time_ns(frame.timestamp[period])
    events = sorted(
        [(int(t), 0, int(i)) for t, i in zip(tx_times, np.flatnonzero(period))]
        + [(int(label_times[i]), 1, int(i)) for i in np.flatnonzero(pending)]
    )
    records = frame.to_dict("records")
    latencies, cpu_times, decisions = [], [], []
    clock = time.perf_counter()
    timed_events = 0
    for done, (when, kind, i) in enumerate(events):
        record = records[i]
        if kind == 1:
            scorer.label(
                record["transaction_id"],
                record["is_fraud"] == 1,
                at=pd.Timestamp(when),
                customer_id=record["customer_id"],
                terminal_id=record["terminal_id"],
            )
        elif not reported[i]:
            scorer.score(record)
        else:
            if not decisions:
                timed_events, clock = 0, time.perf_counter()
            began, cpu = time.perf_counter(), time.thread_time()
            decision = scorer.score(record)
            latencies.append(time.perf_counter() - began)
            cpu_times.append(time.thread_time() - cpu)
            decisions.append(decision)
        timed_events += 1
        if progress is not None and done % 1000 == 0:
            progress(done)
    elapsed = time.perf_counter() - clock
    if freeze_gc:
        gc.unfreeze()
    out = pd.DataFrame(
        {
            "transaction_id": [d.transaction_id for d in decisions],
            "score": [d.score for d in decisions],
            "model_score": [d.model_score for d in decisions],
            "online_score": [d.online_score for d in decisions],
            "decision": [d.outcome for d in decisions],
            "rules": [";".join(d.rules_fired) for d in decisions],
            "reasons": ["; ".join(str(r) for r in d.reasons) for d in decisions],
        }
    )
    labels = stream.is_fraud.to_numpy()
    labelled = ~np.isnan(labels)
    milliseconds, cpu_ms = np.asarray(latencies) * 1000, np.asarray(cpu_times) * 1000
    counts = out.decision.value_counts()
    report = StreamReport(
        transactions=len(out),
        labels=int(pending.sum()),
        p50_ms=float(np.percentile(milliseconds, 50)),
        p99_ms=float(np.percentile(milliseconds, 99)),
        max_ms=float(milliseconds.max()),
        cpu_p50_ms=float(np.percentile(cpu_ms, 50)),
        cpu_p99_ms=float(np.percentile(cpu_ms, 99)),
        events_per_second=timed_events / elapsed if elapsed else float("inf"),
        decisions={name: int(counts.get(name, 0)) for name in ("approve", "review", "block")},
        model=ranking_metrics(labels[labelled], out.model_score.to_numpy()[labelled]),
        online=None
        if scorer.online is None
        else ranking_metrics(labels[labelled], out.online_score.to_numpy(dtype=float)[labelled]),
        blended=ranking_metrics(labels[labelled], out.score.to_numpy()[labelled]),
    )
    return out, report
