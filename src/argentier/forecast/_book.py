"""The plan book: kept versions (budget, forecast) and named scenarios over them, in the store.

Versions are append-only (the database refuses updates and deletes) and checksummed; each save and each
scenario change is an audit event. Scenarios are what-ifs: created, replaced and deleted freely.

>>> import pandas as pd
>>> from argentier.core.store import Store
>>> book = PlanBook(Store.open("sqlite://"))
>>> rows = pd.DataFrame({"unique_id": ["a", "a"], "ds": [1, 2], "yhat": [10.0, 10.0]})
>>> book.save_version(rows, "FY27", kind="budget", created_by="alice").number
1
>>> book.save_version(rows.assign(yhat=11.0), "FY27", kind="budget", created_by="bob").number
2
>>> scenario = book.create_scenario("cut", "FY27", [Override("scale", series=("a",), change=-0.5)], created_by="al")
>>> book.compare(["cut"], series="a")["cut vs base"].tolist()
[-5.5, -5.5, -11.0]
>>> book.store.close()
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from argentier.core.store import Store
from argentier.core.store._forecast_models import VERSION_KINDS, ForecastScenario, ForecastVersion
from argentier.core.store._review_models import AuditEvent
from argentier.errors import InputError, NotFoundError
from argentier.forecast._hierarchy import Hierarchy
from argentier.forecast._scenarios import Override, apply_overrides, compare_totals

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PlanBook", "ScenarioInfo", "VersionInfo"]


@dataclass(frozen=True)
class VersionInfo:
    """A kept version without its rows (``PlanBook.version_frame`` reads them)."""

    id: int
    name: str
    number: int
    kind: str
    created_at: datetime
    created_by: str
    source: str | None
    checksum: str
    meta: dict[str, Any] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class ScenarioInfo:
    """A scenario: its base version and overrides."""

    id: int
    name: str
    version_id: int
    created_at: datetime
    created_by: str
    overrides: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "created_at": self.created_at.isoformat(), "overrides": list(self.overrides)}


def _version_info(row: ForecastVersion) -> VersionInfo:
    return VersionInfo(
        row.id,
        row.name,
        row.number,
        row.kind,
        row.created_at,
        row.created_by,
        row.source,
        row.checksum,
        row.meta,
    )


def _scenario_info(row: ForecastScenario) -> ScenarioInfo:
    return ScenarioInfo(
        row.id, row.name, row.version_id, row.created_at, row.created_by, tuple(row.overrides)
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.assign(ds=frame["ds"].astype(str)).to_json(orient="records", double_precision=15))


def _checksum(rows: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _frame(rows: list[dict[str, Any]], meta: dict[str, Any]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(rows)
    frame["ds"] = frame["ds"].astype("int64") if meta.get("ds_kind") == "int" else pd.to_datetime(frame["ds"])
    return frame


class PlanBook:
    """Versions and scenarios over one store; ``user`` defaults to the login name."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _audit(
        self, session: Any, actor: str, action: str, object_type: str, object_id: Any, details: dict
    ) -> None:
        session.add(
            AuditEvent(
                actor=actor, action=action, object_type=object_type, object_id=str(object_id), details=details
            )
        )

    def save_version(
        self,
        frame: pd.DataFrame,
        name: str,
        *,
        kind: str = "forecast",
        created_by: str | None = None,
        source: str | None = None,
        hierarchy: Hierarchy | None = None,
        meta: dict[str, Any] | None = None,
    ) -> VersionInfo:
        """Keep ``frame`` (``unique_id, ds, yhat ...``) as the next version of ``name``."""
        import pandas as pd

        if kind not in VERSION_KINDS:
            raise InputError(f"kind must be one of {', '.join(VERSION_KINDS)}, got {kind!r}")
        if not name or not name.strip() or len(name) > 200:
            raise InputError("a version needs a name of 1 to 200 characters")
        missing = [c for c in ("unique_id", "ds", "yhat") if c not in frame.columns]
        if missing:
            raise InputError(f"a version needs columns unique_id, ds, yhat; missing {', '.join(missing)}")
        rows = _records(frame)
        info = {
            **(meta or {}),
            "ds_kind": "int" if pd.api.types.is_integer_dtype(frame["ds"]) else "datetime",
            "hierarchy": hierarchy.to_dict() if hierarchy else None,
        }
        user = created_by or getpass.getuser()
        with self.store.session() as session:
            number = (
                session.scalar(
                    select(func.max(ForecastVersion.number)).where(ForecastVersion.name == name.strip())
                )
                or 0
            ) + 1
            row = ForecastVersion(
                name=name.strip(),
                number=number,
                kind=kind,
                created_by=user,
                source=source,
                checksum=_checksum(rows),
                meta=info,
                rows=rows,
            )
            session.add(row)
            session.flush()
            self._audit(
                session,
                user,
                "forecast.version.save",
                "forecast_version",
                row.id,
                {"name": row.name, "number": number, "kind": kind, "checksum": row.checksum},
            )
            return _version_info(row)

    def _version_row(self, session: Any, name: str | int, number: int | None) -> ForecastVersion:
        statement = select(ForecastVersion)
        if isinstance(name, int):
            statement = statement.where(ForecastVersion.id == name)
        else:
            statement = statement.where(ForecastVersion.name == name)
            if number is not None:
                statement = statement.where(ForecastVersion.number == number)
        row = session.scalars(statement.order_by(ForecastVersion.number.desc()).limit(1)).first()
        if row is None:
            raise NotFoundError(f"no version {name!r}" + (f" number {number}" if number else ""))
        return row

    def get_version(self, name: str | int, number: int | None = None) -> VersionInfo:
        """A version by id, or by name (the latest number unless ``number`` is given)."""
        with self.store.session() as session:
            return _version_info(self._version_row(session, name, number))

    def version_frame(
        self, name: str | int, number: int | None = None
    ) -> tuple[pd.DataFrame, Hierarchy | None]:
        """The rows of a version (checksum verified) and its hierarchy."""
        with self.store.session() as session:
            row = self._version_row(session, name, number)
            if _checksum(row.rows) != row.checksum:
                raise InputError(f"version {row.name} #{row.number} does not match its checksum")
            hierarchy = Hierarchy.from_dict(row.meta["hierarchy"]) if row.meta.get("hierarchy") else None
            return _frame(row.rows, row.meta), hierarchy

    def list_versions(self, name: str | None = None) -> list[VersionInfo]:
        statement = select(ForecastVersion).order_by(ForecastVersion.name, ForecastVersion.number)
        if name:
            statement = statement.where(ForecastVersion.name == name)
        with self.store.session() as session:
            return [_version_info(row) for row in session.scalars(statement)]

    def create_scenario(
        self,
        name: str,
        version: str | int,
        overrides: Sequence[Override],
        *,
        number: int | None = None,
        created_by: str | None = None,
        replace: bool = False,
    ) -> ScenarioInfo:
        """Apply ``overrides`` to a version and keep the result as scenario ``name`` (``replace`` to redo one)."""
        if not name or not name.strip() or len(name) > 200:
            raise InputError("a scenario needs a name of 1 to 200 characters")
        if not overrides:
            raise InputError("a scenario needs at least one override")
        base, hierarchy = self.version_frame(version, number)
        rows = _records(apply_overrides(base, overrides, hierarchy))
        user = created_by or getpass.getuser()
        with self.store.session() as session:
            version_row = self._version_row(session, version, number)
            existing = session.scalars(
                select(ForecastScenario).where(ForecastScenario.name == name.strip())
            ).first()
            if existing is not None:
                if not replace:
                    raise InputError(f"scenario {name!r} exists; replace it explicitly (--replace)")
                session.delete(existing)
                session.flush()
            row = ForecastScenario(
                name=name.strip(),
                version_id=version_row.id,
                created_by=user,
                overrides=[o.to_dict() for o in overrides],
                rows=rows,
            )
            session.add(row)
            session.flush()
            self._audit(
                session,
                user,
                "forecast.scenario.replace" if existing else "forecast.scenario.create",
                "forecast_scenario",
                row.id,
                {"name": row.name, "version_id": version_row.id},
            )
            return _scenario_info(row)

    def get_scenario(self, name: str) -> ScenarioInfo:
        with self.store.session() as session:
            return _scenario_info(self._scenario_row(session, name))

    @staticmethod
    def _scenario_row(session: Any, name: str) -> ForecastScenario:
        row = session.scalars(select(ForecastScenario).where(ForecastScenario.name == name)).first()
        if row is None:
            raise NotFoundError(f"no scenario {name!r}")
        return row

    def scenario_frame(self, name: str) -> pd.DataFrame:
        with self.store.session() as session:
            row = self._scenario_row(session, name)
            return _frame(row.rows, session.get(ForecastVersion, row.version_id).meta)

    def list_scenarios(self) -> list[ScenarioInfo]:
        with self.store.session() as session:
            return [
                _scenario_info(r)
                for r in session.scalars(select(ForecastScenario).order_by(ForecastScenario.id))
            ]

    def delete_scenario(self, name: str, *, deleted_by: str | None = None) -> None:
        with self.store.session() as session:
            row = self._scenario_row(session, name)
            self._audit(
                session,
                deleted_by or getpass.getuser(),
                "forecast.scenario.delete",
                "forecast_scenario",
                row.id,
                {"name": row.name},
            )
            session.delete(row)

    def compare(self, names: Sequence[str], *, series: str | None = None) -> pd.DataFrame:
        """Scenarios side by side with their base version (all must share it) for one series (default: the top)."""
        if not names:
            raise InputError("name at least one scenario to compare")
        infos = [self.get_scenario(name) for name in names]
        if len({info.version_id for info in infos}) > 1:
            raise InputError("scenarios on different versions cannot share one base column")
        base, hierarchy = self.version_frame(infos[0].version_id)
        if series is None:
            series = hierarchy.tags["total"][0] if hierarchy else str(base["unique_id"].iloc[0])
        frames = {"base": base, **{name: self.scenario_frame(name) for name in names}}
        return compare_totals(frames, series)
