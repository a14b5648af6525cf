"""Capital projects and portfolio rules: the input contract of capital allocation, validated once.

Projects table (CSV/Parquet), one row per project:

- ``id`` (unique), optional ``name``, ``category``
- ``capex_<year>``: spend in each budget year (e.g. ``capex_2027``), >= 0, at least one such column
- ``annual_benefit``, ``life_years`` and optional ``benefit_start`` (year; default the year after the last spend)
- optional uncertainty: ``capex_sd`` (relative cost overrun spread), ``benefit_sd`` (relative benefit spread,
  demand), ``delay_prob`` (chance benefits start a year late)
- optional ``requires`` and ``excludes`` (ids separated by ``;``) and ``mandatory`` (true/false)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argentier.errors import InputError
from argentier.planning._io import numeric_column, read_table, read_yaml, require_columns

__all__ = ["CapitalRules", "PortfolioRule", "Project", "load_capital_rules", "load_projects"]


@dataclass(frozen=True)
class Project:
    """One candidate project: spend by year, benefits, uncertainty and its links to other projects."""

    id: str
    capex: Mapping[int, float]
    annual_benefit: float
    life_years: int
    benefit_start: int
    name: str = ""
    category: str = ""
    capex_sd: float = 0.0
    benefit_sd: float = 0.0
    delay_prob: float = 0.0
    requires: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    mandatory: bool = False

    def npv(self, discount_rate: float, base_year: int) -> float:
        """Deterministic NPV at ``discount_rate``, discounting year ``base_year`` by nothing.

        >>> round(Project("a", {2027: 100.0}, 30.0, 5, 2028).npv(0.1, 2027), 4)
        13.7236
        """
        factor = 1.0 / (1.0 + discount_rate)
        spend = sum(amount * factor ** (year - base_year) for year, amount in self.capex.items())
        benefits = sum(
            self.annual_benefit * factor ** (self.benefit_start + k - base_year)
            for k in range(self.life_years)
        )
        return benefits - spend


@dataclass(frozen=True)
class PortfolioRule:
    """A minimum-portfolio or limit rule on a category (empty category: all projects)."""

    category: str = ""
    min_count: int | None = None
    max_count: int | None = None
    min_spend: float | None = None


@dataclass(frozen=True)
class CapitalRules:
    """Budgets per year, discount rate and portfolio rules."""

    budgets: Mapping[int, float]
    discount_rate: float = 0.08
    rules: tuple[PortfolioRule, ...] = field(default=())

    @property
    def base_year(self) -> int:
        """The year NPVs are discounted to: the first budget year."""
        return min(self.budgets)


def _ids(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    return tuple(part.strip() for part in str(value).replace(",", ";").split(";") if part.strip())


def _text(frame: Any, column: str, row: int) -> str:
    value = frame[column].iloc[row] if column in frame.columns else ""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()


def load_projects(path: str | Path) -> list[Project]:
    """Read and check a projects table; every problem names the file, row and column."""
    source = str(path)
    frame = read_table(path)
    require_columns(frame, ["id", "annual_benefit", "life_years"], source)
    capex_columns = [c for c in frame.columns if c.startswith("capex_") and c[6:].isdigit()]
    if not capex_columns:
        raise InputError("no capex_<year> column (e.g. capex_2027)", source=source)
    ids = frame["id"].astype(str).str.strip()
    duplicated = ids.duplicated()
    if duplicated.any():
        row = int(duplicated.to_numpy().nonzero()[0][0])
        raise InputError(f"row {row + 2}, column 'id': duplicate id {ids.iloc[row]!r}", source=source)
    capex = {
        int(c[6:]): numeric_column(frame, c, source, allow_missing=True).fillna(0.0) for c in capex_columns
    }
    benefit = numeric_column(frame, "annual_benefit", source)
    life = numeric_column(frame, "life_years", source)
    optional = {
        name: numeric_column(frame, name, source, allow_missing=True).fillna(0.0)
        for name in ("capex_sd", "benefit_sd", "delay_prob")
        if name in frame.columns
    }
    if "delay_prob" in optional and (optional["delay_prob"] > 1).any():
        row = int((optional["delay_prob"] > 1).to_numpy().nonzero()[0][0])
        raise InputError(f"row {row + 2}, column 'delay_prob': a probability must be <= 1", source=source)
    start = (
        numeric_column(frame, "benefit_start", source, allow_missing=True)
        if "benefit_start" in frame
        else None
    )
    projects = []
    for row in range(len(frame)):
        spend = {year: float(values.iloc[row]) for year, values in capex.items() if values.iloc[row] > 0}
        default_start = (max(spend) if spend else min(capex)) + 1
        first = start.iloc[row] if start is not None and not math.isnan(start.iloc[row]) else default_start

        projects.append(
            Project(
                id=ids.iloc[row],
                capex=spend,
                annual_benefit=float(benefit.iloc[row]),
                life_years=int(life.iloc[row]),
                benefit_start=int(first),
                name=_text(frame, "name", row),
                category=_text(frame, "category", row),
                capex_sd=float(optional["capex_sd"].iloc[row]) if "capex_sd" in optional else 0.0,
                benefit_sd=float(optional["benefit_sd"].iloc[row]) if "benefit_sd" in optional else 0.0,
                delay_prob=float(optional["delay_prob"].iloc[row]) if "delay_prob" in optional else 0.0,
                requires=_ids(frame["requires"].iloc[row]) if "requires" in frame.columns else (),
                excludes=_ids(frame["excludes"].iloc[row]) if "excludes" in frame.columns else (),
                mandatory=_text(frame, "mandatory", row).lower() in ("1", "true", "yes", "y"),
            )
        )
    known = set(ids)
    for row, project in enumerate(projects):
        for column, others in (("requires", project.requires), ("excludes", project.excludes)):
            unknown = [other for other in others if other not in known]
            if unknown:
                raise InputError(
                    f"row {row + 2}, column {column!r}: unknown id {unknown[0]!r}", source=source
                )
    return projects


def load_capital_rules(
    path: str | Path | None = None, *, budgets: Mapping[int, float] | None = None
) -> CapitalRules:
    """Read budgets, discount rate and portfolio rules from YAML; ``budgets`` given here override the file's."""
    data = read_yaml(path) if path is not None else {}
    source = str(path) if path is not None else "capital rules"
    try:
        merged = {int(year): float(amount) for year, amount in (data.get("budgets") or {}).items()}
        merged.update({int(year): float(amount) for year, amount in (budgets or {}).items()})
        rate = float(data.get("discount_rate", 0.08))
        rules = tuple(
            PortfolioRule(
                category=str(rule.get("category", "")),
                min_count=None if rule.get("min_count") is None else int(rule["min_count"]),
                max_count=None if rule.get("max_count") is None else int(rule["max_count"]),
                min_spend=None if rule.get("min_spend") is None else float(rule["min_spend"]),
            )
            for rule in data.get("rules") or []
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"invalid budgets or rules: {exc}", source=source) from None
    if not merged:
        raise InputError("no budget given (a budgets: mapping of year to amount)", source=source)
    if any(amount < 0 for amount in merged.values()) or not -1 < rate < 1:
        raise InputError("budgets must be >= 0 and the discount rate between -1 and 1", source=source)
    return CapitalRules(merged, rate, rules)
