"""Scenarios (overrides on drivers, coherent across the hierarchy) and the plan book of kept versions."""

import pandas as pd
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from argentier.core.store import Store
from argentier.core.store._review_models import AuditEvent
from argentier.errors import InputError, NotFoundError
from argentier.forecast import (
    Forecaster,
    Override,
    PlanBook,
    apply_overrides,
    coherence_error,
    demo_sales,
    load_series,
)


@pytest.fixture(scope="module")
def base():
    data = load_series(demo_sales(periods=36), hierarchy=["region", "category"])
    return Forecaster(6, models=("seasonal_naive",), level=(80,), global_model=False).fit(data).predict()


def _value(frame, uid, column="yhat"):
    return frame[frame.unique_id == uid][column].to_numpy()


def test_price_override_with_elasticity_and_coherence(base):
    price = Override("price", where={"region": "North"}, start="2024-03-01", change=-0.05, elasticity=-2.0)
    out = apply_overrides(base.frame, [price], base.hierarchy)
    factor = 0.95**-1.0
    before, after = _value(base.frame, "North/Food"), _value(out, "North/Food")
    assert after[:2] == pytest.approx(before[:2]) and after[2:] == pytest.approx(before[2:] * factor)
    assert _value(out, "South/Food") == pytest.approx(_value(base.frame, "South/Food"))
    assert coherence_error(out, base.hierarchy, "yhat") < 1e-12
    delta = _value(out, "Total") - _value(base.frame, "Total")
    assert delta == pytest.approx(_value(out, "North") - _value(base.frame, "North"))
    assert _value(out, "Total", "yhat_hi_80") - _value(base.frame, "Total", "yhat_hi_80") == pytest.approx(
        delta
    )


def test_lost_customer_launch_and_cost_shock(base):
    lost = apply_overrides(
        base.frame, [Override("lost_customer", series=("South/*",), amount=10.0)], base.hierarchy
    )
    assert _value(base.frame, "South") - _value(lost, "South") == pytest.approx([20.0] * 6)
    launch = Override(
        "launch", where={"region": "South", "category": "Tech"}, analogue="North/Tech", scale=0.5, ramp=2
    )
    launched = apply_overrides(base.frame, [launch], base.hierarchy)
    added = _value(launched, "South/Tech") - _value(base.frame, "South/Tech")
    assert added == pytest.approx(0.5 * _value(base.frame, "North/Tech") * [0.5, 1, 1, 1, 1, 1])
    shock = Override("cost_shock", series=("North/Food",), change=0.10, pass_through=0.5, elasticity=-1.5)
    assert shock.factor() == pytest.approx(1.05**-0.5)
    with pytest.raises(InputError, match="matches no series"):
        apply_overrides(base.frame, [Override("scale", series=("West/*",), change=0.1)], base.hierarchy)
    with pytest.raises(InputError, match="unknown override key"):
        Override.from_dict({"kind": "scale", "chnage": 0.1})
    with pytest.raises(InputError, match="not a hierarchy column"):
        apply_overrides(base.frame, [Override("scale", where={"country": "FR"})], base.hierarchy)


def test_plan_book_versions_are_kept_and_scenarios_compared(database_url, base):
    store = Store.open(database_url)
    try:
        book = PlanBook(store)
        first = book.save_version(
            base.frame, "FY24", kind="budget", created_by="alice", hierarchy=base.hierarchy
        )
        second = book.save_version(
            base.frame.assign(yhat=base.frame.yhat * 1.1),
            "FY24",
            kind="budget",
            created_by="bob",
            hierarchy=base.hierarchy,
        )
        assert (first.number, second.number) == (1, 2) and first.checksum != second.checksum
        frame, hierarchy = book.version_frame("FY24", 1)
        assert frame["yhat"].to_numpy() == pytest.approx(base.frame["yhat"].to_numpy())
        assert hierarchy.levels == base.hierarchy.levels
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
            connection.execute(text("UPDATE forecast_versions SET kind = 'forecast'"))
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
            connection.execute(text("DELETE FROM forecast_versions"))

        cut = [Override("scale", where={"region": "North"}, change=-0.1)]
        book.create_scenario("north -10%", "FY24", cut, number=1, created_by="carol")
        book.create_scenario(
            "south launch",
            "FY24",
            [Override("launch", where={"region": "South", "category": "Food"}, shape=(5.0,))],
            number=1,
        )
        with pytest.raises(InputError, match="exists"):
            book.create_scenario("north -10%", "FY24", cut, number=1)
        book.create_scenario(
            "north -10%",
            "FY24",
            [Override("scale", where={"region": "North"}, change=-0.2)],
            number=1,
            replace=True,
        )
        table = book.compare(["north -10%", "south launch"])
        assert list(table.columns) == [
            "ds",
            "base",
            "north -10%",
            "south launch",
            "north -10% vs base",
            "south launch vs base",
        ]
        north = _value(base.frame, "North").sum()
        assert table.iloc[-1]["north -10% vs base"] == pytest.approx(-0.2 * north)
        assert table.iloc[-1]["south launch vs base"] == pytest.approx(30.0)
        book.delete_scenario("south launch")
        assert [s.name for s in book.list_scenarios()] == ["north -10%"]
        with pytest.raises(NotFoundError):
            book.get_scenario("south launch")
        with pytest.raises(NotFoundError):
            book.get_version("FY99")
        with store.session() as session:
            actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions == [
            "forecast.version.save",
            "forecast.version.save",
            "forecast.scenario.create",
            "forecast.scenario.create",
            "forecast.scenario.replace",
            "forecast.scenario.delete",
        ]
    finally:
        store.close()


def test_compare_scenarios_on_different_versions_is_refused(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        book = PlanBook(store)
        rows = pd.DataFrame({"unique_id": "a", "ds": [1, 2], "yhat": [1.0, 2.0]})
        book.save_version(rows, "A")
        book.save_version(rows, "B")
        book.create_scenario("x", "A", [Override("scale", change=0.5)])
        book.create_scenario("y", "B", [Override("scale", change=0.5)])
        with pytest.raises(InputError, match="different versions"):
            book.compare(["x", "y"])
        assert book.compare(["x"])["x vs base"].tolist() == [0.5, 1.0, 1.5]
    finally:
        store.close()
