"""Read models of work information for the HTTP API: one item with its history, and a unit's item queue."""

from __future__ import annotations

import json
from typing import Any

from services.approval.adapters.store import Conn

ITEM = """
SELECT i.item_id, i.document::text AS document, i.policy, i.pack, i.received_at, i.due_at, i.state, i.steps_done,
       i.decided_at, i.classification
FROM approval.items i WHERE i.item_id = $1
"""

DECISIONS = """
SELECT step, unit_id, approver, role, decision, comment, final, decided_at, event_id
FROM approval.item_decisions WHERE item_id = $1 ORDER BY step
"""

REACHED = """
SELECT f.to_unit_id AS unit_id, f.from_unit_id, f.channel, f.by_subject AS by, f.forwarded_at,
       rc.acknowledged_at, rc.by_subject AS acknowledged_by
FROM approval.item_forwards f
LEFT JOIN approval.item_receipts rc ON rc.item_id = f.item_id AND rc.unit_id = f.to_unit_id
WHERE f.item_id = $1 ORDER BY f.forwarded_at, f.to_unit_id
"""

ADOPTIONS = """
SELECT adoption_id, unit_id, publication, issue, level, by_subject AS by, adopted_at
FROM approval.item_adoptions WHERE item_id = $1 ORDER BY adopted_at, adoption_id
"""

INSTRUCTIONS = """
SELECT instruction_id, unit_id, level, text, by_subject AS by, given_at
FROM approval.item_instructions WHERE item_id = $1 ORDER BY given_at, instruction_id
"""

#: Items written by the unit or sent to it (its first arrival there), with what the unit still has to do.
QUEUE = """
WITH here AS (
    SELECT i.item_id, 'submitted' AS via, NULL::text AS from_unit_id, i.received_at AS arrived_at
    FROM approval.items i WHERE i.reporting_unit = $1
    UNION ALL
    SELECT * FROM (SELECT DISTINCT ON (f.item_id) f.item_id, f.channel, f.from_unit_id, f.forwarded_at
                   FROM approval.item_forwards f WHERE f.to_unit_id = $1
                   ORDER BY f.item_id, f.forwarded_at) AS sent
), listed AS (
    SELECT h.*, i.reporting_unit, i.kind, i.title, i.classification, i.policy, i.pack, i.request_id, i.received_at,
           i.due_at, i.state, i.steps_done, rc.acknowledged_at,
           coalesce((SELECT array_agg(a.publication ORDER BY a.adopted_at) FROM approval.item_adoptions a
                     WHERE a.item_id = h.item_id AND a.unit_id = $1), '{}') AS adopted_here,
           (h.via <> 'submitted' AND EXISTS (SELECT 1 FROM approval.item_forwards f WHERE f.item_id = h.item_id
                                             AND f.from_unit_id = $1 AND f.channel = 'main')) AS forwarded_here
    FROM here h JOIN approval.items i USING (item_id)
    LEFT JOIN approval.item_receipts rc ON rc.item_id = h.item_id AND rc.unit_id = $1
)
SELECT * FROM listed
WHERE $2 OR (via = 'submitted' AND state = 'pending')
   OR (via <> 'submitted' AND (acknowledged_at IS NULL OR (cardinality(adopted_here) = 0 AND NOT forwarded_here)))
ORDER BY arrived_at {order}, item_id LIMIT $3
"""


def _iso(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}


async def item(conn: Conn, item_id: str) -> dict[str, Any] | None:
    """The item as submitted, its state, decisions, where it reached, adoptions and instructions (raw rows)."""
    row = await conn.fetchrow(ITEM, item_id)
    if row is None:
        return None
    found = dict(row)
    found["document"] = json.loads(found["document"])
    found["decisions"] = [_iso(dict(r)) for r in await conn.fetch(DECISIONS, item_id)]
    found["reached"] = [_iso(dict(r)) for r in await conn.fetch(REACHED, item_id)]
    found["adoptions"] = [_iso(dict(r)) for r in await conn.fetch(ADOPTIONS, item_id)]
    found["instructions"] = [_iso(dict(r)) for r in await conn.fetch(INSTRUCTIONS, item_id)]
    return found


async def queue(conn: Conn, unit_id: str, *, everything: bool, limit: int) -> list[dict[str, Any]]:
    """What waits for the unit (``everything``: all it wrote or received, newest first)."""
    sql = QUEUE.replace("{order}", "DESC" if everything else "ASC")
    rows = await conn.fetch(sql, unit_id, everything, limit)
    return [_iso({**dict(r), "adopted_here": list(r["adopted_here"])}) for r in rows]


REQUESTS = """
SELECT r.request_id, r.unit_id, r.to_units, r.topic, r.due_at, r.classification, r.by_subject AS by, r.issued_at,
       coalesce((SELECT array_agg(DISTINCT i.reporting_unit ORDER BY i.reporting_unit) FROM approval.items i
                 WHERE i.request_id = r.request_id AND i.state = 'approved'
                   AND i.reporting_unit = ANY(r.to_units)), '{}') AS answered_units
FROM approval.item_requests r
WHERE (r.unit_id = $1 AND $2) OR ($1 = ANY(r.to_units) AND NOT $2)
ORDER BY r.due_at DESC, r.request_id LIMIT $3
"""


async def requests(conn: Conn, unit_id: str, *, issued: bool, limit: int) -> list[dict[str, Any]]:
    """Requests the unit issued (``issued``) or was asked for, latest due first, with the units that answered
    (an approved item naming the request)."""
    rows = await conn.fetch(REQUESTS, unit_id, issued, limit)
    return [_iso({**dict(r), "to_units": list(r["to_units"]), "answered_units": list(r["answered_units"])})
            for r in rows]
