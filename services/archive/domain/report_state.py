"""A report's current state, folded from its events in store order."""

from __future__ import annotations

from typing import Any


def fold_report(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any] | None:
    """``events`` as (type, data) pairs; None when the report was never submitted."""
    state: dict[str, Any] | None = None
    for event_type, data in events:
        if event_type == "ReportSubmitted":
            state = {
                **data["report"],
                "report_id": data["report_id"],
                "incident_id": data["incident_id"],
                "received_at": data["received_at"],
                "status": "pending_approval",
                "grade": data.get("grade"),
                "reportable": data.get("reportable", False),
                "reasons": data.get("reasons", []),
                "policy": data.get("policy"),
                "forwarded_to": [],
                "acknowledged_by": [],
            }
        elif state is None:
            continue
        elif event_type == "ReportApproved":
            if data.get("final"):
                state["status"] = "approved"
        elif event_type == "ReportForwarded":
            state["status"] = "forwarded"
            if data["to_unit_id"] not in state["forwarded_to"]:
                state["forwarded_to"].append(data["to_unit_id"])
        elif event_type == "ReportRejected":
            state["status"] = "rejected"
        elif event_type == "ReportAcknowledged" and data["unit_id"] not in state["acknowledged_by"]:
            state["acknowledged_by"].append(data["unit_id"])
    return state
