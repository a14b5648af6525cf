"""The fast loader: file -> typed lines with their per-line costs in one DuckDB pass, checked by SQL aggregates.

The reference loader (:mod:`argentier.profitability._data`) checks each column in its own pass, keeps a CSV as
text in memory and joins the unit costs again in every query. This one streams the file once (Parquet as it is,
a CSV with explicit column types) through the *same* parsing expressions, joins the unit costs, rounds every
line's cost to the cent and stores the result as table ``lines_base``; every check is one flag per line,
summed at the end. If any line fails (or the typed CSV reader refuses the file), nothing is kept and the
reference loader runs instead, so errors read exactly as before and the fast path never accepts what the
reference rejects.

With a cache folder the table (built in memory, which is faster than building it on disk) is then copied to
``<cache>/profit-<key>.duckdb`` (compressed, renamed into place once complete) and later loads of the same files
open it read-only instead of reading the files. The key is the
SHA-256 of both files' bytes, with their sizes, modification times, the chosen drivers and the loader version:
changing either file, even keeping its size and time, makes a new entry. The newest ``CACHE_ENTRIES`` entries
are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argentier.errors import InputError
from argentier.profitability._data import _costs_plan, _quote, _sales_plan

__all__ = ["CACHE_ENTRIES", "LOADER_VERSION", "FastLoad", "cache_key", "load_fast"]

LOADER_VERSION = 1
CACHE_ENTRIES = 4
_NUMBER_COLUMNS = ("units", "net_revenue", "list_price", "discount", "returns")


@dataclass(frozen=True)
class FastLoad:
    """What the fast loader found: drivers, dimensions, line count, and the cache entry used or written."""

    drivers: tuple[str, ...]
    dimensions: tuple[str, ...]
    n_lines: int
    cache_path: Path | None = None
    cache_hit: bool = False


def _fingerprint(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 22):
            digest.update(block)
    stat = path.stat()
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest.hexdigest()}


def cache_key(sales: Path, costs: Path, drivers: tuple[str, ...] | None) -> str:
    """The cache entry's name for these two files (their bytes, sizes and times) and this driver choice."""
    parts = [LOADER_VERSION, _fingerprint(Path(sales)), _fingerprint(Path(costs)), None if drivers is None else list(drivers)]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _sales_source(connection: Any, path: Path) -> tuple[str, dict[str, str]] | None:
    """A reader for the sales file with its column types, or ``None`` when only the reference loader can read it."""
    suffixes = "".join(path.suffixes[-2:]).lower()
    literal = _literal(path)
    if suffixes.endswith(".parquet"):
        reader = f"read_parquet({literal})"
    elif suffixes.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        header = connection.execute(f"DESCRIBE SELECT * FROM read_csv({literal}, header = true, all_varchar = true)")
        names = [row[0] for row in header.fetchall()]
        types = {}
        for name in names:
            lowered = name.strip().lower()
            types[name] = "DATE" if lowered == "date" else "DECIMAL(18,6)" if lowered in _NUMBER_COLUMNS else "VARCHAR"
        spec = ", ".join(f"'{name.replace(chr(39), chr(39) * 2)}': '{kind}'" for name, kind in types.items())
        reader = f"read_csv({literal}, header = true, types = {{{spec}}})"
    else:
        return None
    described = connection.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
    return reader, {row[0]: row[1] for row in described}


