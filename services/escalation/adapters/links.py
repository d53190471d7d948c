"""Escalation's side of linked incidents (migration 004): the links, the duplicate's clocks, and the breaches
of a duplicate to announce as superseded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.escalation.adapters.repository import Conn


@dataclass(frozen=True)
class Superseded:
    breach_id: str
    incident_id: str
    primary_id: str
    link_id: str
    unit_id: str
    obligation: str
    kind: str
    policy: str
    superseded_at: datetime


async def add_link(conn: Conn, *, duplicate_id: str, primary_id: str, link_id: str, at: datetime) -> bool:
    """True when the link is new (a redelivery finds it there)."""
    status = await conn.execute("INSERT INTO escalation.links VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                                duplicate_id, primary_id, link_id, at)
    return bool(status.endswith(" 1"))


async def supersede_open_clocks(conn: Conn, incident_id: str, *, at: datetime, event_id: str) -> None:
    """Every open clock of the duplicate: its obligations are the primary's now. A clock the due loop is firing
    at this moment is locked: this waits for it, and it is then fired, not open (``fired_breaches`` finds it)."""
    await conn.execute("UPDATE escalation.clocks SET state = 'superseded', closed_at = $2, closed_by = $3"
                       " WHERE incident_id = $1 AND state = 'open'", incident_id, at, event_id)


async def supersede_fired_breaches(conn: Conn, *, duplicate_id: str, primary_id: str, link_id: str,
                                   at: datetime) -> None:
    """Queue a BreachSuperseded for every breach already raised on the duplicate (once each)."""
    await conn.execute(
        "INSERT INTO escalation.superseded_breaches (breach_id, incident_id, primary_id, link_id, unit_id,"
        " obligation, kind, policy, superseded_at)"
        " SELECT clock_id, incident_id, $2, $3, unit_id, obligation, kind, policy, $4 FROM escalation.clocks"
        " WHERE incident_id = $1 AND state = 'fired' AND kind IN ('late', 'missed') ON CONFLICT DO NOTHING",
        duplicate_id, primary_id, link_id, at)


async def supersede_due_of_duplicates(conn: Conn, clock_ids: list[str], at: datetime) -> set[str]:
    """Due clocks of an incident linked as a duplicate (opened after the link, e.g. by its own later report):
    superseded, never fired."""
    rows = await conn.fetch(
        "UPDATE escalation.clocks c SET state = 'superseded', closed_at = $2, closed_by = 'link'"
        " FROM escalation.links l WHERE c.clock_id = ANY($1::text[]) AND l.duplicate_id = c.incident_id"
        " RETURNING c.clock_id", clock_ids, at)
    return {r["clock_id"] for r in rows}


async def lock_unannounced(conn: Conn, limit: int) -> list[Superseded]:
    rows = await conn.fetch(
        "SELECT breach_id, incident_id, primary_id, link_id, unit_id, obligation, kind, policy, superseded_at"
        " FROM escalation.superseded_breaches WHERE NOT published ORDER BY superseded_at LIMIT $1"
        " FOR UPDATE SKIP LOCKED", limit)
    return [Superseded(**dict(r)) for r in rows]


async def mark_announced(conn: Conn, breach_ids: list[str]) -> None:
    await conn.execute("UPDATE escalation.superseded_breaches SET published = true WHERE breach_id = ANY($1::text[])",
                       breach_ids)
