"""Read-only queries on the archive's event table for the pages and the statistics."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from services.archive.stats.domain import UnitInfo


async def load_units(pool: asyncpg.Pool) -> dict[str, UnitInfo]:
    """Every registered unit as its latest UnitRegistered says."""
    rows = await pool.fetch(
        "SELECT DISTINCT ON (data ->> 'unit_id') data::text AS data FROM archive.events"
        " WHERE type = 'UnitRegistered' ORDER BY data ->> 'unit_id', position DESC")
    units = {}
    for r in rows:
        d = json.loads(r["data"])
        units[d["unit_id"]] = UnitInfo(d["unit_id"], d.get("name", ""), d.get("kind"), d.get("level"),
                                       d.get("parent_id"), d.get("department_parent_id"))
    return units


async def incident_events(pool: asyncpg.Pool, incident_id: str) -> list[dict[str, Any]]:
    """The incident's events in store order (report, hop, breach and reminder events carry incident_id)."""
    rows = await pool.fetch(
        "SELECT position, recorded_at, type, body::jsonb ->> 'time' AS time, body::jsonb ->> 'actor' AS actor,"
        " data::text AS data FROM archive.events WHERE data ->> 'incident_id' = $1 ORDER BY position",
        incident_id)
    return [{"position": r["position"], "recorded_at": r["recorded_at"].isoformat(), "type": r["type"],
             "time": r["time"], "actor": r["actor"], "data": json.loads(r["data"])} for r in rows]


async def events_after(pool: asyncpg.Pool, types: list[str], after: int, limit: int = 200) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT position, type, recorded_at, data::text AS data FROM archive.events"
        " WHERE type = ANY($1::text[]) AND position > $2 ORDER BY position LIMIT $3", types, after, limit)
    return [{"position": r["position"], "type": r["type"], "recorded_at": r["recorded_at"].isoformat(),
             "data": json.loads(r["data"])} for r in rows]


async def head_position(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT coalesce(max(position), 0) FROM archive.events"))