def _load_costs(connection: Any, path: Path, drivers: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Table ``unit_costs`` in one pass with its checks as aggregates; ``None`` if any row fails one."""
    suffixes = "".join(path.suffixes[-2:]).lower()
    if suffixes.endswith(".parquet"):
        reader = f"read_parquet({_literal(path)})"
    elif suffixes.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        reader = f"read_csv({_literal(path)}, header = true, all_varchar = true)"
    else:
        return None
    columns = {row[0]: row[1] for row in connection.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()}
    if len({name.strip().lower() for name in columns}) != len(columns):
        return None
    chosen, checks = _costs_plan(path, columns, drivers)
    typed = ", ".join(f"{expression} AS {_quote(name)}" for name, (expression, *_) in checks.items())
    bad = " OR ".join(f"({expression}) IS NULL" for expression, *_ in checks.values())
    connection.execute(f"CREATE TABLE unit_costs AS SELECT {typed}, ({bad}) AS _bad FROM {reader}")
    rows, failed, distinct = connection.execute(
        "SELECT count(*), coalesce(bool_or(_bad), false), count(DISTINCT (sku, region, period)) FROM unit_costs"
    ).fetchone()
    return chosen if rows and not failed and distinct == rows else None


def _present_sql(column: str, kind: str) -> str:
    source = _quote(column)
    if kind == "VARCHAR":
        return f"nullif(trim({source}), '') IS NOT NULL"
    return f"{source} IS NOT NULL"


def _build(connection: Any, schema: str, sales: Path, costs: Path, drivers: tuple[str, ...] | None) -> FastLoad | None:
    chosen = _load_costs(connection, costs, drivers)
    found = None if chosen is None else _sales_source(connection, sales)
    if found is None:
        return None
    reader, columns = found
    if len({name.strip().lower() for name in columns}) != len(columns):
        return None
    checks, extras, dimensions = _sales_plan(sales, columns)
    # each value is parsed once (inner query); the checks read the parsed columns and, for an optional column,
    # whether its raw value was there at all
    failures, present = [], []
    for index, (name, (_, source, _, required)) in enumerate(checks.items()):
        condition = f"{_quote(name)} IS NULL"
        if not required:
            present.append(f"{_present_sql(source, columns[source])} AS _p{index}")
            condition += f" AND _p{index}"
        failures.append(condition)
    typed = ", ".join([*(f"{expression} AS {_quote(name)}" for name, (expression, *_) in checks.items()), *extras,
                       *present])
    flags = ", ".join(f"_p{index}" for index, (*_, required) in enumerate(checks.values()) if not required)
    cost_columns = []
    for d in chosen:
        product = f"s.units_m * c.{_quote(d)}"  # thousandths x ten-thousandths: cents x 10**5, half away from zero
        cost_columns.append(
            f"CASE WHEN {product} >= 0 THEN ({product} + 50000) // 100000 ELSE -((50000 - {product}) // 100000) END"
            f" AS {_quote('cost_' + d + '_c')}"
        )
    connection.execute(
        f"CREATE TABLE {schema}.lines_base AS SELECT s.* EXCLUDE (_bad), {', '.join(cost_columns)}, "
        "s._bad OR c.period IS NULL AS _check "
        f"FROM (SELECT *{f' EXCLUDE ({flags})' if flags else ''}, ({' OR '.join(failures)}) AS _bad "
        f"FROM (SELECT {typed} FROM {reader})) s LEFT JOIN unit_costs c "
        "ON s.sku = c.sku AND s.region = c.region AND date_trunc('month', s.date) = c.period"
    )
    n_lines, failed = connection.execute(f"SELECT count(*), coalesce(bool_or(_check), false) FROM {schema}.lines_base").fetchone()
    if n_lines == 0 or failed:
        return None
    return FastLoad(chosen, dimensions, int(n_lines))


def _views(connection: Any, schema: str, load: FastLoad) -> None:
    """``lines`` (what every query reads, as the reference loader's) and ``lines_units`` (with the unit costs)."""
    described = [row[0] for row in connection.execute(f"DESCRIBE {schema}.lines_base").fetchall()]
    base = [name for name in described if name != "_check" and not name.startswith("cost_")]
    costs = [_quote(f"cost_{d}_c") for d in load.drivers]
    connection.execute(
        f"CREATE OR REPLACE VIEW lines AS SELECT {', '.join(_quote(n) for n in base)}, "
        "strftime(date, '%Y-%m') AS month, "
        "strftime(date, '%Y') || '-Q' || CAST(quarter(date) AS VARCHAR) AS quarter, "
        f"CAST(year(date) AS VARCHAR) AS year, {', '.join(costs)} FROM {schema}.lines_base"
    )
    units = ", ".join(f"c.{_quote(d)} AS {_quote('unit_' + d + '_e4')}" for d in load.drivers)
    connection.execute(
        f"CREATE OR REPLACE VIEW lines_units AS SELECT l.*, {units} FROM lines l JOIN {schema}.unit_costs c "
        "ON l.sku = c.sku AND l.region = c.region AND date_trunc('month', l.date) = c.period"
    )


def load_fast(
    connection: Any, sales: Path, costs: Path, drivers: tuple[str, ...] | None, cache_dir: Path | None = None
) -> FastLoad | None:
    """Build (or open from the cache) the typed lines; ``None`` when the reference loader must take over.

    Leaves views ``lines`` and ``lines_units`` on ``connection``.
    """
    import duckdb

    if not sales.is_file() or not costs.is_file():
        return None
    entry = None
    if cache_dir is not None:
        entry = Path(cache_dir) / f"profit-{cache_key(sales, costs, drivers)}.duckdb"
        if entry.is_file():
            try:
                connection.execute(f"ATTACH {_literal(entry)} AS profit_cache (READ_ONLY)")
                meta = json.loads(connection.execute("SELECT value FROM profit_cache.meta").fetchone()[0])
                load = FastLoad(tuple(meta["drivers"]), tuple(meta["dimensions"]), meta["n_lines"], entry, True)
                _views(connection, "profit_cache", load)
                os.utime(entry)
                return load
            except (duckdb.Error, KeyError, ValueError, TypeError):
                connection.execute("DETACH DATABASE IF EXISTS profit_cache")
    try:
        load = _build(connection, "memory.main", sales, costs, drivers)
    except (duckdb.Error, InputError):
        return None
    if load is None:
        return None
    _views(connection, "memory.main", load)
    if entry is None or not _write_cache(connection, entry, load, sales, costs):
        return load
    _prune(entry.parent, keep=entry)
    return FastLoad(load.drivers, load.dimensions, load.n_lines, entry, False)


def _write_cache(connection: Any, entry: Path, load: FastLoad, sales: Path, costs: Path) -> bool:
    """Copy the checked tables (built in memory: faster than building them on disk) to a new cache entry,
    renamed into place once complete; ``False`` (and nothing left behind) if it cannot be written."""
    import duckdb

    temporary = entry.with_name(f".{entry.stem}.{os.getpid()}.tmp.duckdb")
    meta = {"drivers": load.drivers, "dimensions": load.dimensions, "n_lines": load.n_lines,
            "sales": str(sales), "costs": str(costs), "version": LOADER_VERSION}
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        connection.execute(f"ATTACH {_literal(temporary)} AS profit_build")
        connection.execute("CREATE TABLE profit_build.lines_base AS SELECT * FROM memory.main.lines_base")
        connection.execute("CREATE TABLE profit_build.unit_costs AS SELECT * EXCLUDE (_bad) FROM memory.main.unit_costs")
        connection.execute("CREATE TABLE profit_build.meta AS SELECT ? AS value", [json.dumps(meta)])
        connection.execute("DETACH profit_build")
        os.replace(temporary, entry)
        return True
    except (duckdb.Error, OSError):
        connection.execute("DETACH DATABASE IF EXISTS profit_build")
        return False
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _prune(directory: Path, keep: Path) -> None:
    """Keep the ``CACHE_ENTRIES`` most recently used entries."""
    entries = sorted(directory.glob("profit-*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in entries if p != keep][CACHE_ENTRIES - 1 :]:
        old.unlink(missing_ok=True)
