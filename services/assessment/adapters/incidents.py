"""The incident statistics' read models: writing each fact (insert-only, idempotent) and counting them back
per unit and Shanghai month by SQL (definitions: ``shared.incident_stats.figures``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TypeAlias

import asyncpg

from shared.events import DeadlineBreached, Obligation, ReportForwarded, ReportSubmitted
from shared.incident_stats.figures import Counts, zero

Conn: TypeAlias = asyncpg.Connection

#: The Shanghai month an instant falls in, as ``YYYY-MM`` (the zone the archive's fold uses too).
MONTH = "to_char({column} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"


def _month(column: str) -> str:
    return MONTH.format(column=column)


async def add_report(conn: Conn, event_id: str, data: ReportSubmitted) -> None:
    await conn.execute(
        "INSERT INTO assessment.incident_reports (report_id, event_id, unit_id, at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT DO NOTHING", data.report_id, event_id, data.report.reporting_unit, data.received_at)


async def add_duties(conn: Conn, event_id: str, incident_id: str, obligations: list[Obligation]) -> None:
    """The first obligation stated for an incident and unit stays (a later one inserts nothing)."""
    await conn.executemany(
        "INSERT INTO assessment.written_duties (incident_id, unit_id, event_id, to_unit_id, late_at)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        [(incident_id, ob.unit_id, event_id, ob.to_unit_id, ob.late_at) for ob in obligations])


async def add_forward(conn: Conn, event_id: str, at: datetime, data: ReportForwarded) -> None:
    await conn.execute(
        "INSERT INTO assessment.incident_forwards (event_id, incident_id, from_unit_id, to_unit_id, at)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        event_id, data.incident_id, data.from_unit_id, data.to_unit_id, at)


async def add_breach(conn: Conn, event_id: str, data: DeadlineBreached) -> None:
    await conn.execute(
        "INSERT INTO assessment.incident_breaches (breach_id, event_id, incident_id, unit_id, kind, deadline_at)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        data.breach_id, event_id, data.incident_id, data.unit_id, data.kind, data.deadline_at)


REPORTS = f"""
SELECT unit_id, {_month("at")} AS month, count(*) AS reports, 0 AS on_time, 0 AS late, 0 AS missed
FROM assessment.incident_reports WHERE at >= $1 AND at < $2 GROUP BY 1, 2"""

#: Obligations with a late_at in the range: missed (a missed breach), late (a late one only), on time (no
#: breach, forwarded to its to_unit_id by late_at); open ones are not counted.
DUTIES = f"""
SELECT d.unit_id, {_month("d.late_at")} AS month, 0 AS reports,
       count(*) FILTER (WHERE b.missed IS NULL AND EXISTS (
           SELECT 1 FROM assessment.incident_forwards f
           WHERE f.incident_id = d.incident_id AND f.from_unit_id = d.unit_id AND f.at <= d.late_at
             AND (d.to_unit_id IS NULL OR f.to_unit_id = d.to_unit_id))) AS on_time,
       count(*) FILTER (WHERE b.late AND NOT b.missed) AS late,
       count(*) FILTER (WHERE b.missed) AS missed
FROM assessment.written_duties d
LEFT JOIN LATERAL (
    SELECT bool_or(x.kind = 'missed') AS missed, bool_or(x.kind = 'late') AS late
    FROM assessment.incident_breaches x WHERE x.incident_id = d.incident_id AND x.unit_id = d.unit_id) b ON true
WHERE d.late_at >= $1 AND d.late_at < $2 GROUP BY 1, 2"""

#: Obligations known only from their breaches (or stated without a late_at): counted in the month of the late
#: breach's deadline, else of the first breach's — so only breaches with a deadline in the range can count.
BREACH_ONLY = f"""
WITH keys AS (
    SELECT DISTINCT incident_id, unit_id FROM assessment.incident_breaches WHERE deadline_at >= $1 AND deadline_at < $2)
SELECT k.unit_id, {_month("o.at")} AS month, 0 AS reports, 0 AS on_time,
       count(*) FILTER (WHERE NOT o.missed) AS late, count(*) FILTER (WHERE o.missed) AS missed
FROM keys k
CROSS JOIN LATERAL (
    SELECT bool_or(x.kind = 'missed') AS missed,
           coalesce(max(x.deadline_at) FILTER (WHERE x.kind = 'late'), min(x.deadline_at)) AS at
    FROM assessment.incident_breaches x WHERE x.incident_id = k.incident_id AND x.unit_id = k.unit_id) o
WHERE o.at >= $1 AND o.at < $2 AND NOT EXISTS (
    SELECT 1 FROM assessment.written_duties d
    WHERE d.incident_id = k.incident_id AND d.unit_id = k.unit_id AND d.late_at IS NOT NULL)
GROUP BY 1, 2"""


async def counts(conn: Conn, start: datetime, end: datetime) -> dict[str, Counts]:
    """month (``YYYY-MM``) → unit id → its figures, for the instants [start, end) (whole Shanghai months)."""
    found: dict[str, Counts] = defaultdict(dict)
    for sql in (REPORTS, DUTIES, BREACH_ONLY):
        for row in await conn.fetch(sql, start, end):
            figures = found[row["month"]].setdefault(row["unit_id"], zero())
            for key in figures:
                figures[key] += row[key]
    return dict(found)
