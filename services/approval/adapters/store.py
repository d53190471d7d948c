"""Approval's tables in PostgreSQL. Every function takes the connection of the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg

from services.approval.domain.signoff import Entry
from shared.events import Grade, UnitRegistered

#: A connection inside the caller's transaction (a pool proxy or a plain connection).
Conn: TypeAlias = "asyncpg.Connection[Any] | asyncpg.pool.PoolConnectionProxy[Any]"


@dataclass(frozen=True)
class KnownReport:
    report_id: str
    incident_id: str
    reporting_unit: str
    channel: str
    grade: Grade | None
    reportable: bool
    policy: str | None
    pack: str
    submitted_by: str | None


async def first_time(conn: Conn, event_id: str, event_type: str) -> bool:
    """Record a consumed event; False when it was handled before (a redelivery)."""
    done = await conn.fetchval(
        "INSERT INTO approval.processed (event_id, type) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING true",
        event_id, event_type)
    return bool(done)


async def save_unit(conn: Conn, unit: UnitRegistered, event_id: str) -> None:
    await conn.execute(
        "INSERT INTO approval.units (unit_id, name, level, kind, parent_id, department_parent_id, event_id)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (unit_id) DO UPDATE SET name = $2, level = $3,"
        " kind = $4, parent_id = $5, department_parent_id = $6, event_id = $7, updated_at = now()",
        unit.unit_id, unit.name, unit.level, unit.kind, unit.parent_id, unit.department_parent_id, event_id)


async def units_around(conn: Conn, unit_id: str) -> dict[str, UnitRegistered]:
    """The unit, its parents and grandparents on both channels: all a forward needs to know."""
    rows = await conn.fetch(
        "WITH RECURSIVE up(unit_id, depth) AS (SELECT $1::text, 0 UNION"
        " SELECT p.id, up.depth + 1 FROM up JOIN approval.units u ON u.unit_id = up.unit_id,"
        " LATERAL (VALUES (u.parent_id), (u.department_parent_id)) AS p(id) WHERE p.id IS NOT NULL AND up.depth < 2)"
        " SELECT DISTINCT u.* FROM approval.units u JOIN up ON up.unit_id = u.unit_id", unit_id)
    return {r["unit_id"]: UnitRegistered(
        unit_id=r["unit_id"], name=r["name"], level=r["level"], kind=r["kind"], parent_id=r["parent_id"],
        department_parent_id=r["department_parent_id"]) for r in rows}


async def save_report(conn: Conn, **row: Any) -> None:
    columns = ", ".join(row)
    params = ", ".join(f"${i}" for i in range(1, len(row) + 1))
    await conn.execute(f"INSERT INTO approval.reports ({columns}) VALUES ({params}) ON CONFLICT DO NOTHING",
                       *row.values())


async def report(conn: Conn, report_id: str) -> KnownReport | None:
    r = await conn.fetchrow(
        "SELECT report_id, incident_id, reporting_unit, channel, grade, reportable, policy, pack, submitted_by"
        " FROM approval.reports WHERE report_id = $1", report_id)
    return KnownReport(**dict(r)) if r is not None else None


async def entry(conn: Conn, report_id: str, unit_id: str | None, *, lock: bool = False) -> Entry | None:
    if unit_id is None:
        return None
    r = await conn.fetchrow(
        "SELECT report_id, unit_id, kind, via, state, steps_done FROM approval.queue"
        " WHERE report_id = $1 AND unit_id = $2"
        + (" FOR UPDATE" if lock else ""), report_id, unit_id)
    return Entry(**dict(r)) if r is not None else None


async def add_entry(conn: Conn, *, report_id: str, unit_id: str, kind: str, via: str, from_unit_id: str | None,
                    at: datetime) -> None:
    """A report reaches a unit's queue; a unit reached twice keeps its first entry."""
    state = "pending" if kind == "sign_off" else "delivered"
    await conn.execute(
        "INSERT INTO approval.queue (report_id, unit_id, kind, via, from_unit_id, state, arrived_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        report_id, unit_id, kind, via, from_unit_id, state, at)


async def set_state(conn: Conn, report_id: str, unit_id: str, state: str, at: datetime,
                    steps_done: int | None = None) -> None:
    """The entry's state (and, given, how many sign-off steps are decided there)."""
    await conn.execute("UPDATE approval.queue SET state = $3, decided_at = $4, steps_done = coalesce($5, steps_done)"
                       " WHERE report_id = $1 AND unit_id = $2", report_id, unit_id, state, at, steps_done)


async def supersede(conn: Conn, report_id: str, unit_id: str, at: datetime) -> None:
    """A corrected report replaces one still waiting in the same unit."""
    await conn.execute(
        "UPDATE approval.queue SET state = 'superseded', decided_at = $3"
        " WHERE report_id = $1 AND unit_id = $2 AND (state = 'pending' OR state LIKE 'awaiting\\_%')",
        report_id, unit_id, at)


async def save_decision(conn: Conn, **row: Any) -> None:
    columns = ", ".join(row)
    params = ", ".join(f"${i}" for i in range(1, len(row) + 1))
    await conn.execute(f"INSERT INTO approval.decisions ({columns}) VALUES ({params}) ON CONFLICT DO NOTHING",
                       *row.values())


async def save_forward(conn: Conn, *, event_id: str, report_id: str, from_unit_id: str, to_unit_id: str,
                       channel: str, emergency: bool, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO approval.forwards (event_id, report_id, from_unit_id, to_unit_id, channel, emergency,"
        " forwarded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        event_id, report_id, from_unit_id, to_unit_id, channel, emergency, at)


async def save_receipt(conn: Conn, *, report_id: str, unit_id: str, by: str, at: datetime,
                       event_id: str) -> tuple[datetime, bool]:
    """The receipt's time, and True when this call recorded it (False: it was already there)."""
    inserted = await conn.fetchval(
        "INSERT INTO approval.receipts (report_id, unit_id, by_subject, acknowledged_at, event_id)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING acknowledged_at",
        report_id, unit_id, by, at, event_id)
    if inserted is not None:
        return inserted, True
    first: datetime = await conn.fetchval(
        "SELECT acknowledged_at FROM approval.receipts WHERE report_id = $1 AND unit_id = $2", report_id, unit_id)
    return first, False


async def waiting_phone_reports(conn: Conn, unit_id: str) -> list[str]:
    """Phone reports of a unit that could not be forwarded while the unit was unknown."""
    rows = await conn.fetch(
        "SELECT q.report_id FROM approval.queue q JOIN approval.reports r USING (report_id)"
        " WHERE q.unit_id = $1 AND q.via = 'submitted' AND q.state = 'pending' AND r.channel = 'phone'"
        " ORDER BY q.arrived_at", unit_id)
    return [r["report_id"] for r in rows]
