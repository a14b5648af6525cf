"""Behavioural features from one state machine, used alike for a whole file and for one event at a time.

:class:`FeatureState` keeps, per customer and per terminal, the events of the longest window and running sums
for every window. ``transaction(...)`` returns the features of a transaction from the history *before* it, then
records it; ``label(...)`` records a label at the moment it becomes known. :func:`compute_features` replays a
file through the same two calls, labels at their ``label_time``, so batch (training, back-tests) and online
scoring cannot disagree. At equal times transactions go first, so a label is only used by transactions strictly
after it became known, and never by its own transaction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from argentier.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

_NS = 1_000_000_000
HOUR, DAY = 3600 * _NS, 86_400 * _NS
_NAN = float("nan")


def _window_name(span: int) -> str:
    return f"{span // DAY}d" if span % DAY == 0 else f"{span // HOUR}h"


@dataclass(frozen=True)
class FeatureConfig:
    """Windows (in nanoseconds, ascending) and the extra columns a model uses.

    ``categories`` maps an extra categorical column to its vocabulary (a value's code is its position; unseen
    values are missing). Fitted models carry their config, so scoring uses exactly the training features.
    """

    customer_windows: tuple[int, ...] = (HOUR, DAY, 7 * DAY, 30 * DAY)
    terminal_windows: tuple[int, ...] = (DAY, 7 * DAY, 30 * DAY)
    risk_windows: tuple[int, ...] = (DAY, 7 * DAY, 30 * DAY)
    numeric: tuple[str, ...] = ()
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("customer_windows", "terminal_windows", "risk_windows"):
            spans = getattr(self, name)
            if not spans or list(spans) != sorted(set(spans)) or spans[0] <= 0:
                raise InputError(f"{name} must be positive, distinct and ascending, got {spans}")

    @property
    def names(self) -> list[str]:
        """Feature names in the order :meth:`FeatureState.transaction` returns them."""
        names = ["amount", "hour", "is_weekend", "is_night"]
        for span in self.customer_windows:
            w = _window_name(span)
            names += [f"customer_count_{w}", f"customer_sum_{w}", f"customer_mean_{w}"]
        names += [
            "amount_to_customer_mean",
            "amount_zscore",
            "seconds_since_customer_tx",
            "new_terminal_for_customer",
            "customer_terminals",
        ]
        for span in self.terminal_windows:
            w = _window_name(span)
            names += [f"terminal_count_{w}", f"terminal_mean_{w}"]
        names.append("seconds_since_terminal_tx")
        for span in self.risk_windows:
            w = _window_name(span)
            names += [f"terminal_fraud_rate_{w}", f"terminal_labels_{w}"]
        w = _window_name(self.risk_windows[-1])
        names += [f"customer_frauds_{w}", f"customer_fraud_rate_{w}"]
        return names + list(self.numeric) + list(self.categories)

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer_windows": list(self.customer_windows),
            "terminal_windows": list(self.terminal_windows),
            "risk_windows": list(self.risk_windows),
            "numeric": list(self.numeric),
            "categories": {name: list(values) for name, values in self.categories.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureConfig:
        return cls(
            customer_windows=tuple(data["customer_windows"]),
            terminal_windows=tuple(data["terminal_windows"]),
            risk_windows=tuple(data["risk_windows"]),
            numeric=tuple(data["numeric"]),
            categories={name: tuple(values) for name, values in data["categories"].items()},
        )


class _History:
    """Values of one key's events within the longest window, with a running count and sums per window."""

    __slots__ = ("last", "squares", "starts", "sums", "times", "values")

    def __init__(self, windows: int) -> None:
        self.times: list[int] = []
        self.values: list[float] = []
        self.starts = [0] * windows
        self.sums = [0.0] * windows
        self.squares = [0.0] * windows
        self.last: int | None = None

    def expire(self, now: int, spans: Sequence[int]) -> None:
        times, values, size = self.times, self.values, len(self.times)
        for i, span in enumerate(spans):
            start, limit = self.starts[i], now - span
            if start == size or times[start] > limit:
                continue
            while start < size and times[start] <= limit:
                self.sums[i] -= values[start]
                self.squares[i] -= values[start] * values[start]
                start += 1
            self.starts[i] = start
            if start == size:  # an empty window: drop the rounding left by the subtractions
                self.sums[i] = self.squares[i] = 0.0
        drop = self.starts[-1]
        if drop > 32 and 2 * drop > len(times):  # compact now and then: amortised O(1) per event
            del times[:drop], values[:drop]
            self.starts = [start - drop for start in self.starts]

    def add(self, now: int, value: float) -> None:
        self.times.append(now)
        self.values.append(value)
        for i in range(len(self.sums)):
            self.sums[i] += value
            self.squares[i] += value * value
        self.last = now

    def count(self, i: int) -> int:
        return len(self.times) - self.starts[i]


