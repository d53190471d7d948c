"""Escalation's tables: units, incidents, report events seen, and the clocks (one row per deadline)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TypeAlias

import asyncpg

from services.escalation.domain.clocks import ClockRow
from services.escalation.domain.concealment import Seen

Conn: TypeAlias = asyncpg.Connection
CLOCK_COLUMNS = list(ClockRow.__dataclass_fields__)


@dataclass(frozen=True)
class Unit:
    unit_id: str
    level: str
    kind: str
    parent_id: str | None
    department_parent_id: str | None


@dataclass(frozen=True)
class Incident:
    incident_id: str
    unit_id: str
    policy: str
    clock_start: datetime
    reportable: bool
    grade: str | None
    closed_at: datetime | None


async def upsert_unit(conn: Conn, *, unit_id: str, name: str, level: str, kind: str, parent_id: str | None,
                      department_parent_id: str | None) -> None:
    await conn.execute(
        "INSERT INTO escalation.units VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (unit_id) DO UPDATE SET"
        " name = $2, level = $3, kind = $4, parent_id = $5, department_parent_id = $6",
        unit_id, name, level, kind, parent_id, department_parent_id)


async def unit(conn: Conn, unit_id: str) -> Unit | None:
    row = await conn.fetchrow("SELECT unit_id, level, kind, parent_id, department_parent_id"
                              " FROM escalation.units WHERE unit_id = $1", unit_id)
    return Unit(**dict(row)) if row else None


async def incident(conn: Conn, incident_id: str, *, lock: bool = False) -> Incident | None:
    row = await conn.fetchrow("SELECT incident_id, unit_id, policy, clock_start, reportable, grade, closed_at"
                              " FROM escalation.incidents WHERE incident_id = $1" + (" FOR UPDATE" if lock else ""),
                              incident_id)
    return Incident(**dict(row)) if row else None


async def add_incident(conn: Conn, i: Incident) -> bool:
    """True when the incident is new (a redelivery finds it already there)."""
    status = await conn.execute(
        "INSERT INTO escalation.incidents VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        i.incident_id, i.unit_id, i.policy, i.clock_start, i.reportable, i.grade, i.closed_at)
    return bool(status.endswith(" 1"))


async def set_grade(conn: Conn, incident_id: str, grade: str) -> None:
    await conn.execute("UPDATE escalation.incidents SET grade = $2 WHERE incident_id = $1", incident_id, grade)


async def close_incident(conn: Conn, incident_id: str, at: datetime, event_id: str) -> None:
    """A final report: the incident is closed and owes no more 续报."""
    await conn.execute("UPDATE escalation.incidents SET closed_at = $2 WHERE incident_id = $1 AND closed_at IS NULL",
                       incident_id, at)
    await conn.execute("UPDATE escalation.clocks SET state = 'fulfilled', closed_at = $2, closed_by = $3"
                       " WHERE incident_id = $1 AND kind = 'follow_up' AND state = 'open'", incident_id, at, event_id)


async def reopen_incident(conn: Conn, incident_id: str) -> None:
    """A report reopened the closed incident: it owes 续报 again."""
    await conn.execute("UPDATE escalation.incidents SET closed_at = NULL WHERE incident_id = $1", incident_id)


async def reopen_follow_up(conn: Conn, row: ClockRow) -> None:
    """Open a 续报 clock, or open again the one a final report closed (a fired one stays fired)."""
    await conn.execute(
        f"INSERT INTO escalation.clocks ({', '.join(CLOCK_COLUMNS)})"
        f" VALUES ({', '.join(f'${i + 1}' for i in range(len(CLOCK_COLUMNS)))}) ON CONFLICT (clock_id) DO UPDATE"
        " SET state = 'open', closed_at = NULL, closed_by = NULL, opened_by = EXCLUDED.opened_by"
        " WHERE escalation.clocks.state = 'fulfilled'", *asdict(row).values())


async def record_seen(conn: Conn, *, event_id: str, incident_id: str, type: str, at: datetime,
                      unit_id: str | None, report_id: str | None = None, to_unit_id: str | None = None,
                      report_channel: str | None = None, report_kind: str | None = None) -> bool:
    """``report_channel``: how the report went up (written, phone), as a submission or a forward states it."""
    status = await conn.execute(
        "INSERT INTO escalation.seen VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        event_id, incident_id, type, report_id, unit_id, to_unit_id, report_channel, report_kind, at)
    return bool(status.endswith(" 1"))


async def seen_of(conn: Conn, incident_ids: list[str]) -> dict[str, list[Seen]]:
    rows = await conn.fetch("SELECT event_id, incident_id, type, at, unit_id, report_id, to_unit_id"
                            " FROM escalation.seen WHERE incident_id = ANY($1::text[]) ORDER BY at", incident_ids)
    out: dict[str, list[Seen]] = {}
    for r in rows:
        out.setdefault(r["incident_id"], []).append(Seen(r["event_id"], r["type"], r["at"], r["unit_id"],
                                                         r["report_id"], r["to_unit_id"]))
    return out


async def forwards_and_phone_reports(conn: Conn, incident_id: str) -> list[asyncpg.Record]:
    """What may fulfil obligations opened after it arrived (e.g. by a regrading)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT event_id, type, unit_id, to_unit_id, at, report_channel FROM escalation.seen WHERE incident_id = $1"
        " AND (type = 'ReportForwarded' OR (type = 'ReportSubmitted' AND report_channel = 'phone')) ORDER BY at",
        incident_id)
    return rows


