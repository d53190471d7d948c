"""Reading the facts back as aggregates: per unit, per Beijing month, counted by PostgreSQL.

Every query takes the instants [start, end) the facts are counted in and ``as_of``: only facts whose event
was recorded by then (``recorded_at <= as_of``) count, so a score can be taken again as it stood at any time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import asyncpg

from services.assessment.domain.scoring import MonthFigures, UnitInfo
from shared.periods import Period

#: The Beijing month an instant falls in (an interval, not a zone name: ISO sign, no tz database needed).
MONTH = "date_trunc('month', {column} AT TIME ZONE INTERVAL '+08:00')"
Figures = dict[str, dict[Period, MonthFigures]]


def _month(column: str) -> str:
    return MONTH.format(column=column)


SUBMITTED = f"""
SELECT unit_id, {_month("at")} AS month, count(*) AS n FROM assessment.submissions
WHERE at >= $1 AND at < $2 AND recorded_at <= $3 GROUP BY 1, 2"""

APPROVED = f"""
SELECT unit_id, {_month("at")} AS month, kind, count(*) AS n FROM assessment.approvals
WHERE at >= $1 AND at < $2 AND recorded_at <= $3 GROUP BY 1, 2, 3"""

ADOPTED = f"""
SELECT author_unit_id AS unit_id, {_month("at")} AS month, level, publication, count(*) AS n
FROM assessment.adoptions WHERE at >= $1 AND at < $2 AND recorded_at <= $3 GROUP BY 1, 2, 3, 4"""

INSTRUCTED = f"""
SELECT author_unit_id AS unit_id, {_month("at")} AS month, level, count(*) AS n FROM assessment.instructions
WHERE at >= $1 AND at < $2 AND recorded_at <= $3 GROUP BY 1, 2, 3"""

MISSED = f"""
SELECT unit_id, {_month("at")} AS month, count(*) AS n FROM assessment.missed_requests
WHERE at >= $1 AND at < $2 AND recorded_at <= $3 GROUP BY 1, 2"""

UNITS = """
SELECT DISTINCT ON (unit_id) unit_id, name, kind, level FROM assessment.units
WHERE recorded_at <= $1 ORDER BY unit_id, recorded_at DESC"""

QUOTA_MISSES = """
SELECT unit_id, period, quota, counted, kinds, policy FROM assessment.quota_misses
WHERE period = ANY($1::text[]) AND recorded_at <= $2 ORDER BY unit_id, period"""


def _add_submitted(f: MonthFigures, row: asyncpg.Record) -> None:
    f.submitted += row["n"]


def _add_approved(f: MonthFigures, row: asyncpg.Record) -> None:
    f.approved[row["kind"]] += row["n"]


def _add_adopted(f: MonthFigures, row: asyncpg.Record) -> None:
    f.adoptions[(row["level"], row["publication"])] += row["n"]


def _add_instructed(f: MonthFigures, row: asyncpg.Record) -> None:
    f.instructions[row["level"]] += row["n"]


def _add_missed(f: MonthFigures, row: asyncpg.Record) -> None:
    f.requests_missed += row["n"]


#: Each aggregate and what its rows add to a unit's month.
QUERIES: tuple[tuple[str, Callable[[MonthFigures, asyncpg.Record], None]], ...] = (
    (SUBMITTED, _add_submitted), (APPROVED, _add_approved), (ADOPTED, _add_adopted),
    (INSTRUCTED, _add_instructed), (MISSED, _add_missed))


async def monthly_figures(conn: asyncpg.Connection, period: Period, as_of: datetime) -> Figures:
    """unit id → month → what the unit did in that month of ``period``, as recorded by ``as_of``."""
    figures: Figures = defaultdict(dict)
    for sql, add in QUERIES:
        for row in await conn.fetch(sql, period.start, period.end, as_of):
            month: datetime = row["month"]
            key = Period(month.year, "month", month.month)
            add(figures[row["unit_id"]].setdefault(key, MonthFigures()), row)
    return dict(figures)


async def units(conn: asyncpg.Connection, as_of: datetime) -> dict[str, UnitInfo]:
    """Every unit registered by ``as_of``, as its latest registration then described it."""
    return {r["unit_id"]: UnitInfo(r["unit_id"], r["name"], r["kind"], r["level"])
            for r in await conn.fetch(UNITS, as_of)}


async def quota_misses(conn: asyncpg.Connection, periods: Iterable[Period], as_of: datetime
                       ) -> dict[str, list[dict[str, Any]]]:
    """unit id → the QuotaMissed facts of ``periods`` recorded by ``as_of``."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in await conn.fetch(QUOTA_MISSES, [p.name for p in periods], as_of):
        found[r["unit_id"]].append({"period": r["period"], "quota": r["quota"], "counted": r["counted"],
                                    "kinds": r["kinds"], "policy": r["policy"]})
    return dict(found)
