"""Writing the facts: one row per fact, keyed by the fact's own id and by its event's id (a redelivered
event, or a second event stating the same fact, inserts nothing)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TypeAlias

import asyncpg

from shared.events import (
    DeadlineBreached,
    InstructionGiven,
    ItemAdopted,
    ItemApproved,
    ItemSubmitted,
    QuotaMissed,
    UnitRegistered,
)

Conn: TypeAlias = asyncpg.Connection


async def add_unit(conn: Conn, event_id: str, at: datetime, unit: UnitRegistered) -> None:
    await conn.execute(
        "INSERT INTO assessment.units (event_id, unit_id, name, level, kind, parent_id, department_parent_id,"
        " recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        event_id, unit.unit_id, unit.name, unit.level, unit.kind, unit.parent_id, unit.department_parent_id, at)


async def add_submission(conn: Conn, event_id: str, at: datetime, data: ItemSubmitted) -> None:
    item = data.item
    await conn.execute(
        "INSERT INTO assessment.submissions (item_id, event_id, unit_id, kind, policy, request_id, item, at,"
        " recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9) ON CONFLICT DO NOTHING",
        data.item_id, event_id, item.reporting_unit, item.kind, data.policy, item.request_id,
        json.dumps(item.model_dump(mode="json"), ensure_ascii=False), data.received_at, at)


async def add_approval(conn: Conn, event_id: str, at: datetime, data: ItemApproved) -> None:
    """With the item's kind from its submission (the quotas count by kind)."""
    await conn.execute(
        "INSERT INTO assessment.approvals (item_id, event_id, unit_id, kind, at, recorded_at)"
        " VALUES ($1, $2, $3, (SELECT kind FROM assessment.submissions WHERE item_id = $1), $4, $4)"
        " ON CONFLICT DO NOTHING", data.item_id, event_id, data.unit_id, at)


async def add_adoption(conn: Conn, event_id: str, at: datetime, data: ItemAdopted) -> None:
    await conn.execute(
        "INSERT INTO assessment.adoptions (adoption_id, event_id, item_id, author_unit_id, unit_id, publication,"
        " issue, level, at, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
        data.adoption_id, event_id, data.item_id, data.author_unit_id, data.unit_id, data.publication, data.issue,
        data.level, data.adopted_at, at)


async def add_instruction(conn: Conn, event_id: str, at: datetime, data: InstructionGiven) -> None:
    await conn.execute(
        "INSERT INTO assessment.instructions (instruction_id, event_id, item_id, author_unit_id, level, at,"
        " recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        data.instruction_id, event_id, data.item_id, data.author_unit_id, data.level, data.given_at, at)


async def add_missed_request(conn: Conn, event_id: str, at: datetime, data: DeadlineBreached) -> None:
    await conn.execute(
        "INSERT INTO assessment.missed_requests (breach_id, event_id, request_id, unit_id, at, recorded_at)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        data.breach_id, event_id, data.request_id, data.unit_id, data.deadline_at, at)


async def add_quota_miss(conn: Conn, event_id: str, at: datetime, data: QuotaMissed) -> None:
    await conn.execute(
        "INSERT INTO assessment.quota_misses (quota_id, event_id, unit_id, period, quota, counted, kinds, policy,"
        " recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        data.quota_id, event_id, data.unit_id, data.period, data.quota, data.counted, data.kinds, data.policy, at)
