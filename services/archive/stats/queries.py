"""Read-only queries on the archive's event table (and its units projection) for the pages and the statistics."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

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


async def events_after(pool: asyncpg.Pool, types: list[str], after: int, limit: int = 200) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT position, type, recorded_at, ((body::jsonb) -> 'data')::text AS data FROM archive.events"
        " WHERE type = ANY($1::text[]) AND position > $2 ORDER BY position LIMIT $3", types, after, limit)
    return [{"position": r["position"], "type": r["type"], "recorded_at": r["recorded_at"].isoformat(),
             "data": json.loads(r["data"])} for r in rows]


async def head_position(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT coalesce(max(position), 0) FROM archive.events"))

