"""The data contract: sales lines and unit costs, validated once and held as integer minor units in DuckDB.

Sales (CSV or Parquet): ``date, sku, region, units, net_revenue`` required; optional ``channel, category,
list_price`` (per unit), ``discount`` (money on the line), ``returns`` (units); any other text column is a
grouping dimension. Costs per unit (CSV or Parquet): ``sku, region, period`` (a month: ``2025-03`` or a date in
it) and one column per cost driver, any names (``cogs, inbound_freight, fulfilment, outbound_shipping,
payment_fees, returns_cost, marketing`` or the user's own).

Money never passes through a float: amounts are parsed from their decimal text (or DECIMAL/integer Parquet
columns; a float column is accepted only where it holds exact cents) and stored as integers: revenue in cents,
unit costs in ten-thousandths, units in thousandths. A line's cost of a driver is ``units x unit cost`` rounded
to the cent (half away from zero), as an invoice line would be, so every total below is an exact sum of cents.

>>> import pandas as pd
>>> pd.DataFrame({"date": ["2025-01-06"], "sku": ["A"], "region": ["EU"], "units": [3],
...               "net_revenue": ["29.97"]}).to_csv("sales.csv", index=False)
>>> pd.DataFrame({"sku": ["A"], "region": ["EU"], "period": ["2025-01"], "cogs": ["4.1234"]}).to_csv(
...     "costs.csv", index=False)
>>> with ProfitData.load("sales.csv", "costs.csv") as data:
...     data.drivers, data.connection.execute("SELECT revenue_c, cost_cogs_c FROM lines").fetchone()
(('cogs',), (2997, 1237))
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, Self

from argentier.errors import InputError
from argentier.profitability._periods import parse_period

__all__ = ["SALES_REQUIRED", "STANDARD_DRIVERS", "ProfitData", "parse_period"]

SALES_REQUIRED = ("date", "sku", "region", "units", "net_revenue")
STANDARD_DRIVERS = (
    "cogs",
    "inbound_freight",
    "fulfilment",
    "outbound_shipping",
    "payment_fees",
    "returns_cost",
    "marketing",
)
_COST_KEYS = ("sku", "region", "period")
# column -> (stored name, decimal places kept as integer minor units)
_SALES_NUMBERS = {
    "units": ("units_m", 3),
    "net_revenue": ("revenue_c", 2),
    "list_price": ("list_price_c", 2),
    "discount": ("discount_c", 2),
    "returns": ("returns_m", 3),
}
_UNIT_COST_SCALE = 4
_DERIVED_DIMENSIONS = ("month", "quarter", "year")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class ProfitData:
    """Validated sales lines with their costs: view ``lines`` of a DuckDB database (``lines_units`` adds the
    unit costs).

    Two engines give the same lines. ``fast`` (the default) reads each file once into a table of typed lines
    with their per-line costs, checked by SQL aggregates (:mod:`argentier.profitability._fastload`), optionally
    cached on disk by ``cache_dir``. ``reference`` checks column by column and, by default, scans a Parquet
    file again in every query (a CSV is parsed once into memory); ``materialise=True`` keeps its joined lines in
    memory. Build it with :meth:`load`; close it (or use it as a context manager) to free the memory.
    """

    def __init__(
        self,
        connection: Any,
        drivers: tuple[str, ...],
        dimensions: tuple[str, ...],
        sources: dict,
        *,
        n_lines: int | None = None,
        engine: str = "reference",
        cache_path: Path | None = None,
        cache_hit: bool = False,
    ) -> None:
        self.connection = connection
        self.drivers = drivers
        self.dimensions = dimensions
        self.sources = sources
        self.engine = engine
        self.cache_path = cache_path
        self.cache_hit = cache_hit
        self._n_lines = n_lines
        self.has_discount = "discount_c" in self._columns()
        self.has_returns = "returns_m" in self._columns()

    @classmethod
    def load(
        cls,
        sales: str | Path,
        costs: str | Path,
        *,
        drivers: Iterable[str] | None = None,
        materialise: bool = False,
        engine: str = "fast",
        cache_dir: str | Path | None = None,
    ) -> ProfitData:
        """Read, type and check both files; raise :class:`InputError` naming the file, row and column at fault.

        ``engine="fast"`` (default) reads each file once; with ``cache_dir`` the checked lines are kept there
        and a later load of the same files (same bytes) opens them instead. ``engine="reference"`` is the
        column-by-column loader the fast one is tested against; its ``materialise`` keeps the joined lines in
        memory (more memory, faster queries). Errors are the reference loader's in both engines.
        """
        import duckdb

        if engine not in ("fast", "reference"):
            raise InputError(f"unknown engine {engine!r}; choose fast or reference")
        chosen_drivers = None if drivers is None else tuple(drivers)
        sources = {"sales": str(sales), "costs": str(costs)}
        if engine == "fast":
            from argentier.profitability._fastload import load_fast

            connection = _connect()
            try:
                loaded = load_fast(connection, Path(sales), Path(costs), chosen_drivers,
                                   None if cache_dir is None else Path(cache_dir))
            except BaseException:
                connection.close()
                raise
            if loaded is not None:
                return cls(connection, loaded.drivers, loaded.dimensions, sources, n_lines=loaded.n_lines,
                           engine="fast", cache_path=loaded.cache_path, cache_hit=loaded.cache_hit)
            connection.close()  # the reference loader names the fault (or reads what the fast one could not)
        connection = _connect()
        try:
            dimensions = _load_sales(connection, Path(sales))
            chosen = _load_costs(connection, Path(costs), chosen_drivers)
            _join_costs(connection, chosen, Path(sales), materialise)
            connection.execute("CREATE VIEW lines_units AS SELECT * FROM lines")
        except duckdb.Error as exc:
            connection.close()
            raise InputError(f"cannot read: {str(exc).splitlines()[0]}", source=str(sales)) from None
        except BaseException:
            connection.close()
            raise
        return cls(connection, chosen, dimensions, sources)

    def _columns(self) -> set[str]:
        return {row[0] for row in self.connection.execute("DESCRIBE lines").fetchall()}

    @property
    def n_lines(self) -> int:
        if self._n_lines is None:
            self._n_lines = self.connection.execute("SELECT count(*) FROM raw_sales").fetchone()[0]
        return self._n_lines

    def group_sql(self, name: str) -> tuple[str, str]:
        """SQL to group ``lines`` by dimension ``name`` cheaply, and SQL turning the group value (``{}``) into the
        dimension's text: ``month``, ``quarter`` and ``year`` group on the date, formatted after aggregation.
        """
        if name == "month":
            return "date_trunc('month', date)", "strftime({}, '%Y-%m')"
        if name == "quarter":
            return "date_trunc('quarter', date)", "strftime({}, '%Y') || '-Q' || CAST(quarter({}) AS VARCHAR)"
        if name == "year":
            return "year(date)", "CAST({} AS VARCHAR)"
        return _quote(name), "{}"

    @property
    def date_range(self) -> tuple[date, date]:
        return tuple(self.connection.execute("SELECT min(date), max(date) FROM lines").fetchone())

    def check_dimensions(self, names: Iterable[str]) -> tuple[str, ...]:
        """The names if each is a grouping dimension of the data; else an :class:`InputError` listing the valid ones."""
        names = tuple(names)
        for name in names:
            if name not in self.dimensions:
                raise InputError(f"unknown grouping {name!r}; choose among {', '.join(self.dimensions)}")
        return names

    def check_drivers(self, names: Iterable[str]) -> tuple[str, ...]:
        names = tuple(names)
        for name in names:
            if name not in self.drivers:
                raise InputError(f"unknown cost driver {name!r}; the cost file has {', '.join(self.drivers)}")
        return names

    def where(
        self, period: tuple[date, date] | None = None, filters: dict[str, str | Iterable[str]] | None = None
    ) -> tuple[str, list[Any]]:
        """A SQL ``WHERE`` clause (with its parameters) for a date range (inclusive) and dimension filters."""
        clauses, params = ["TRUE"], []
        if period is not None:
            clauses.append("date BETWEEN ? AND ?")
            params += [period[0], period[1]]
        for name, value in (filters or {}).items():
            self.check_dimensions([name])
            values = [value] if isinstance(value, str) else list(value)
            clauses.append(f"{_quote(name)} IN ({', '.join('?' for _ in values)})")
            params += values
        return " AND ".join(clauses), params

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _connect() -> Any:
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    return connection


def _read(connection: Any, path: Path, view: str) -> dict[str, str]:
    """Expose the file as view ``view`` with a 1-based ``_row``; return its columns and their DuckDB types."""
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    suffixes = "".join(path.suffixes[-2:]).lower()
    literal = "'" + str(path).replace("'", "''") + "'"
    if suffixes.endswith(".parquet"):
        reader = f"read_parquet({literal})"
    elif suffixes.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        reader = f"read_csv({literal}, header = true, all_varchar = true)"
    else:
        raise InputError("unknown file type: use .csv or .parquet", source=str(path))
    import duckdb

    # Parquet is scanned again by every query (fast, columnar); a CSV is parsed once into a table.
    if reader.startswith("read_parquet"):
        reader = reader[:-1] + ", file_row_number = true)"
        statement = f"CREATE VIEW {view} AS SELECT file_row_number + 1 AS _row, * EXCLUDE (file_row_number) FROM {reader}"
    else:
        statement = f"CREATE TABLE {view} AS SELECT row_number() OVER () AS _row, * FROM {reader}"
    try:
        connection.execute(statement)
        described = connection.execute(f"DESCRIBE {view}").fetchall()
    except duckdb.Error as exc:
        raise InputError(f"cannot read: {str(exc).splitlines()[0]}", source=str(path)) from None
    columns = {row[0]: row[1] for row in described if row[0] != "_row"}
    lowered = {name.strip().lower() for name in columns}
    if len(lowered) != len(columns):
        raise InputError("two columns have the same name once case and spaces are ignored", source=str(path))
    return columns


def _column_map(columns: dict[str, str]) -> dict[str, str]:
    return {name.strip().lower(): name for name in columns}


def _number_sql(column: str, kind: str, scale: int) -> str:
    """SQL for the value times 10**scale as BIGINT, NULL when it is not a number with at most ``scale`` decimals."""
    source = _quote(column)
    factor = 10**scale
    if kind in ("FLOAT", "DOUBLE"):
        scaled = f"{source} * {factor}"
        return f"CASE WHEN abs({scaled} - round({scaled})) <= 1e-6 THEN CAST(round({scaled}) AS BIGINT) END"
    if kind.startswith(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER")):
        return f"TRY_CAST({source} AS BIGINT) * {factor}"
    # DECIMAL(18, 6) stays a 64-bit integer inside DuckDB (38 digits would be ~200x slower to parse).
    value = source if kind.startswith("DECIMAL") else f"trim(CAST({source} AS VARCHAR))"
    parsed = f"TRY_CAST({value} AS DECIMAL(18, 6))"
    return f"CASE WHEN {parsed} = round({parsed}, {scale}) THEN CAST({parsed} * {factor} AS BIGINT) END"


def _date_sql(column: str, kind: str, month: bool = False) -> str:
    source = _quote(column)
    if kind == "DATE" or kind.startswith("TIMESTAMP"):
        return f"CAST({source} AS DATE)"
    text = f"trim(CAST({source} AS VARCHAR))"
    parsed = f"TRY_CAST({text} AS DATE)"
    return f"coalesce({parsed}, TRY_CAST({text} || '-01' AS DATE))" if month else parsed


def _text_sql(column: str) -> str:
    return f"nullif(trim(CAST({_quote(column)} AS VARCHAR)), '')"


def _check_parsed(connection: Any, path: Path, raw: str, checks: dict[str, tuple[str, str, str, bool]]) -> int:
    """Count the rows of ``raw`` and raise on the first value that does not parse.

    ``checks`` maps a typed column to (parsing SQL, source column, what it should be, required): an empty
    optional value is NULL, an empty required one or any value that does not parse is an error.
    """
    conditions = []
    for expression, source, _, required in checks.values():
        condition = f"({expression}) IS NULL"
        if not required:
            condition += f" AND nullif(trim(CAST({_quote(source)} AS VARCHAR)), '') IS NOT NULL"
        conditions.append(f"min(_row) FILTER (WHERE {condition})")
    found = connection.execute(f"SELECT count(*), {', '.join(conditions)} FROM {raw}").fetchone()
    for (_, source, expectation, _), row in zip(checks.values(), found[1:]):
        if row is None:
            continue
        value = connection.execute(f"SELECT CAST({_quote(source)} AS VARCHAR) FROM {raw} WHERE _row = ?", [row]).fetchone()[0]
        shown = "empty" if value is None or not str(value).strip() else repr(value)
        raise InputError(f"row {row}, column {source!r}: {shown} is not {expectation}", source=str(path))
    return found[0]


def _select(checks: dict[str, tuple[str, str, str, bool]]) -> str:
    return ", ".join(["_row", *(f"{expression} AS {_quote(name)}" for name, (expression, *_) in checks.items())])


def _load_sales(connection: Any, path: Path) -> tuple[str, ...]:
    columns = _read(connection, path, "raw_sales")
    checks, extras, dimensions = _sales_plan(path, columns)
    import duckdb

    try:
        if _check_parsed(connection, path, "raw_sales", checks) == 0:
            raise InputError("no sales lines", source=str(path))
        connection.execute(f"CREATE VIEW typed_sales AS SELECT {', '.join([_select(checks), *extras])} FROM raw_sales")
    except duckdb.Error as exc:
        raise InputError(f"cannot read: {str(exc).splitlines()[0]}", source=str(path)) from None
    return dimensions


def _sales_plan(path: Path, columns: dict[str, str]) -> tuple[dict, list[str], tuple[str, ...]]:
    """The typed columns of a sales file (parsing SQL and checks), its extra dimensions, and all dimensions."""
    names = _column_map(columns)
    missing = [name for name in SALES_REQUIRED if name not in names]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; found {', '.join(columns)}", source=str(path))
    checks = {"date": (_date_sql(names["date"], columns[names["date"]]), names["date"], "a date (YYYY-MM-DD)", True)}
    dimensions = ["sku", "region"]
    for name in ("sku", "region"):
        checks[name] = (_text_sql(names[name]), names[name], "a non-empty code", True)
    for name, (stored, scale) in _SALES_NUMBERS.items():
        if name in names:
            expression = _number_sql(names[name], columns[names[name]], scale)
            checks[stored] = (expression, names[name], f"a number with at most {scale} decimals", name in SALES_REQUIRED)
    extras = []
    for lowered, original in names.items():
        if lowered in SALES_REQUIRED or lowered in _SALES_NUMBERS:
            continue
        if not _NAME.match(lowered) or lowered in _DERIVED_DIMENSIONS or lowered.startswith("_"):
            raise InputError(f"column {original!r}: a dimension needs a plain name (letters, digits, _)", source=str(path))
        extras.append(f"coalesce({_text_sql(original)}, '(none)') AS {_quote(lowered)}")
        dimensions.append(lowered)
    return checks, extras, (*dimensions, *_DERIVED_DIMENSIONS)


def _load_costs(connection: Any, path: Path, drivers: tuple[str, ...] | None) -> tuple[str, ...]:
    columns = _read(connection, path, "raw_costs")
    chosen, checks = _costs_plan(path, columns, drivers)
    if _check_parsed(connection, path, "raw_costs", checks) == 0:
        raise InputError("no cost rows", source=str(path))
    connection.execute(f"CREATE TABLE unit_costs AS SELECT {_select(checks)} FROM raw_costs")
    duplicate = connection.execute(
        "SELECT sku, region, period, count(*) AS n, min(_row), max(_row) FROM unit_costs "
        "GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    if duplicate:
        sku, region, period, n, first, last = duplicate
        raise InputError(
            f"rows {first} and {last}: {n} cost rows for sku {sku!r}, region {region!r}, period {period:%Y-%m}",
            source=str(path),
        )
    return chosen


def _costs_plan(path: Path, columns: dict[str, str], drivers: tuple[str, ...] | None) -> tuple[tuple[str, ...], dict]:
    """The chosen cost drivers and the typed columns (parsing SQL and checks) of a unit-cost file."""
    names = _column_map(columns)
    missing = [name for name in _COST_KEYS if name not in names]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; found {', '.join(columns)}", source=str(path))
    available = tuple(name for name in names if name not in _COST_KEYS)
    chosen = available if drivers is None else tuple(d.strip().lower() for d in drivers)
    for driver in chosen:
        if driver not in names or driver in _COST_KEYS:
            raise InputError(f"no cost column {driver!r}; found {', '.join(available) or 'none'}", source=str(path))
        if not _NAME.match(driver):
            raise InputError(f"cost column {driver!r}: use letters, digits and _ only", source=str(path))
    if not chosen:
        raise InputError("no cost columns besides sku, region, period", source=str(path))
    checks = {
        "sku": (_text_sql(names["sku"]), names["sku"], "a non-empty code", True),
        "region": (_text_sql(names["region"]), names["region"], "a non-empty code", True),
        "period": (
            f"date_trunc('month', {_date_sql(names['period'], columns[names['period']], month=True)})",
            names["period"],
            "a month (YYYY-MM) or a date",
            True,
        ),
    }
    for driver in chosen:
        expression = _number_sql(names[driver], columns[names[driver]], _UNIT_COST_SCALE)
        checks[driver] = (expression, names[driver], f"a cost per unit with at most {_UNIT_COST_SCALE} decimals", True)
    return chosen, checks


def _join_costs(connection: Any, drivers: tuple[str, ...], sales_path: Path, materialise: bool) -> None:
    dims = [row[0] for row in connection.execute("DESCRIBE typed_sales").fetchall()]
    costs = ", ".join(
        f"CAST((s.units_m * c.{_quote(d)} + 50000 * sign(s.units_m * c.{_quote(d)})) // 100000 AS BIGINT)"
        f" AS {_quote('cost_' + d + '_c')}"
        for d in drivers
    )
    unit_costs = ", ".join(f"c.{_quote(d)} AS {_quote('unit_' + d + '_e4')}" for d in drivers)
    connection.execute(
        f"CREATE VIEW joined_lines AS SELECT {', '.join('s.' + _quote(d) for d in dims)}, "
        "strftime(s.date, '%Y-%m') AS month, "
        "strftime(s.date, '%Y') || '-Q' || CAST(quarter(s.date) AS VARCHAR) AS quarter, "
        f"CAST(year(s.date) AS VARCHAR) AS year, {unit_costs}, {costs} "
        "FROM typed_sales s JOIN unit_costs c "
        "ON s.sku = c.sku AND s.region = c.region AND date_trunc('month', s.date) = c.period"
    )
    missing = connection.execute(
        "SELECT count(*), min(_row), arg_min(sku, _row), arg_min(region, _row), arg_min(date, _row) "
        "FROM typed_sales s WHERE NOT EXISTS (SELECT 1 FROM unit_costs c "
        "WHERE s.sku = c.sku AND s.region = c.region AND date_trunc('month', s.date) = c.period)"
    ).fetchone()
    if missing[0]:
        count, row, sku, region, day = missing
        raise InputError(
            f"{count} sales line(s) have no unit costs, first at row {row}: sku {sku!r}, region {region!r}, "
            f"month {day:%Y-%m}",
            source=str(sales_path),
        )
    connection.execute(f"CREATE {'TABLE' if materialise else 'VIEW'} lines AS SELECT * FROM joined_lines")
