"""Integer minor units to Decimal and back, and rounding a set of exact amounts to cents without losing a cent."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

__all__ = ["cents", "fetch_exact", "from_cents", "from_milli", "round_preserving_total"]


def from_cents(value: int | None) -> Decimal | None:
    """``1234`` -> ``Decimal('12.34')``.

    >>> from_cents(-5)
    Decimal('-0.05')
    """
    return None if value is None else Decimal(int(value)).scaleb(-2)


def from_milli(value: int | None) -> Decimal | None:
    """Thousandths of a unit to a Decimal without trailing zeros for whole numbers.

    >>> from_milli(12000), from_milli(1500)
    (Decimal('12'), Decimal('1.5'))
    """
    if value is None:
        return None
    whole, rest = divmod(int(value), 1000)
    return Decimal(whole) if rest == 0 else Decimal(int(value)).scaleb(-3).normalize()


def cents(value: Fraction | Decimal | int) -> int:
    """An exact amount in currency units rounded to the nearest cent, halves away from zero.

    >>> cents(Fraction(1, 8)), cents(Decimal("-0.125"))
    (13, -13)
    """
    scaled = Fraction(value) * 100
    rounded = abs(scaled.numerator) * 2 + scaled.denominator
    return (1 if scaled >= 0 else -1) * (rounded // (2 * scaled.denominator))


def round_preserving_total(values: Iterable[Fraction]) -> list[int]:
    """Round exact amounts to cents so that the cents add up to the rounded exact total (largest remainder).

    Each amount moves by less than one cent from its exact value; the leftover cents go to the amounts whose
    rounding lost the most.

    >>> round_preserving_total([Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)])
    [34, 33, 33]
    """
    exact = [Fraction(v) * 100 for v in values]
    floors = [v.numerator // v.denominator for v in exact]
    target = cents(sum(exact, Fraction(0)) / 100)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    result = floors[:]
    for i in order[: target - sum(floors)]:
        result[i] += 1
    return result


def fetch_exact(connection: Any, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of ``sql`` whose ``{int}`` casts are ``BIGINT`` (fast to fetch), or ``HUGEINT`` if a sum overflows it.

    >>> import duckdb
    >>> fetch_exact(duckdb.connect(), "SELECT CAST(sum(x) AS {int}) FROM (VALUES (9223372036854775807), (1)) t(x)")
    [(9223372036854775808,)]
    """
    import duckdb

    try:
        return connection.execute(sql.replace("{int}", "BIGINT"), params or []).fetchall()
    except (duckdb.ConversionException, duckdb.OutOfRangeException):
        return connection.execute(sql.replace("{int}", "HUGEINT"), params or []).fetchall()
