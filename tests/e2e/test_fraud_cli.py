"""End-to-end runs of ``argentier fraud``: simulate, train, score, evaluate, thresholds, rules, registry, alerts,
analyst verdicts back as labels; bad input gives a one-line error and no output file."""

import csv
import json

import pytest
from _cli import cli_runner


def _runner(tmp_path, database_url):
    return cli_runner(tmp_path, database_url, USER="bob")


@pytest.fixture
def run(tmp_path):
    """``argentier fraud ...`` with a SQLite store (for commands that do not touch the store)."""
    argentier = _runner(tmp_path, f"sqlite:///{tmp_path / 'argentier.db'}")
    return lambda *args, check=True: argentier("fraud", *args, check=check)


@pytest.fixture
def run_with_store(tmp_path, database_url):
    """``argentier ...`` on each database."""
    return _runner(tmp_path, database_url)


def _json(result):
    return json.loads(result.stdout)


@pytest.mark.slow
def test_the_whole_loop_from_simulation_to_feedback(run, tmp_path):
    made = _json(
        run(
            "simulate",
            "--customers",
            "150",
            "--terminals",
            "300",
            "--days",
            "45",
            "--seed",
            "3",
            "--out",
            "tx.csv",
            "--json",
        )
    )
    assert made["transactions"] > 5000 and made["frauds"] > 0
    trained = _json(
        run(
            "train",
            "tx.csv",
            "--from",
            "2018-04-10",
            "--to",
            "2018-04-30",
            "--model-out",
            "m.json",
            "--trees",
            "60",
            "--threads",
            "1",
            "--json",
        )
    )
    assert trained["from"] == "2018-04-10" and trained["validation"]["auc"] > 0.7
    scored = _json(
        run(
            "score",
            "tx.csv",
            "--model",
            "m.json",
            "--from",
            "2018-05-08",
            "--to",
            "2018-05-14",
            "--out",
            "scores.csv",
            "--json",
        )
    )
    rows = list(csv.DictReader((tmp_path / "scores.csv").open()))
    assert len(rows) == scored["transactions"] and set(rows[0]) == {
        "transaction_id",
        "score",
        "decision",
        "rules",
        "reasons",
    }
    flagged = [row for row in rows if row["decision"] != "approve"]
    assert flagged and all(row["reasons"] and row["rules"] for row in flagged)
    evaluation = _json(run("evaluate", "tx.csv", "--scores", "scores.csv", "--json"))
    assert evaluation["auc"] > 0.75 and len(evaluation["card_precision_per_day"]) == 7
    table = run("evaluate", "tx.csv", "--scores", "scores.csv").stdout
    assert "card precision@100" in table and "recall at 1 % FPR" in table
    budget = _json(
        run(
            "thresholds",
            "tx.csv",
            "--scores",
            "scores.csv",
            "--alerts-per-day",
            "5",
            "--chart",
            "t.png",
            "--json",
        )
    )
    assert budget["chosen"]["alerts_per_day"] <= 5 and (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"
    (tmp_path / "rules.yaml").write_text(
        "mode: all\nrules:\n  - {name: large, when: amount > 220, outcome: block}\n"
        "  - {name: risky, when: score >= 400 and terminal_fraud_rate_7d > 0, outcome: review}\n"
    )
    backtest = _json(
        run(
            "rules",
            "backtest",
            "tx.csv",
            "--rules",
            "rules.yaml",
            "--from",
            "2018-05-08",
            "--to",
            "2018-05-14",
            "--scores",
            "scores.csv",
            "--json",
        )
    )
    assert backtest["rules"][0]["precision"] == 1.0 and backtest["rules"][1]["alerts"] > 0
    drift = _json(
        run(
            "drift",
            "tx.csv",
            "--model",
            "m.json",
            "--from",
            "2018-05-08",
            "--to",
            "2018-05-14",
            "--record",
            "--json",
        )
    )
    assert drift["score"]["level"] in ("stable", "shift", "major") and len(drift["features"]) > 30
    assert (drift["finding_id"] is not None) == drift["drifted"]
    streamed = _json(
        run(
            "stream",
            "tx.csv",
            "--model",
            "m.json",
            "--from",
            "2018-05-13",
            "--to",
            "2018-05-14",
            "--learn-from",
            "2018-05-06",
            "--online",
            "--online-weight",
            "0.2",
            "--out",
            "live.csv",
            "--json",
        )
    )
    assert streamed["p99_ms"] > 0 and streamed["online"]["auc"] is not None
    assert sum(1 for _ in (tmp_path / "live.csv").open()) == streamed["transactions"] + 1


@pytest.mark.slow
def test_registry_and_alerts_on_the_store(run_with_store, tmp_path):
    def run(*args, check=True):
        return run_with_store("fraud", *args, check=check)

    run(
        "simulate",
        "--customers",
        "100",
        "--terminals",
        "200",
        "--days",
        "30",
        "--seed",
        "2",
        "--out",
        "tx.parquet",
    )
    run(
        "train",
        "tx.parquet",
        "--from",
        "2018-04-01",
        "--to",
        "2018-04-20",
        "--model-out",
        "m.json",
        "--trees",
        "20",
        "--threads",
        "1",
    )
    entry = _json(run("models", "register", "m.json", "--name", "cards", "--champion", "--json"))[0]
    assert entry["status"] == "champion"
    compared = _json(
        run(
            "models",
            "compare",
            "tx.parquet",
            "--name",
            "cards",
            "--from",
            "2018-04-25",
            "--to",
            "2018-04-30",
            "--json",
        )
    )
    assert compared[0]["id"] == entry["id"] and compared[0]["auc"] > 0.5
    listed = _json(run("models", "list", "--json"))
    assert list(listed[0]["metrics"]["evaluations"]) == ["2018-04-25..2018-04-30"]
    alerts = _json(
        run(
            "alerts",
            "tx.parquet",
            "--model",
            "m.json",
            "--from",
            "2018-04-29",
            "--to",
            "2018-04-30",
            "--review-at",
            "300",
            "--json",
        )
    )
    assert alerts["alerts_created"] == alerts["decisions"]["review"] + alerts["decisions"]["block"] > 0
    run(
        "stream",
        "tx.parquet",
        "--model",
        "m.json",
        "--from",
        "2018-04-30",
        "--to",
        "2018-04-30",
        "--save-state",
        "live",
    )
    first = alerts["finding_ids"][0]
    run_with_store("review", "approve", str(first))
    feedback = _json(run("feedback", "--out", "labels.csv", "--json"))
    assert feedback == {"out": "labels.csv", "labels": 1, "frauds": 1}
    run(
        "train",
        "tx.parquet",
        "--from",
        "2018-04-01",
        "--to",
        "2018-04-20",
        "--model-out",
        "m2.json",
        "--trees",
        "20",
        "--threads",
        "1",
        "--labels",
        "labels.csv",
    )


def test_simulate_train_score_evaluate(run, tmp_path):
    """The core loop on a small simulation (the full loop with rules, drift, registry and alerts is slow)."""
    run(
        "simulate",
        "--customers",
        "100",
        "--terminals",
        "200",
        "--days",
        "30",
        "--seed",
        "2",
        "--out",
        "tx.parquet",
    )
    trained = _json(
        run(
            "train",
            "tx.parquet",
            "--from",
            "2018-04-01",
            "--to",
            "2018-04-20",
            "--model-out",
            "m.json",
            "--trees",
            "20",
            "--threads",
            "1",
            "--json",
        )
    )
    assert trained["rows"] > 1000 and trained["frauds"] > 0
    run(
        "score",
        "tx.parquet",
        "--model",
        "m.json",
        "--from",
        "2018-04-25",
        "--to",
        "2018-04-30",
        "--out",
        "s.csv",
        "--block-at",
        "950",
    )
    rows = list(csv.DictReader((tmp_path / "s.csv").open()))
    assert {row["decision"] for row in rows} <= {"approve", "review", "block"}
    assert all(row["reasons"] for row in rows if row["decision"] != "approve")
    evaluation = _json(run("evaluate", "tx.parquet", "--scores", "s.csv", "--json"))
    assert evaluation["transactions"] == len(rows) and evaluation["auc"] > 0.7


def test_bad_input_gives_one_line_errors_and_no_output(run, tmp_path):
    (tmp_path / "tx.csv").write_text(
        "transaction_id,timestamp,customer_id,terminal_id,amount,is_fraud\n"
        "1,2018-04-01 10:00,c,t,12.5,0\n2,2018-04-01 11:00,c,t,twelve,0\n"
    )
    result = run(
        "score",
        "tx.csv",
        "--model",
        "m.json",
        "--from",
        "2018-04-01",
        "--to",
        "2018-04-01",
        "--out",
        "s.csv",
        check=False,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr and "m.json" in result.stderr
    (tmp_path / "m.json").write_text("{}")
    result = run(
        "train",
        "tx.csv",
        "--from",
        "2018-04-01",
        "--to",
        "2018-04-01",
        "--model-out",
        "out.json",
        check=False,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "line 3, column 'amount': 'twelve' is not a finite number" in result.stderr
    assert not (tmp_path / "out.json").exists()
    skipped = run(
        "train",
        "tx.csv",
        "--from",
        "2018-04-01",
        "--to",
        "2018-04-01",
        "--model-out",
        "out.json",
        "--skip-bad-rows",
        check=False,
    )
    assert "skipped 1 bad row(s)" in skipped.stderr and "needs both fraud and genuine" in skipped.stderr
    (tmp_path / "argentier.toml").write_text('[fraud]\ncolumns = {customer_id = "card"}\n')
    mapped = run("evaluate", "tx.csv", "--scores", "s.csv", "--map", "terminal_id=shop", check=False)
    assert mapped.returncode == 1 and "'customer_id' (as 'card'), 'terminal_id' (as 'shop')" in mapped.stderr
    assert not (tmp_path / "s.csv").exists()