async def open_clocks(conn: Conn, rows: list[ClockRow]) -> None:
    """Insert clocks; one already there (a redelivery) is left as it is."""
    if not rows:
        return
    await conn.executemany(
        f"INSERT INTO escalation.clocks ({', '.join(CLOCK_COLUMNS)})"
        f" VALUES ({', '.join(f'${i + 1}' for i in range(len(CLOCK_COLUMNS)))}) ON CONFLICT DO NOTHING",
        [tuple(asdict(r).values()) for r in rows])


async def fulfil(conn: Conn, *, incident_id: str, unit_id: str, obligations: list[str], at: datetime,
                 event_id: str, to_unit_id: str | None = None, report_id: str | None = None) -> int:
    """Close the open clocks an act fulfils, only those whose deadline is still ahead of the act's time; an act on
    an incident linked as a duplicate fulfils its primary's clocks as well (linked incidents share obligations)."""
    status = await conn.execute(
        "UPDATE escalation.clocks SET state = 'fulfilled', closed_at = $4, closed_by = $5"
        " WHERE incident_id IN ($1, (SELECT primary_id FROM escalation.links WHERE duplicate_id = $1))"
        " AND unit_id = $2 AND obligation = ANY($3::text[]) AND state = 'open'"
        " AND kind IN ('late', 'missed', 'reminder') AND deadline_at > $4"
        " AND ($6::text IS NULL OR to_unit_id IS NULL OR to_unit_id = $6)"
        " AND ($7::text IS NULL OR report_id = $7)",
        incident_id, unit_id, obligations, at, event_id, to_unit_id, report_id)
    return int(status.split()[-1])


async def supersede(conn: Conn, *, incident_id: str, unit_id: str, obligations: list[str], keep: set[str],
                    at: datetime, event_id: str) -> None:
    """A regrading replaces the open clocks of the old grade's obligations that the new grade does not owe."""
    await conn.execute(
        "UPDATE escalation.clocks SET state = 'superseded', closed_at = $4, closed_by = $5"
        " WHERE incident_id = $1 AND unit_id = $2 AND obligation = ANY($3::text[]) AND state = 'open'"
        " AND kind IN ('late', 'missed', 'reminder') AND report_id IS NULL AND NOT clock_id = ANY($6::text[])",
        incident_id, unit_id, obligations, at, event_id, list(keep))


async def lock_due(conn: Conn, now: datetime, limit: int) -> list[ClockRow]:
    """Due clocks, locked for this transaction; other instances skip them (SKIP LOCKED)."""
    rows = await conn.fetch(
        f"SELECT {', '.join(CLOCK_COLUMNS)} FROM escalation.clocks WHERE state = 'open' AND due_at <= $1"
        " ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED", now, limit)
    return [ClockRow(**dict(r)) for r in rows]


async def close_follow_ups_of_closed_incidents(conn: Conn, clock_ids: list[str]) -> set[str]:
    """Due 续报 clocks whose incident a final report has closed: closed, never fired.

    The next 续报 is opened in the due loop's transaction, which can race a final report being
    applied at that moment; checking again when it falls due makes the race harmless.
    """
    rows = await conn.fetch(
        "UPDATE escalation.clocks c SET state = 'fulfilled', closed_at = i.closed_at, closed_by = 'final_report'"
        " FROM escalation.incidents i WHERE c.clock_id = ANY($1::text[]) AND c.kind = 'follow_up'"
        " AND i.incident_id = c.incident_id AND i.closed_at IS NOT NULL RETURNING c.clock_id", clock_ids)
    return {r["clock_id"] for r in rows}


async def mark_fired(conn: Conn, clock_ids: list[str], at: datetime) -> None:
    await conn.execute("UPDATE escalation.clocks SET state = 'fired', closed_at = $2, closed_by = 'escalation'"
                       " WHERE clock_id = ANY($1::text[])", clock_ids, at)


async def open_incidents(conn: Conn, incident_ids: list[str]) -> dict[str, Incident]:
    rows = await conn.fetch("SELECT incident_id, unit_id, policy, clock_start, reportable, grade, closed_at"
                            " FROM escalation.incidents WHERE incident_id = ANY($1::text[])", incident_ids)
    return {r["incident_id"]: Incident(**dict(r)) for r in rows}
