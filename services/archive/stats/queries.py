"""Read-only queries on the archive's event table (and its units projection) for the pages and the statistics."""

from __future__ import annotations

import asyncpg

from services.archive.domain.stored import parse_json
from services.archive.stats.domain import UnitInfo


async def load_units(pool: asyncpg.Pool) -> dict[str, UnitInfo]:
    """Every registered unit as its latest UnitRegistered says (the archive's ``units`` projection)."""
    rows = await pool.fetch("SELECT doc::text AS doc FROM archive.proj_units ORDER BY key")
    units = {}
    for r in rows:
        d = parse_json(r["doc"])
        units[d["unit_id"]] = UnitInfo(d["unit_id"], d.get("name", ""), d.get("kind"), d.get("level"),
                                       d.get("parent_id"), d.get("department_parent_id"))
    return units


async def head_position(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT coalesce(max(position), 0) FROM archive.events"))

