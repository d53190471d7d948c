"""An incident's state: all its reports, its grade, its obligations and how far each is met."""

from __future__ import annotations

from typing import Any

from services.archive.domain.report_state import apply_report
from services.archive.domain.stored import StoredEvent
from shared.access import highest, may_read, shown, withhold

Doc = dict[str, Any]
TYPES = frozenset({"ReportSubmitted", "ReportApproved", "ReportForwarded", "ReportRejected", "ReportAcknowledged",
                   "IncidentRegraded", "IncidentReopened", "IncidentsLinked", "DeadlineBreached", "BreachSuperseded"})
REPORT_FIELDS = ("report_id", "sequence", "label", "kind", "reporting_unit", "title", "category", "status", "grade",
                 "received_at", "forwarded_to", "acknowledged_by", "classification")


def new_incident(incident_id: str) -> Doc:
    return {"incident_id": incident_id, "status": "open", "closed_at": None, "grade": None, "reportable": None,
            "policy": None, "reasons": [], "first_reported_at": None, "reports": [], "obligations": [],
            "breaches": [], "regrades": [], "reopenings": [], "category": None, "location_unit_id": None,
            "occurred_at": None, "links": [], "linked_to": None}


def _reopened(doc: Doc, data: Doc) -> None:
    """IncidentReopened: the closed incident is open again (its report, which follows, may close it again)."""
    doc.update(status="open", closed_at=None)
    doc.setdefault("reopenings", []).append({"report_id": data["report_id"], "at": data["reopened_at"],
                                             "reason": data["reason"]})


def _linked(doc: Doc, data: Doc) -> None:
    """IncidentsLinked, on the primary: it lists its duplicate; on the duplicate: it names its primary, and its
    obligations still open are the primary's from now on (``superseded``)."""
    link = {k: data[k] for k in ("link_id", "reason", "linked_by", "unit_id", "linked_at")}
    if data["incident_id"] == data["primary_id"]:
        if all(x["link_id"] != data["link_id"] for x in doc.setdefault("links", [])):
            doc["links"].append({"incident_id": data["duplicate_id"], "role": "duplicate", **link})
        return
    doc["linked_to"] = {"incident_id": data["primary_id"], **link}
    for ob in doc["obligations"]:
        if ob["status"] == "open":
            ob["status"] = "superseded"


def _superseded(doc: Doc, data: Doc) -> None:
    """BreachSuperseded: the breach stands, marked superseded by the primary incident."""
    for breach in doc["breaches"]:
        if breach["breach_id"] == data["breach_id"]:
            breach.update(superseded=True, superseded_by=data["primary_id"], superseded_at=data["superseded_at"])


def _closure(doc: Doc, data: Doc) -> None:
    """A report that says reopen opens a closed incident again; a final report closes it."""
    report = data["report"]
    if report.get("reopen") and doc.get("status") == "closed":
        doc.update(status="open", closed_at=None)
        doc.setdefault("reopenings", []).append({"report_id": data["report_id"], "at": data["received_at"],
                                                 "reason": report.get("reopen_reason", "")})
    if report.get("kind") == "final":
        doc.update(status="closed", closed_at=data["received_at"])


def _add_obligations(doc: Doc, obligations: list[Doc]) -> None:
    """New obligations; a breach already recorded (topics are not ordered with each other) applies to them."""
    known = {(o["obligation"], o["unit_id"], o.get("to_unit_id")) for o in doc["obligations"]}
    for ob in obligations:
        if (ob["obligation"], ob["unit_id"], ob.get("to_unit_id")) not in known:
            entry = {**ob, "status": "open", "met_at": None, "breaches": []}
            for breach in doc["breaches"]:
                if (breach["obligation"], breach["unit_id"]) == (ob["obligation"], ob["unit_id"]):
                    entry["breaches"].append(breach["kind"])
                    entry["status"] = breach["kind"]
            doc["obligations"].append(entry)


def _forwarded(doc: Doc, event: StoredEvent) -> None:
    """A forward from the owing unit to whom it owes meets the obligation (late if already breached)."""
    data = event.data
    for ob in doc["obligations"]:
        if ob["unit_id"] == data["from_unit_id"] and ob.get("to_unit_id") in (None, data["to_unit_id"]) \
                and ob["met_at"] is None:
            ob["met_at"] = event.time
            ob["status"] = "met" if ob["status"] == "open" else f"met_after_{ob['status']}"


def _breached(doc: Doc, data: Doc) -> None:
    summary = {k: data.get(k) for k in ("breach_id", "unit_id", "obligation", "kind", "deadline_at",
                                        "detected_at", "suspected_concealment", "responsible")}
    if all(b["breach_id"] != data["breach_id"] for b in doc["breaches"]):
        doc["breaches"].append({**summary, "superseded": False})
    for ob in doc["obligations"]:
        if ob["obligation"] == data["obligation"] and ob["unit_id"] == data["unit_id"]:
            if data["kind"] not in ob["breaches"]:
                ob["breaches"].append(data["kind"])
            if ob["met_at"] is None and ob["status"] != "superseded":
                ob["status"] = data["kind"]


def apply_incident(doc: Doc | None, event: StoredEvent) -> Doc:
    data = event.data
    doc = doc or new_incident(data["incident_id"])
    if event.type == "ReportSubmitted":
        report = apply_report(None, event)
        assert report is not None
        doc["reports"].append({k: report.get(k) for k in REPORT_FIELDS})
        if doc["first_reported_at"] is None:
            first = data["report"]
            doc.update(first_reported_at=data["received_at"], reportable=data.get("reportable"),
                       reasons=data.get("reasons", []), category=first.get("category"),
                       location_unit_id=(first.get("location") or {}).get("unit_id"),
                       occurred_at=first.get("occurred_at"))
        if doc["grade"] is None or doc["policy"] is None:
            doc.update(grade=doc["grade"] or data.get("grade"), policy=doc["policy"] or data.get("policy"))
        _add_obligations(doc, data.get("obligations", []))
        _closure(doc, data)
    elif event.type == "IncidentRegraded":
        doc.update(grade=data["grade"], policy=data["policy"], reportable=True, reasons=data.get("reasons", []))
        doc["regrades"].append({"from": data.get("previous_grade"), "to": data["grade"], "at": event.time,
                                "report_id": data.get("report_id"), "reasons": data.get("reasons", [])})
        _add_obligations(doc, data.get("obligations", []))
    elif event.type == "IncidentReopened":
        _reopened(doc, data)
    elif event.type == "IncidentsLinked":
        _linked(doc, data)
    elif event.type == "DeadlineBreached":
        _breached(doc, data)
    elif event.type == "BreachSuperseded":
        _superseded(doc, data)
    else:
        for report in doc["reports"]:
            if report["report_id"] == data.get("report_id"):
                apply_report(report, event)
        if event.type == "ReportForwarded":
            _forwarded(doc, event)
    return doc


def for_reader(doc: Doc, clearance: str) -> Doc:
    """The incident as a reader cleared to ``clearance`` sees it: as secret as its most secret report; each
    report listed in full or as its stub, the incident's own reasons and figures only when cleared for all."""
    reports = [shown(r, clearance) for r in doc["reports"]]
    level = highest(r.get("classification") for r in doc["reports"])
    if may_read(clearance, level):
        return {**doc, "classification": level, "reports": reports}
    return {**withhold(doc, level), "reports": reports}
