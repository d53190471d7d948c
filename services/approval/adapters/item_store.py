"""Approval's work-information tables (migration 003_items.sql). Every function takes the caller's connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.approval.adapters.store import Conn
from shared.events import ItemSubmitted, RequestIssued, UnitRegistered


@dataclass(frozen=True)
class KnownItem:
    item_id: str
    reporting_unit: str
    policy: str
    pack: str
    state: str
    steps_done: int


async def save_item(conn: Conn, data: ItemSubmitted, *, pack: str, event_id: str, submitted_by: str | None) -> None:
    """The item as intake submitted it; an item id seen before keeps its first row."""
    item = data.item
    await conn.execute(
        "INSERT INTO approval.items (item_id, reporting_unit, kind, title, classification, policy, pack, request_id,"
        " document, received_at, due_at, submitted_by, submitted_event_id)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
        data.item_id, item.reporting_unit, item.kind, item.title, item.classification, data.policy, pack,
        item.request_id, item.model_dump_json(), data.received_at, data.due_at, submitted_by, event_id)


async def item(conn: Conn, item_id: str, *, lock: bool = False) -> KnownItem | None:
    """The item; ``lock`` holds its row for the transaction, so actions on one item run one at a time."""
    r = await conn.fetchrow(
        "SELECT item_id, reporting_unit, policy, pack, state, steps_done FROM approval.items WHERE item_id = $1"
        + (" FOR UPDATE" if lock else ""), item_id)
    return KnownItem(**dict(r)) if r is not None else None


async def unit(conn: Conn, unit_id: str | None) -> UnitRegistered | None:
    if unit_id is None:
        return None
    r = await conn.fetchrow("SELECT unit_id, name, level, kind, parent_id, department_parent_id FROM approval.units"
                            " WHERE unit_id = $1", unit_id)
    return UnitRegistered(**dict(r)) if r is not None else None


async def known_units(conn: Conn, unit_ids: list[str]) -> set[str]:
    rows = await conn.fetch("SELECT unit_id FROM approval.units WHERE unit_id = ANY($1::text[])", unit_ids)
    return {r["unit_id"] for r in rows}


async def save_decision(conn: Conn, *, event_id: str, item_id: str, unit_id: str, step: int, approver: str, role: str,
                        decision: str, comment: str, final: bool, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO approval.item_decisions (event_id, item_id, unit_id, step, approver, role, decision, comment,"
        " final, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        event_id, item_id, unit_id, step, approver, role, decision, comment, final, at)


async def set_state(conn: Conn, item_id: str, *, state: str, steps_done: int, at: datetime) -> None:
    await conn.execute("UPDATE approval.items SET state = $2, steps_done = $3, decided_at = $4 WHERE item_id = $1",
                       item_id, state, steps_done, at)


async def reached(conn: Conn, item_id: str) -> set[str]:
    """The units the item was sent or forwarded to."""
    rows = await conn.fetch("SELECT DISTINCT to_unit_id FROM approval.item_forwards WHERE item_id = $1", item_id)
    return {r["to_unit_id"] for r in rows}


async def forwarded_from(conn: Conn, item_id: str, unit_id: str) -> bool:
    return bool(await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM approval.item_forwards WHERE item_id = $1 AND from_unit_id = $2"
        " AND channel = 'main')", item_id, unit_id))


async def save_forward(conn: Conn, *, event_id: str, item_id: str, from_unit_id: str, to_unit_id: str, channel: str,
                       by: str | None, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO approval.item_forwards (event_id, item_id, from_unit_id, to_unit_id, channel, by_subject,"
        " forwarded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        event_id, item_id, from_unit_id, to_unit_id, channel, by, at)


async def save_receipt(conn: Conn, *, item_id: str, unit_id: str, by: str, at: datetime,
                       event_id: str) -> tuple[datetime, bool]:
    """The receipt's time, and True when this call recorded it (False: it was already there)."""
    inserted = await conn.fetchval(
        "INSERT INTO approval.item_receipts (item_id, unit_id, by_subject, acknowledged_at, event_id)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING acknowledged_at",
        item_id, unit_id, by, at, event_id)
    if inserted is not None:
        return inserted, True
    first: datetime = await conn.fetchval(
        "SELECT acknowledged_at FROM approval.item_receipts WHERE item_id = $1 AND unit_id = $2", item_id, unit_id)
    return first, False


async def adoption(conn: Conn, adoption_id: str) -> dict[str, Any] | None:
    r = await conn.fetchrow("SELECT adoption_id, unit_id, publication, issue, level, by_subject AS by, adopted_at,"
                            " event_id FROM approval.item_adoptions WHERE adoption_id = $1", adoption_id)
    return dict(r) if r is not None else None


async def save_adoption(conn: Conn, *, adoption_id: str, item_id: str, unit_id: str, publication: str, issue: str,
                        level: str, by: str, at: datetime, event_id: str) -> None:
    await conn.execute(
        "INSERT INTO approval.item_adoptions (adoption_id, item_id, unit_id, publication, issue, level, by_subject,"
        " adopted_at, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        adoption_id, item_id, unit_id, publication, issue, level, by, at, event_id)


async def instruction_exists(conn: Conn, instruction_id: str) -> bool:
    return bool(await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM approval.item_instructions WHERE instruction_id = $1)", instruction_id))


async def save_instruction(conn: Conn, *, instruction_id: str, item_id: str, unit_id: str, level: str, text: str,
                           by: str, at: datetime, event_id: str) -> None:
    await conn.execute(
        "INSERT INTO approval.item_instructions (instruction_id, item_id, unit_id, level, text, by_subject, given_at,"
        " event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        instruction_id, item_id, unit_id, level, text, by, at, event_id)


async def request(conn: Conn, request_id: str) -> RequestIssued | None:
    r = await conn.fetchrow(
        "SELECT request_id, unit_id, to_units, topic, due_at, by_subject AS by, issued_at, classification"
        " FROM approval.item_requests WHERE request_id = $1", request_id)
    return RequestIssued.model_validate(dict(r)) if r is not None else None


async def save_request(conn: Conn, data: RequestIssued, *, event_id: str) -> bool:
    """True when this call recorded the request (False: its id was there already)."""
    return bool(await conn.fetchval(
        "INSERT INTO approval.item_requests (request_id, unit_id, to_units, topic, due_at, classification, by_subject,"
        " issued_at, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING true",
        data.request_id, data.unit_id, data.to_units, data.topic, data.due_at, data.classification, data.by,
        data.issued_at, event_id))

