"""Reads the documents need beyond the scores: the unit tree (whom an office assesses) and an issue's items."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import asyncpg

#: Every unit under ``$1`` (by parent or superior department), as the directory stood at ``$2``.
SUBORDINATES = """
WITH RECURSIVE latest AS (
    SELECT DISTINCT ON (unit_id) unit_id, parent_id, department_parent_id FROM assessment.units
    WHERE recorded_at <= $2 ORDER BY unit_id, recorded_at DESC
), under(unit_id) AS (
    SELECT unit_id FROM latest WHERE parent_id = $1 OR department_parent_id = $1
    UNION
    SELECT l.unit_id FROM latest l JOIN under u ON l.parent_id = u.unit_id OR l.department_parent_id = u.unit_id
)
SELECT unit_id FROM under"""

UNIT_NAME = """
SELECT name FROM assessment.units WHERE unit_id = $1 AND recorded_at <= $2 ORDER BY recorded_at DESC LIMIT 1"""

#: The items one unit's editors adopted into one issue of one publication, in the order adopted.
ISSUE_ITEMS = """
SELECT a.item_id, a.author_unit_id, a.at, s.item, w.name AS writing_unit_name
FROM assessment.adoptions a
JOIN assessment.submissions s ON s.item_id = a.item_id
LEFT JOIN LATERAL (SELECT name FROM assessment.units u WHERE u.unit_id = a.author_unit_id
                   ORDER BY recorded_at DESC LIMIT 1) w ON true
WHERE a.unit_id = $1 AND a.publication = $2 AND a.issue = $3 AND a.recorded_at <= $4
ORDER BY a.at, a.adoption_id"""


async def subordinates(conn: asyncpg.Connection, unit_id: str, as_of: datetime) -> set[str]:
    return {r["unit_id"] for r in await conn.fetch(SUBORDINATES, unit_id, as_of)}


async def unit_name(conn: asyncpg.Connection, unit_id: str, as_of: datetime) -> str | None:
    name: str | None = await conn.fetchval(UNIT_NAME, unit_id, as_of)
    return name


async def issue_items(conn: asyncpg.Connection, unit_id: str, publication: str, issue: str,
                      as_of: datetime) -> list[dict[str, Any]]:
    """Each adopted item of the issue: ``item`` (as submitted), ``writing_unit_name``, ``adopted_at``."""
    return [{"item_id": r["item_id"], "item": json.loads(r["item"]), "author_unit_id": r["author_unit_id"],
             "writing_unit_name": r["writing_unit_name"] or r["author_unit_id"], "adopted_at": r["at"]}
            for r in await conn.fetch(ISSUE_ITEMS, unit_id, publication, issue, as_of)]