class FeatureState:
    """Online state of the behavioural features; feed it events in time order.

    >>> state = FeatureState()
    >>> t0 = 1_700_000_000 * 10**9
    >>> _ = state.transaction(t0, "alice", "shop", 20.0)
    >>> f = dict(zip(state.config.names, state.transaction(t0 + HOUR // 2, "alice", "shop", 60.0)))
    >>> f["customer_count_1h"], f["customer_mean_1d"], f["amount_to_customer_mean"], f["new_terminal_for_customer"]
    (1.0, 20.0, 3.0, 0.0)
    """

    def __init__(self, config: FeatureConfig | None = None) -> None:
        self.config = config or FeatureConfig()
        self.customers: dict[Any, _History] = {}
        self.terminals: dict[Any, _History] = {}
        self.terminal_labels: dict[Any, _History] = {}
        self.customer_labels: dict[Any, _History] = {}
        self.customer_terminals: dict[Any, set] = {}
        self.clock = 0
        self._codes = {
            name: {value: float(i) for i, value in enumerate(values)}
            for name, values in self.config.categories.items()
        }

    def _history(self, table: dict[Any, _History], key: Any, spans: Sequence[int], now: int) -> _History:
        history = table.get(key)
        if history is None:
            history = table[key] = _History(len(spans))
        else:
            history.expire(now, spans)
        return history

    def transaction(
        self,
        time_ns: int,
        customer: Any,
        terminal: Any,
        amount: float,
        extras: Mapping[str, Any] | None = None,
    ) -> list[float]:
        """The features of a transaction from earlier events, then the transaction joins the history."""
        # A late event is taken as arriving now: windows only ever move forward.
        now = self.clock = max(int(time_ns), self.clock)
        cfg = self.config
        hour = (now // HOUR) % 24
        weekday = (now // DAY + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        out = [amount, float(hour), float(weekday >= 5), float(hour < 6)]

        cust = self._history(self.customers, customer, cfg.customer_windows, now)
        for i in range(len(cfg.customer_windows)):
            n = cust.count(i)
            out += [float(n), cust.sums[i], cust.sums[i] / n if n else _NAN]
        n = cust.count(len(cfg.customer_windows) - 1)
        mean = cust.sums[-1] / n if n else _NAN
        variance = cust.squares[-1] / n - mean * mean if n > 1 else 0.0
        std = math.sqrt(variance) if variance > 1e-9 else _NAN
        seen = self.customer_terminals.setdefault(customer, set())
        out += [
            amount / mean if n and mean > 0 else _NAN,
            _NAN if math.isnan(std) else (amount - mean) / std,
            (now - cust.last) / _NS if cust.last is not None else _NAN,
            float(terminal not in seen),
            float(len(seen)),
        ]

        term = self._history(self.terminals, terminal, cfg.terminal_windows, now)
        for i in range(len(cfg.terminal_windows)):
            n = term.count(i)
            out += [float(n), term.sums[i] / n if n else _NAN]
        out.append((now - term.last) / _NS if term.last is not None else _NAN)

        risk = self._history(self.terminal_labels, terminal, cfg.risk_windows, now)
        for i in range(len(cfg.risk_windows)):
            n = risk.count(i)
            out += [risk.sums[i] / n if n else _NAN, float(n)]
        labels = self._history(self.customer_labels, customer, cfg.risk_windows[-1:], now)
        n = labels.count(0)
        out += [labels.sums[0], labels.sums[0] / n if n else _NAN]

        if cfg.numeric or cfg.categories:
            extras = extras or {}
            out += [_number(extras.get(name)) for name in cfg.numeric]
            out += [self._codes[name].get(_category(extras.get(name)), _NAN) for name in cfg.categories]

        cust.add(now, amount)
        term.add(now, amount)
        seen.add(terminal)
        return out

    _TABLES = ("customers", "terminals", "terminal_labels", "customer_labels")

    def to_dict(self) -> dict[str, Any]:
        """The whole state as JSON-ready data (floats kept exactly), to persist it between runs.

        >>> import json
        >>> state = FeatureState()
        >>> _ = state.transaction(10**18, "alice", "shop", 12.5)
        >>> restored = FeatureState.from_dict(json.loads(json.dumps(state.to_dict())))
        >>> restored.transaction(10**18 + 1, "alice", "shop", 1.0) == state.transaction(10**18 + 1, "alice", "shop", 1.0)
        True
        """
        tables = {
            name: [[key, h.times, h.values, h.starts, h.sums, h.squares, h.last] for key, h in table.items()]
            for name, table in ((name, getattr(self, name)) for name in self._TABLES)
        }
        seen = [[key, sorted(terminals, key=str)] for key, terminals in self.customer_terminals.items()]
        return {"config": self.config.to_dict(), "clock": self.clock, **tables, "customer_terminals": seen}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureState:
        """Rebuild a state saved with :meth:`to_dict`."""
        try:
            state = cls(FeatureConfig.from_dict(data["config"]))
            state.clock = int(data["clock"])
            for name in cls._TABLES:
                table = getattr(state, name)
                for key, times, values, starts, sums, squares, last in data[name]:
                    history = table[key] = _History(len(starts))
                    history.times, history.values, history.starts = list(times), list(values), list(starts)
                    history.sums, history.squares, history.last = list(sums), list(squares), last
            state.customer_terminals = {key: set(terminals) for key, terminals in data["customer_terminals"]}
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a saved feature state: {exc}") from exc
        return state

    def label(self, time_ns: int, customer: Any, terminal: Any, is_fraud: bool) -> None:
        """Record that a transaction of ``customer`` at ``terminal`` is known (from ``time_ns``) to be fraud or not."""
        now = self.clock = max(int(time_ns), self.clock)
        value = 1.0 if is_fraud else 0.0
        self._history(self.terminal_labels, terminal, self.config.risk_windows, now).add(now, value)
        self._history(self.customer_labels, customer, self.config.risk_windows[-1:], now).add(now, value)


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return _NAN
    return number if math.isfinite(number) else _NAN


def _category(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def fit_feature_config(
    frame: pd.DataFrame,
    *,
    numeric: Sequence[str] = (),
    categorical: Sequence[str] = (),
    max_categories: int = 200,
) -> FeatureConfig:
    """A :class:`FeatureConfig` whose categorical vocabularies are the most frequent values in ``frame``.

    >>> import pandas as pd
    >>> fit_feature_config(pd.DataFrame({"channel": ["web", "pos", "web"]}), categorical=["channel"]).categories
    {'channel': ('web', 'pos')}
    """
    for name in (*numeric, *categorical):
        if name not in frame.columns:
            raise InputError(
                f"feature column {name!r} is not in the data; it has {', '.join(map(str, frame.columns))}"
            )
    categories = {}
    for name in categorical:
        counts = frame[name].dropna().astype(str).value_counts(sort=True)
        categories[name] = tuple(counts.index[:max_categories])
    return FeatureConfig(numeric=tuple(numeric), categories=categories)


def time_ns(values: pd.Series) -> Any:
    """Timestamps (naive UTC) as integer nanoseconds since the epoch."""
    return values.astype("datetime64[ns]").astype("int64").to_numpy()


def compute_features(
    frame: pd.DataFrame,
    config: FeatureConfig | None = None,
    *,
    rows: Any = None,
    progress: Callable[[int], None] | None = None,
    state: FeatureState | None = None,
) -> pd.DataFrame:
    """Replay ``frame`` (validated, in time order) through :class:`FeatureState`; features of the ``rows`` asked.

    ``rows`` is a boolean mask (default: all); every earlier row still feeds the history. Labels join the state
    at their ``label_time``. Returns a frame indexed like the selected rows. ``progress`` gets the events done.

    >>> from argentier.fraud._data import prepare_transactions
    >>> from argentier.fraud._simulate import simulate_transactions
    >>> tx = prepare_transactions(simulate_transactions(20, 40, 5, seed=3)).frame
    >>> features = compute_features(tx)
    >>> len(features) == len(tx), float(features.customer_count_30d.iloc[0])
    (True, 0.0)
    """
    import numpy as np
    import pandas as pd

    state = state or FeatureState(config)
    config = state.config
    wanted = np.ones(len(frame), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    last = int(np.flatnonzero(wanted).max()) + 1 if wanted.any() else 0
    frame = frame.iloc[:last]
    times = time_ns(frame.timestamp)
    known = frame.is_fraud.notna().to_numpy() if "is_fraud" in frame else np.zeros(len(frame), bool)
    label_times = time_ns(frame.label_time[known]) if known.any() else np.zeros(0, np.int64)
    label_rows = np.flatnonzero(known)
    order = np.argsort(label_times, kind="stable")
    label_times, label_rows = label_times[order], label_rows[order]
    customers, terminals = frame.customer_id.tolist(), frame.terminal_id.tolist()
    amounts = frame.amount.astype(float).tolist()
    fraud = frame.is_fraud.tolist() if "is_fraud" in frame else []
    extra_names = [*config.numeric, *config.categories]
    extras = frame[extra_names].to_dict("records") if extra_names else None
    out: list[list[float]] = []
    next_label, n_labels = 0, len(label_rows)
    for i in range(last):
        now = int(times[i])
        # Labels that became known strictly before this transaction.
        while next_label < n_labels and label_times[next_label] < now:
            j = label_rows[next_label]
            state.label(int(label_times[next_label]), customers[j], terminals[j], fraud[j] == 1)
            next_label += 1
        features = state.transaction(
            now, customers[i], terminals[i], amounts[i], extras[i] if extras else None
        )
        if wanted[i]:
            out.append(features)
        if progress is not None and i % 10_000 == 0:
            progress(i)
    index = frame.index[wanted[:last]]
    return pd.DataFrame(
        np.asarray(out, dtype=float).reshape(len(out), len(config.names)), index=index, columns=config.names
    )
