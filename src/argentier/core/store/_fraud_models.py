"""Tables for fraud detection (``argentier.fraud``): the model registry and saved real-time feature state.

A registered model keeps its whole JSON file (trees, calibration, feature config, reference distributions) in
``model_json``, so a registry is self-contained; ``metrics`` holds the evaluations recorded for it. At most one
model per ``name`` is the ``champion`` (the registry enforces it when promoting); the others are challengers
(scored in shadow and compared) or retired.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from argentier.core.store._models import Base, utcnow

MODEL_STATUSES = ("challenger", "champion", "retired")


class FraudModelRecord(Base):
    """One version of a fraud model in the registry."""

    __tablename__ = "fraud_models"
    __table_args__ = (
        UniqueConstraint("name", "version", name="uq_fraud_models_name_version"),
        CheckConstraint("status IN ('challenger', 'champion', 'retired')", name="ck_fraud_models_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="challenger")
    model_json: Mapped[str] = mapped_column(Text)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    trained_from: Mapped[str | None] = mapped_column(String(10))
    trained_to: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FraudStateRecord(Base):
    """The behavioural-feature state of a real-time scorer (zlib-compressed JSON), saved under a name."""

    __tablename__ = "fraud_states"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    model_version: Mapped[str | None] = mapped_column(String(64))
    clock_ns: Mapped[int] = mapped_column(BigInteger)
    snapshot: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
