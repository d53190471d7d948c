"""What the item pages read: one item with its sign-off steps and history, and a unit's item queue.

Who may read: the writing unit and every unit the item reached (any role), investigators and admins.
A reader cleared below the item's classification gets the stub (``shared.access``).
"""

from __future__ import annotations

from typing import Any

from services.approval.adapters import item_views
from services.approval.domain.signoff import Refused
from services.approval.service_layer.item_actions import item_not_found
from shared.access import shown
from shared.auth import Principal
from shared.db import Database
from shared.information import load_info_pack
from shared.item import Item
from shared.policy import SignOffStep

SEE_ALL = ("investigator", "admin")


def steps_of(sign_off: tuple[SignOffStep, ...], *, state: str, steps_done: int,
             decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each sign-off step with its decision, or whether it waits (``pending``: now; ``waiting``: later)."""
    decided = {d["step"]: d for d in decisions}
    shown_steps = []
    for index, step in enumerate(sign_off):
        decision = decided.get(index)
        if decision is not None:
            status = "approved" if decision["decision"] == "approve" else "rejected"
        elif state == "pending":
            status = "pending" if index == steps_done else "waiting"
        else:
            status = "skipped"
        shown_steps.append({"step": index, "name": step.name.model_dump(), "roles": list(step.roles), "state": status,
                            "decision": {k: decision[k] for k in ("approver", "role", "comment", "decided_at",
                                                                  "event_id")} if decision else None})
    return shown_steps


class ItemReads:
    def __init__(self, db: Database):
        self._db = db

    async def item(self, principal: Principal, item_id: str) -> dict[str, Any]:
        async with self._db.pool.acquire() as conn:
            found = await item_views.item(conn, item_id)
        if found is None:
            raise item_not_found(item_id)
        involved = {found["document"]["reporting_unit"], *(r["unit_id"] for r in found["reached"])}
        if not principal.has_any(*SEE_ALL) and principal.unit not in involved:
            raise Refused(403, "Forbidden", "该信息未经过本单位", "the item never passed through your unit")
        sign_off = load_info_pack(found["pack"]).sign_off
        submitted = found["document"]
        document = {
            "item_id": item_id, **{name: submitted[name] for name in Item.model_fields if name in submitted},
            "policy": found["policy"],
            "received_at": found["received_at"].isoformat(),
            "due_at": found["due_at"].isoformat() if found["due_at"] else None,
            "state": found["state"], "decided_at": found["decided_at"].isoformat() if found["decided_at"] else None,
            "steps": steps_of(sign_off, state=found["state"], steps_done=found["steps_done"],
                              decisions=found["decisions"]),
            "reached": found["reached"], "adoptions": found["adoptions"], "instructions": found["instructions"],
        }
        return shown(document, principal.clearance)

    async def queue(self, principal: Principal, unit_id: str | None, *, everything: bool,
                    limit: int) -> dict[str, Any]:
        unit = own_unit(principal, unit_id)
        async with self._db.pool.acquire() as conn:
            rows = await item_views.queue(conn, unit, everything=everything, limit=limit)
        items = []
        for row in rows:
            pack = row.pop("pack")
            waiting = load_info_pack(pack).sign_off[row["steps_done"]] if row["state"] == "pending" else None
            row["waiting_for"] = waiting.model_dump() if waiting else None
            row["needs_sign_off"] = row["via"] == "submitted" and row["state"] == "pending"
            row["needs_receipt"] = row["via"] != "submitted" and row["acknowledged_at"] is None
            items.append(shown(row, principal.clearance))
        return {"unit_id": unit, "items": items}

    async def requests(self, principal: Principal, unit_id: str | None, *, limit: int) -> dict[str, Any]:
        unit = own_unit(principal, unit_id)
        async with self._db.pool.acquire() as conn:
            issued = await item_views.requests(conn, unit, issued=True, limit=limit)
            received = await item_views.requests(conn, unit, issued=False, limit=limit)
        return {"unit_id": unit, "issued": [shown(r, principal.clearance) for r in issued],
                "received": [shown(r, principal.clearance) for r in received]}


def own_unit(principal: Principal, unit_id: str | None) -> str:
    """The unit asked about: the caller's own (investigators and admins: any)."""
    unit = unit_id or principal.unit
    if unit is None:
        raise Refused(422, "Invalid request", "令牌未指明单位时必须填写 unit_id",
                      "a token without a unit must name one (unit_id)", field="unit_id")
    if unit != principal.unit and not principal.has_any(*SEE_ALL):
        raise Refused(403, "Forbidden", "只能查看本单位的信息与约稿", "only your own unit's items and requests")
    return unit
