"""Escalation's work-information tables: the items it has seen and their clocks (migration 003)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from services.escalation.adapters.repository import Conn, Unit
from services.escalation.domain.info_clocks import InfoClock

INFO_CLOCK_COLUMNS = list(InfoClock.__dataclass_fields__)


@dataclass(frozen=True)
class SeenItem:
    item_id: str
    unit_id: str
    kind: str | None
    request_id: str | None
    approved_at: datetime | None
    approved_by: str | None
    rejected_at: datetime | None
    rejected_by: str | None


async def record_submitted(conn: Conn, *, item_id: str, unit_id: str, kind: str, request_id: str | None,
                           submitted_by: str | None) -> None:
    """The item's writing unit, kind, request and drafter; a row an earlier decision made gets them too."""
    await conn.execute(
        "INSERT INTO escalation.items (item_id, unit_id, kind, request_id, submitted_by) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (item_id) DO UPDATE SET unit_id = $2, kind = $3, request_id = $4, submitted_by = $5"
        " WHERE escalation.items.kind IS NULL", item_id, unit_id, kind, request_id, submitted_by)


async def record_step(conn: Conn, *, item_id: str, unit_id: str, step: int) -> None:
    """A sign-off step approved, not the last: the item waits for the next (steps_done only grows)."""
    await conn.execute(
        "INSERT INTO escalation.items (item_id, unit_id, steps_done) VALUES ($1, $2, $3)"
        " ON CONFLICT (item_id) DO UPDATE SET steps_done = greatest(escalation.items.steps_done, $3)",
        item_id, unit_id, step)


async def signing(conn: Conn, item_id: str) -> tuple[str | None, int]:
    """Who submitted the item and how many of its sign-off steps are approved."""
    row = await conn.fetchrow("SELECT submitted_by, steps_done FROM escalation.items WHERE item_id = $1", item_id)
    return (row["submitted_by"], row["steps_done"]) if row else (None, 0)


async def record_approved(conn: Conn, *, item_id: str, unit_id: str, at: datetime, event_id: str) -> None:
    """The item's final sign-off (the first one kept: a redelivery changes nothing)."""
    await conn.execute(
        "INSERT INTO escalation.items (item_id, unit_id, approved_at, approved_by) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (item_id) DO UPDATE SET approved_at = $3, approved_by = $4"
        " WHERE escalation.items.approved_at IS NULL", item_id, unit_id, at, event_id)


async def record_rejected(conn: Conn, *, item_id: str, unit_id: str, at: datetime, event_id: str) -> None:
    await conn.execute(
        "INSERT INTO escalation.items (item_id, unit_id, rejected_at, rejected_by) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (item_id) DO UPDATE SET rejected_at = $3, rejected_by = $4"
        " WHERE escalation.items.rejected_at IS NULL", item_id, unit_id, at, event_id)


async def item(conn: Conn, item_id: str) -> SeenItem | None:
    row = await conn.fetchrow(f"SELECT {', '.join(SeenItem.__dataclass_fields__)} FROM escalation.items"
                              " WHERE item_id = $1", item_id)
    return SeenItem(**dict(row)) if row else None


async def first_approval(conn: Conn, *, request_id: str, unit_id: str) -> SeenItem | None:
    """The unit's earliest finally approved item naming the request."""
    row = await conn.fetchrow(
        f"SELECT {', '.join(SeenItem.__dataclass_fields__)} FROM escalation.items WHERE request_id = $1"
        " AND unit_id = $2 AND approved_at IS NOT NULL ORDER BY approved_at LIMIT 1", request_id, unit_id)
    return SeenItem(**dict(row)) if row else None


async def count_approved(conn: Conn, *, unit_id: str, start: datetime, end: datetime,
                         kinds: list[str] | None) -> int:
    """The unit's items whose final sign-off falls in [start, end), of ``kinds`` (None: every kind)."""
    counted: int = await conn.fetchval(
        "SELECT count(*) FROM escalation.items WHERE unit_id = $1 AND approved_at >= $2 AND approved_at < $3"
        " AND ($4::text[] IS NULL OR kind = ANY($4::text[]))", unit_id, start, end, kinds)
    return counted


