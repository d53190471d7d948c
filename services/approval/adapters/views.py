"""Read models for the HTTP API: a unit's queue, and a report's forwards with their receipts."""

from __future__ import annotations

import json
from typing import Any

from services.approval.adapters.store import Conn

QUEUE = """
SELECT q.report_id, r.incident_id, r.title, r.classification, r.kind AS report_kind, r.channel AS report_channel,
       r.grade,
       r.reportable, r.policy, r.reporting_unit, r.supersedes_report_id, r.phone_report_id,
       q.kind, q.via, q.from_unit_id, q.state, q.steps_done, q.arrived_at,
       coalesce((SELECT json_agg(json_build_object('approver', d.approver, 'role', d.role, 'decision', d.decision,
                                                   'comment', d.comment, 'final', d.final, 'decided_at', d.decided_at,
                                                   'step', d.step, 'stage', d.stage)
                                 ORDER BY d.decided_at)
                 FROM approval.decisions d WHERE d.report_id = q.report_id AND d.unit_id = q.unit_id), '[]')::text
       AS decisions,
       (q.kind = 'sign_off' AND (q.state = 'pending' OR q.state LIKE 'awaiting\\_%')) AS needs_sign_off,
       (q.via <> 'submitted' AND rc.report_id IS NULL) AS needs_receipt
FROM approval.queue q JOIN approval.reports r USING (report_id)
LEFT JOIN approval.receipts rc ON rc.report_id = q.report_id AND rc.unit_id = q.unit_id
WHERE q.unit_id = $1
  AND ((q.kind = 'sign_off' AND (q.state = 'pending' OR q.state LIKE 'awaiting\\_%'))
       OR (q.via <> 'submitted' AND rc.report_id IS NULL))
ORDER BY q.arrived_at, q.report_id
"""


async def queue(conn: Conn, unit_id: str) -> list[dict[str, Any]]:
    """What waits for the unit: reports to sign off, and forwarded reports not yet acknowledged."""
    items = []
    for r in await conn.fetch(QUEUE, unit_id):
        item = dict(r)
        item["decisions"] = json.loads(item["decisions"])
        item["arrived_at"] = item["arrived_at"].isoformat()
        items.append(item)
    return items


async def involved_units(conn: Conn, report_id: str) -> set[str]:
    rows = await conn.fetch("SELECT unit_id FROM approval.queue WHERE report_id = $1", report_id)
    return {r["unit_id"] for r in rows}


async def receipts(conn: Conn, report_id: str) -> list[dict[str, Any]]:
    """Every forward of the report and whether, when and by whom the receiver confirmed it."""
    rows = await conn.fetch(
        "SELECT f.from_unit_id, f.to_unit_id, f.channel, f.emergency, f.forwarded_at,"
        " rc.acknowledged_at, rc.by_subject FROM approval.forwards f"
        " LEFT JOIN approval.receipts rc ON rc.report_id = f.report_id AND rc.unit_id = f.to_unit_id"
        " WHERE f.report_id = $1 ORDER BY f.forwarded_at, f.to_unit_id", report_id)
    return [{
        "from_unit_id": r["from_unit_id"], "to_unit_id": r["to_unit_id"], "channel": r["channel"],
        "emergency": r["emergency"], "forwarded_at": r["forwarded_at"].isoformat(),
        "acknowledged": r["acknowledged_at"] is not None,
        "acknowledged_at": r["acknowledged_at"].isoformat() if r["acknowledged_at"] else None,
        "acknowledged_by": r["by_subject"],
    } for r in rows]
