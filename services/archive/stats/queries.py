"""Read-only queries on the archive's event table (and its units projection) for the pages and the statistics."""

from __future__ import annotations

import json

import asyncpg

from services.archive.adapters.replay import EVENT_COLUMNS
from services.archive.domain.stored import StoredEvent
from services.archive.stats.domain import UnitInfo


async def load_units(pool: asyncpg.Pool) -> dict[str, UnitInfo]:
    """Every registered unit as its latest UnitRegistered says (the archive's ``units`` projection)."""
    rows = await pool.fetch("SELECT doc::text AS doc FROM archive.proj_units ORDER BY key")
    units = {}
    for r in rows:
        d = json.loads(r["doc"])
        units[d["unit_id"]] = UnitInfo(d["unit_id"], d.get("name", ""), d.get("kind"), d.get("level"),
                                       d.get("parent_id"), d.get("department_parent_id"))
    return units


async def events_after(pool: asyncpg.Pool, types: list[str], after: int,
                       limit: int | None = 200) -> list[StoredEvent]:
    """The stored events of ``types`` after position ``after``, in order; at most ``limit`` (None: all)."""
    rows = await pool.fetch(f"{EVENT_COLUMNS} WHERE type = ANY($1::text[]) AND position > $2 ORDER BY position"
                            " LIMIT $3", types, after, limit)
    return [StoredEvent.from_row(r["position"], r["recorded_at"], r["body"]) for r in rows]


async def head_position(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT coalesce(max(position), 0) FROM archive.events"))