async def lock_request(conn: Conn, request_id: str) -> None:
    """Serialises, until the transaction ends, the request's clocks being opened and the approvals that meet
    them: the two arrive on different partitions, possibly in two instances at once."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('escalation.request:' || $1, 0))", request_id)


async def open_clocks(conn: Conn, clocks: list[InfoClock]) -> None:
    """Insert clocks; one already there (a redelivery, a period already opened) is left as it is."""
    if not clocks:
        return
    await conn.executemany(
        f"INSERT INTO escalation.info_clocks ({', '.join(INFO_CLOCK_COLUMNS)})"
        f" VALUES ({', '.join(f'${i + 1}' for i in range(len(INFO_CLOCK_COLUMNS)))}) ON CONFLICT DO NOTHING",
        [tuple(asdict(c).values()) for c in clocks])


async def close_item_clocks(conn: Conn, *, item_id: str, state: str, at: datetime, event_id: str) -> None:
    """The item's due clock met (``fulfilled``) or ended (``ended``: rejected) by an act before its deadline."""
    await conn.execute(
        "UPDATE escalation.info_clocks SET state = $2, closed_at = $3, closed_by = $4"
        " WHERE item_id = $1 AND kind = 'item_due' AND state = 'open' AND deadline_at > $3",
        item_id, state, at, event_id)


async def fulfil_request(conn: Conn, *, request_id: str, unit_id: str, at: datetime, event_id: str) -> None:
    """The unit's clock for the request, met by an approval before its deadline."""
    await conn.execute(
        "UPDATE escalation.info_clocks SET state = 'fulfilled', closed_at = $3, closed_by = $4"
        " WHERE request_id = $1 AND unit_id = $2 AND kind = 'request' AND state = 'open' AND deadline_at > $3",
        request_id, unit_id, at, event_id)


async def end_other_quota_clocks(conn: Conn, *, unit_id: str, keep: list[str], now: datetime, event_id: str) -> None:
    """A unit re-registered under another kind or level: the quotas it no longer owes, still ahead, end."""
    await conn.execute(
        "UPDATE escalation.info_clocks SET state = 'ended', closed_at = $3, closed_by = $4"
        " WHERE unit_id = $1 AND kind = 'quota' AND state = 'open' AND deadline_at > $3"
        " AND NOT clock_id = ANY($2::text[])", unit_id, keep, now, event_id)


async def lock_due(conn: Conn, now: datetime, limit: int) -> list[InfoClock]:
    """Due clocks, locked for this transaction; other instances skip them (SKIP LOCKED)."""
    rows = await conn.fetch(
        f"SELECT {', '.join(INFO_CLOCK_COLUMNS)} FROM escalation.info_clocks WHERE state = 'open' AND due_at <= $1"
        " ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED", now, limit)
    return [InfoClock(**dict(r)) for r in rows]


async def close_due(conn: Conn, closed: list[tuple[str, str, int | None]], at: datetime) -> None:
    """Clocks the due loop handled: (clock id, ``fired`` or ``fulfilled`` (a quota met), the count)."""
    await conn.executemany(
        "UPDATE escalation.info_clocks SET state = $2, counted = $3, closed_at = $4, closed_by = 'escalation'"
        " WHERE clock_id = $1", [(*c, at) for c in closed])


async def units(conn: Conn, unit_ids: list[str] | None = None) -> list[Unit]:
    """Units of the directory (``unit_ids``; None: all of them)."""
    rows = await conn.fetch("SELECT unit_id, level, kind, parent_id, department_parent_id FROM escalation.units"
                            " WHERE $1::text[] IS NULL OR unit_id = ANY($1::text[]) ORDER BY unit_id", unit_ids)
    return [Unit(**dict(r)) for r in rows]
