"""A report's current state, folded from its events in store order."""

from __future__ import annotations

from typing import Any

from services.archive.domain.stored import StoredEvent

Doc = dict[str, Any]
TYPES = frozenset({"ReportSubmitted", "ReportApproved", "ReportForwarded", "ReportRejected", "ReportAcknowledged"})


def submitted(data: Doc) -> Doc:
    return {
        **data["report"],
        "report_id": data["report_id"],
        "incident_id": data["incident_id"],
        "sequence": data.get("sequence"),  # None for a report stored before intake numbered them
        "label": data.get("label"),
        "received_at": data["received_at"],
        "status": "pending_approval",
        "grade": data.get("grade"),
        "reportable": data.get("reportable", False),
        "reasons": data.get("reasons", []),
        "policy": data.get("policy"),
        "forwarded_to": [],
        "acknowledged_by": [],
    }


def apply_report(state: Doc | None, event: StoredEvent) -> Doc | None:
    """The state after ``event``; None while the report has not been submitted."""
    kind, data = event.type, event.data
    if kind == "ReportSubmitted":
        return submitted(data)
    if state is None:
        return None
    if kind == "ReportApproved":
        if data.get("final"):
            state["status"] = "approved"
    elif kind == "ReportForwarded":
        state["status"] = "forwarded"
        if data["to_unit_id"] not in state["forwarded_to"]:
            state["forwarded_to"].append(data["to_unit_id"])
    elif kind == "ReportRejected":
        state["status"] = "rejected"
    elif kind == "ReportAcknowledged" and data["unit_id"] not in state["acknowledged_by"]:
        state["acknowledged_by"].append(data["unit_id"])
    return state


def fold_report(events: list[tuple[str, Doc]]) -> Doc | None:
    """``events`` as (type, data) pairs; None when the report was never submitted."""
    state: Doc | None = None
    for event_type, data in events:
        state = apply_report(state, StoredEvent.of(event_type, data))
    return state
