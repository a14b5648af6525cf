"""Tables for forecasting (``argentier.forecast``): kept versions (budget, forecast) and throwaway scenarios.

A version is append-only (database triggers refuse updates and deletes): saving a plan again under the same
name adds version ``number + 1``; its rows carry a SHA-256 ``checksum`` so any copy can be verified. A scenario
is a what-if on one version: its overrides and resulting rows, replaceable and deletable at will.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from argentier.core.store._models import Base, utcnow

VERSION_KINDS = ("forecast", "budget")


class ForecastVersion(Base):
    """One kept forecast or budget: every series' rows, the hierarchy, who saved it and when."""

    __tablename__ = "forecast_versions"
    __table_args__ = (
        UniqueConstraint("name", "number", name="uq_forecast_versions_name_number"),
        CheckConstraint("kind IN ('forecast', 'budget')", name="ck_forecast_versions_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(2000))
    checksum: Mapped[str] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)  # horizon, freq, level, hierarchy, notes
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ForecastScenario(Base):
    """A named what-if: a base version, overrides on drivers, and the resulting rows."""

    __tablename__ = "forecast_scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("forecast_versions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    overrides: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
