"""An incident's timeline, and "who knew what when": per unit, when it first learned of the incident
(the reporting unit at submission, each receiving unit when a report was forwarded to it) and when it
acted (submitted, approved, rejected, forwarded, acknowledged).

The timeline document lists its events (position, type, time, recorded_at, actor), not their contents:
those are in the store, and the read API adds each entry's ``details`` from the event at that position
(as KurrentDB resolves link events). A copy of every event's data in the document would double what is
stored, make the document each new event rewrites (whole) about three times bigger, and was the largest
share of a replay."""

from __future__ import annotations

from typing import Any

from services.archive.domain.stored import StoredEvent

Doc = dict[str, Any]
TIMELINE_TYPES = frozenset({"ReportSubmitted", "ReportApproved", "ReportRejected", "ReportForwarded",
                            "ReportAcknowledged", "IncidentRegraded", "IncidentReopened", "IncidentsLinked",
                            "DeadlineBreached", "BreachSuperseded", "DeadlineApproaching", "StepOverdue",
                            "FollowUpDue"})
KNOWLEDGE_TYPES = frozenset({"ReportSubmitted", "ReportApproved", "ReportRejected", "ReportForwarded",
                             "ReportAcknowledged"})


def details(event: StoredEvent) -> Doc:
    """What a timeline entry shows of its event: the data, with the submitted report reduced to its heading."""
    data = event.data
    if event.type != "ReportSubmitted":
        return dict(data)
    report = data.get("report", {})
    return {k: v for k, v in data.items() if k not in ("report", "obligations")} | {
        "kind": report.get("kind"), "reporting_unit": report.get("reporting_unit"), "title": report.get("title")}


def apply_timeline(doc: Doc | None, event: StoredEvent) -> Doc:
    doc = doc or {"incident_id": event.data["incident_id"], "entries": []}
    doc["entries"].append({"position": event.position, "type": event.type, "time": event.time,
                           "recorded_at": event.recorded_at, "actor": event.actor})
    return doc


def _unit(doc: Doc, unit_id: str) -> Doc:
    units: Doc = doc["units"]
    if unit_id not in units:
        units[unit_id] = {"unit_id": unit_id, "first_informed_at": None, "informed_by": None, "actions": []}
    entry: Doc = units[unit_id]
    return entry


def _informed(doc: Doc, unit_id: str, event: StoredEvent) -> None:
    entry = _unit(doc, unit_id)
    if entry["first_informed_at"] is None:
        entry.update(first_informed_at=event.time, informed_by={
            "type": event.type, "report_id": event.data.get("report_id"), "position": event.position,
            "recorded_at": event.recorded_at})


def _acted(doc: Doc, unit_id: str, action: str, event: StoredEvent) -> None:
    _unit(doc, unit_id)["actions"].append({
        "action": action, "at": event.time, "recorded_at": event.recorded_at,
        "report_id": event.data.get("report_id"), "actor": event.actor, "position": event.position})


def apply_knowledge(doc: Doc | None, event: StoredEvent) -> Doc:
    data = event.data
    doc = doc or {"incident_id": data["incident_id"], "units": {}}
    if event.type == "ReportSubmitted":
        unit = data["report"]["reporting_unit"]
        _informed(doc, unit, event)
        _acted(doc, unit, "submitted", event)
    elif event.type == "ReportForwarded":
        _acted(doc, data["from_unit_id"], "forwarded", event)
        _informed(doc, data["to_unit_id"], event)
    elif event.type in ("ReportApproved", "ReportRejected"):
        _acted(doc, data["unit_id"], "approved" if event.type == "ReportApproved" else "rejected", event)
    elif event.type == "ReportAcknowledged":
        _acted(doc, data["unit_id"], "acknowledged", event)
    return doc
