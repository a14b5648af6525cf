"""Behavioural features: known answers, windows, labels only once known, batch equals online."""

import math

import numpy as np
import pandas as pd
import pytest

from argentier.errors import InputError
from argentier.fraud import (
    FeatureConfig,
    FeatureState,
    compute_features,
    prepare_transactions,
    simulate_transactions,
)
from argentier.fraud._features import DAY, HOUR, fit_feature_config

T0 = pd.Timestamp("2024-03-04 10:00").value  # a Monday


def _features(state, t, customer, terminal, amount, extras=None):
    return dict(zip(state.config.names, state.transaction(t, customer, terminal, amount, extras)))


def test_known_answers_for_a_short_history():
    state = FeatureState()
    first = _features(state, T0, "alice", "shop", 10.0)
    assert first["customer_count_30d"] == 0 and math.isnan(first["customer_mean_30d"])
    assert first["new_terminal_for_customer"] == 1 and math.isnan(first["seconds_since_customer_tx"])
    assert first["hour"] == 10 and first["is_weekend"] == 0 and first["is_night"] == 0
    _features(state, T0 + HOUR, "alice", "shop", 30.0)
    third = _features(state, T0 + 2 * HOUR, "alice", "cafe", 80.0)
    assert third["customer_count_1h"] == 0  # the event exactly one hour old has left the 1 h window
    assert third["customer_count_1d"] == 2 and third["customer_sum_1d"] == 40.0
    assert third["customer_mean_1d"] == 20.0 and third["amount_to_customer_mean"] == 4.0
    assert third["amount_zscore"] == pytest.approx((80 - 20) / 10)
    assert third["seconds_since_customer_tx"] == 3600 and third["new_terminal_for_customer"] == 1
    assert third["customer_terminals"] == 1 and third["terminal_count_1d"] == 0
    later = _features(state, T0 + 40 * DAY, "alice", "shop", 5.0)
    assert later["customer_count_30d"] == 0 and later["new_terminal_for_customer"] == 0
    weekend = _features(FeatureState(), T0 + 5 * DAY + 16 * HOUR, "bob", "shop", 1.0)  # Sunday 02:00
    assert weekend["is_weekend"] == 1 and weekend["is_night"] == 1


def test_terminal_and_customer_fraud_rates_come_from_known_labels_only():
    state = FeatureState()
    state.transaction(T0, "alice", "shop", 10.0)
    before = _features(state, T0 + HOUR, "bob", "shop", 10.0)
    assert math.isnan(before["terminal_fraud_rate_7d"]) and before["terminal_labels_7d"] == 0
    state.label(T0 + 2 * HOUR, "alice", "shop", True)
    after = _features(state, T0 + 3 * HOUR, "carol", "shop", 10.0)
    assert after["terminal_fraud_rate_1d"] == 1.0 and after["terminal_labels_1d"] == 1
    alice = _features(state, T0 + 4 * HOUR, "alice", "cafe", 10.0)
    assert alice["customer_frauds_30d"] == 1 and alice["customer_fraud_rate_30d"] == 1.0
    state.label(T0 + 5 * HOUR, "bob", "shop", False)
    assert _features(state, T0 + 6 * HOUR, "dan", "shop", 1.0)["terminal_fraud_rate_1d"] == 0.5
    assert math.isnan(_features(state, T0 + 3 * DAY, "dan", "shop", 1.0)["terminal_fraud_rate_1d"])


def test_late_events_are_taken_as_arriving_now():
    state = FeatureState()
    state.transaction(T0, "a", "t", 1.0)
    late = _features(state, T0 - DAY, "a", "t", 1.0)
    assert late["seconds_since_customer_tx"] == 0 and state.clock == T0


def _simulated():
    return prepare_transactions(
        simulate_transactions(100, 200, 40, seed=5), label_delay=pd.Timedelta(days=2)
    ).frame


def test_batch_features_equal_online_features_event_by_event():
    frame = _simulated()
    batch = compute_features(frame).to_numpy()
    # Online: a separate state fed one event at a time, labels interleaved at their label_time.
    state = FeatureState()
    events = [(t.value, 1, i) for i, t in enumerate(frame.timestamp)]
    events += [(t.value, 2, i) for i, t in enumerate(frame.label_time) if not pd.isna(t)]
    online = np.full_like(batch, np.nan)
    for time, kind, i in sorted(events):
        row = frame.iloc[i]
        if kind == 1:
            online[i] = state.transaction(time, row.customer_id, row.terminal_id, row.amount)
        else:
            state.label(time, row.customer_id, row.terminal_id, row.is_fraud == 1)
    assert np.array_equal(batch, online, equal_nan=True)


def test_no_label_is_used_before_it_is_known():
    frame = _simulated()
    cut = frame.timestamp.iloc[len(frame) // 2]
    original = compute_features(frame)
    # Flip every label that becomes known at or after the cut: nothing scored up to the cut may change.
    flipped = frame.copy()
    later = flipped.label_time >= cut
    flipped.loc[later, "is_fraud"] = 1 - flipped.loc[later, "is_fraud"]
    changed = compute_features(flipped)
    upto = (frame.timestamp <= cut).to_numpy()
    assert np.array_equal(original[upto].to_numpy(), changed[upto].to_numpy(), equal_nan=True)
    assert not np.array_equal(original[~upto].to_numpy(), changed[~upto].to_numpy(), equal_nan=True)


def test_a_label_known_at_its_own_transaction_time_is_not_used_by_it():
    frame = prepare_transactions(
        pd.DataFrame(
            {
                "transaction_id": ["1"],
                "timestamp": ["2024-01-01"],
                "customer_id": ["c"],
                "terminal_id": ["t"],
                "amount": [5.0],
                "is_fraud": [1],
                "label_time": ["2024-01-01"],
            }
        )
    ).frame
    assert compute_features(frame).terminal_labels_1d.tolist() == [0.0]


def test_selected_rows_match_the_full_replay_and_extras_are_encoded():
    frame = _simulated().assign(channel=lambda f: np.where(f.amount > 50, "web", "pos"), score_ext=1.5)
    config = fit_feature_config(frame, numeric=["score_ext"], categorical=["channel"])
    full = compute_features(frame, config)
    rows = np.asarray(frame.index % 3 == 0)
    assert compute_features(frame, config, rows=rows).equals(full[rows])
    assert set(full.channel.unique()) == {0.0, 1.0} and full.score_ext.unique().tolist() == [1.5]
    state = FeatureState(config)
    unseen = dict(
        zip(config.names, state.transaction(T0, "x", "y", 1.0, {"channel": "atm", "score_ext": "n/a"}))
    )
    assert math.isnan(unseen["channel"]) and math.isnan(unseen["score_ext"])
    with pytest.raises(InputError, match="not in the data"):
        fit_feature_config(frame, numeric=["absent"])


def test_windows_must_ascend():
    with pytest.raises(InputError):
        FeatureConfig(customer_windows=(DAY, HOUR))
    config = FeatureConfig(customer_windows=(2 * HOUR,), terminal_windows=(DAY,), risk_windows=(7 * DAY,))
    assert FeatureConfig.from_dict(config.to_dict()) == config
    assert "customer_count_2h" in config.names and "customer_frauds_7d" in config.names
