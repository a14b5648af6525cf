"""The model registry: versions of fraud models in the store, with their metrics, champion and challengers.

>>> from argentier.core.store import Store
>>> from argentier.fraud import FraudModel, prepare_transactions, simulate_transactions, compute_features
>>> tx = prepare_transactions(simulate_transactions(100, 200, 30, seed=2)).frame
>>> model = FraudModel(n_estimators=10, num_threads=1).fit(compute_features(tx), tx.is_fraud, tx.timestamp)
>>> registry = ModelRegistry(Store.open("sqlite://"))
>>> entry = registry.register(model, name="cards")
>>> entry.status, registry.promote(entry.id).status, registry.champion("cards").version == model.version
('challenger', 'champion', True)
>>> registry.store.close()
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from argentier.core.store import Store
from argentier.core.store._fraud_models import FraudModelRecord, FraudStateRecord
from argentier.errors import InputError, NotFoundError
from argentier.fraud._features import FeatureState
from argentier.fraud._model import FraudModel


@dataclass(frozen=True)
class RegisteredModel:
    """A model version in the registry (without its trees)."""

    id: int
    name: str
    version: str
    status: str
    metrics: dict[str, Any]
    trained_from: str | None
    trained_to: str | None
    note: str | None
    created_at: datetime
    promoted_at: datetime | None

    @classmethod
    def from_row(cls, row: FraudModelRecord) -> RegisteredModel:
        return cls(
            row.id,
            row.name,
            row.version,
            row.status,
            dict(row.metrics or {}),
            row.trained_from,
            row.trained_to,
            row.note,
            row.created_at,
            row.promoted_at,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "created_at": self.created_at.isoformat(),
            "promoted_at": self.promoted_at and self.promoted_at.isoformat(),
        }


class ModelRegistry:
    """Register, list, load, promote and retire fraud models; record evaluations beside them."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def register(
        self, model: FraudModel, *, name: str = "default", note: str | None = None
    ) -> RegisteredModel:
        """Add a fitted model as a challenger; registering the same version twice is an error."""
        name = name.strip()
        if not name or len(name) > 200:
            raise InputError("a model name must have 1 to 200 characters")
        with self.store.session() as session:
            existing = session.scalars(
                select(FraudModelRecord).where(
                    FraudModelRecord.name == name, FraudModelRecord.version == model.version
                )
            ).first()
            if existing is not None:
                raise InputError(
                    f"model {name!r} version {model.version} is already registered (id {existing.id})"
                )
            row = FraudModelRecord(
                name=name,
                version=model.version,
                status="challenger",
                model_json=model.to_json(),
                metrics={"validation": model.validation_metrics_, "training": model.info_},
                trained_from=model.info_.get("from"),
                trained_to=model.info_.get("to"),
                note=note,
                created_at=datetime.now(UTC),
            )
            session.add(row)
            session.flush()
            return RegisteredModel.from_row(row)

    def _row(self, session: Any, model_id: int) -> FraudModelRecord:
        row = session.get(FraudModelRecord, model_id)
        if row is None:
            raise NotFoundError(f"no fraud model with id {model_id}")
        return row

    def get(self, model_id: int) -> RegisteredModel:
        with self.store.session() as session:
            return RegisteredModel.from_row(self._row(session, model_id))

    def list(self, name: str | None = None) -> list[RegisteredModel]:
        """Models, newest first; only those called ``name`` if given."""
        statement = select(FraudModelRecord).order_by(FraudModelRecord.id.desc())
        if name is not None:
            statement = statement.where(FraudModelRecord.name == name)
        with self.store.session() as session:
            return [RegisteredModel.from_row(row) for row in session.scalars(statement)]

    def load(self, model_id: int) -> FraudModel:
        """The fitted model of a registry entry."""
        with self.store.session() as session:
            text = self._row(session, model_id).model_json
        return FraudModel.from_json(text, source=f"registry model {model_id}")

    def champion(self, name: str = "default") -> RegisteredModel | None:
        with self.store.session() as session:
            row = session.scalars(
                select(FraudModelRecord).where(
                    FraudModelRecord.name == name, FraudModelRecord.status == "champion"
                )
            ).first()
            return None if row is None else RegisteredModel.from_row(row)

    def challengers(self, name: str = "default") -> list[RegisteredModel]:
        return [entry for entry in self.list(name) if entry.status == "challenger"]

    def promote(self, model_id: int) -> RegisteredModel:
        """Make a model the champion of its name; the previous champion becomes a challenger again."""
        with self.store.session() as session:
            row = self._row(session, model_id)
            for other in session.scalars(
                select(FraudModelRecord).where(
                    FraudModelRecord.name == row.name,
                    FraudModelRecord.status == "champion",
                    FraudModelRecord.id != row.id,
                )
            ):
                other.status = "challenger"
            row.status = "champion"
            row.promoted_at = datetime.now(UTC)
            session.flush()
            return RegisteredModel.from_row(row)

    def retire(self, model_id: int) -> RegisteredModel:
        """Take a model out of service (it stays in the registry, with its metrics)."""
        with self.store.session() as session:
            row = self._row(session, model_id)
            row.status = "retired"
            return RegisteredModel.from_row(row)

    def record_metrics(self, model_id: int, label: str, metrics: Mapping[str, Any]) -> RegisteredModel:
        """Keep an evaluation (e.g. ``"2018-08-08..2018-08-14"``) in the model's metrics."""
        with self.store.session() as session:
            row = self._row(session, model_id)
            evaluations = dict((row.metrics or {}).get("evaluations", {}))
            evaluations[label] = dict(metrics)
            row.metrics = {**(row.metrics or {}), "evaluations": evaluations}
            return RegisteredModel.from_row(row)


def save_feature_state(
    store: Store, name: str, state: FeatureState, *, model_version: str | None = None
) -> int:
    """Save (or replace) a scorer's feature state under ``name``; returns the compressed size in bytes.

    A restarted process that loads it scores the next transaction exactly as the one that saved it would have.

    >>> store = Store.open("sqlite://")
    >>> state = FeatureState()
    >>> _ = state.transaction(10**18, "alice", "shop", 12.5)
    >>> save_feature_state(store, "cards", state) > 0, load_feature_state(store, "cards").clock == state.clock
    (True, True)
    >>> store.close()
    """
    snapshot = zlib.compress(json.dumps(state.to_dict(), separators=(",", ":")).encode("utf-8"), 6)
    with store.session() as session:
        row = session.get(FraudStateRecord, name) or FraudStateRecord(name=name)
        row.model_version, row.clock_ns, row.snapshot = model_version, state.clock, snapshot
        row.updated_at = datetime.now(UTC)
        session.add(row)
    return len(snapshot)


def load_feature_state(store: Store, name: str) -> FeatureState:
    """The feature state saved under ``name``."""
    with store.session() as session:
        row = session.get(FraudStateRecord, name)
        if row is None:
            raise NotFoundError(f"no saved fraud feature state called {name!r}")
        snapshot = row.snapshot
    return FeatureState.from_dict(json.loads(zlib.decompress(snapshot)))
