"""What the duty board shows, folded from stored events; pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from services.archive.domain.projections import ACKNOWLEDGED
from services.archive.domain.report_state import fold_report
from services.archive.domain.stored import StoredEvent
from shared.access import highest, may_read, shown, withhold

GRADE_ORDER = ("I", "II", "III", "IV")
REPORT_TYPES = ("ReportSubmitted", "ReportApproved", "ReportRejected", "ReportForwarded", "ReportAcknowledged")


def may_see(scope: set[str] | None, unit_ids: Iterable[str | None]) -> bool:
    """Whether a record naming ``unit_ids`` is within ``scope`` (``Reads.scope``; None: everything)."""
    return scope is None or any(u in scope for u in unit_ids if u)


def _reports(events: list[StoredEvent]) -> dict[str, dict[str, Any]]:
    by_report: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for e in events:
        if e.type in REPORT_TYPES:
            by_report.setdefault(e.data["report_id"], []).append((e.type, e.data))
    folded = {rid: fold_report(evs) for rid, evs in by_report.items()}
    return {rid: s for rid, s in folded.items() if s is not None}


def _open_duties(events: list[StoredEvent]) -> dict[tuple[str, str], dict[str, Any]]:
    """Written-report obligations not yet forwarded and not yet missed, keyed by (incident, unit)."""
    duties: dict[tuple[str, str], dict[str, Any]] = {}
    for e in events:
        d = e.data
        if e.type in ("ReportSubmitted", "IncidentRegraded"):
            for ob in d.get("obligations", []):
                duties.setdefault((d["incident_id"], ob["unit_id"]), {**ob, "incident_id": d["incident_id"],
                                                                       "reminders": []})
        elif e.type == "ReportForwarded":
            duties.pop((d["incident_id"], d["from_unit_id"]), None)
        elif e.type == "DeadlineBreached" and d["kind"] == "missed":
            duties.pop((d["incident_id"], d["unit_id"]), None)
        elif e.type == "DeadlineApproaching" and (d["incident_id"], d["unit_id"]) in duties:
            duties[(d["incident_id"], d["unit_id"])]["reminders"].append(d["share"])
    return duties


def _contacts(events: list[StoredEvent], clearance: str) -> dict[tuple[str, str], dict[str, str]]:
    """Whom to call about a unit's duty on an incident: the newest contact (name, phone) that unit gave in a report
    of the incident the viewer's clearance reaches, keyed by (incident, unit)."""
    contacts: dict[tuple[str, str], dict[str, str]] = {}
    for e in events:
        if e.type == "ReportSubmitted":
            report = e.data["report"]
            contact = report.get("contact") or {}
            if (contact.get("name") or contact.get("phone")) and may_read(clearance, report.get("classification")):
                contacts[(e.data["incident_id"], report["reporting_unit"])] = {
                    "name": contact.get("name", ""), "phone": contact.get("phone", "")}
    return contacts


def breach_list(events: list[StoredEvent], scope: set[str] | None, clearance: str) -> list[dict[str, Any]]:
    """Every breach in ``scope``, newest first, with its first acknowledgement (null until) and the contact of the
    breached unit on the incident (null when it gave none in a report the viewer may read)."""
    contacts = _contacts(events, clearance)
    breaches: dict[str, dict[str, Any]] = {}
    for e in events:
        d = e.data
        if e.type == "DeadlineBreached" and may_see(scope, [d["unit_id"]]):
            breaches[d["breach_id"]] = {**d, "position": e.position, **dict.fromkeys(ACKNOWLEDGED)}
        elif e.type == "BreachAcknowledged" and d["breach_id"] in breaches:
            breach = breaches[d["breach_id"]]
            if breach["acknowledged_at"] is None:
                breach.update({k: d.get(k) for k in ACKNOWLEDGED})
    for breach in breaches.values():
        breach["contact"] = contacts.get((breach.get("incident_id") or "", breach["unit_id"]))
    return sorted(breaches.values(), key=lambda b: b["position"], reverse=True)


def board(events: list[StoredEvent], scope: set[str] | None, now: datetime, clearance: str) -> dict[str, Any]:
    """The duty board: approaching deadlines, open incidents by grade, reports awaiting sign-off, breaches;
    an incident or report above ``clearance`` as its stub (an incident is as secret as its reports)."""
    reports = _reports(events)
    approaching = []
    for duty in _open_duties(events).values():
        nxt = next((t for t in (duty.get("late_at"), duty.get("missed_at"))
                    if t and datetime.fromisoformat(t) > now), None)
        if nxt and may_see(scope, [duty["unit_id"]]):
            approaching.append({**duty, "next_deadline": nxt})
    approaching.sort(key=lambda d: d["next_deadline"])
    incidents: dict[str, dict[str, Any]] = {}
    for r in reports.values():
        if not may_see(scope, [r["reporting_unit"], r["location"]["unit_id"], *r["forwarded_to"]]):
            continue
        inc = incidents.setdefault(r["incident_id"], {"incident_id": r["incident_id"], "title": r["title"],
                                                      "grade": None, "closed": False, "reports": 0,
                                                      "occurred_at": r["occurred_at"], "levels": []})
        inc["reports"] += 1
        inc["levels"].append(r.get("classification"))
        inc["closed"] = inc["closed"] or (r["kind"] == "final" and r["status"] == "forwarded")
        if r["grade"] and (inc["grade"] is None or GRADE_ORDER.index(r["grade"]) < GRADE_ORDER.index(inc["grade"])):
            inc["grade"] = r["grade"]
    for inc in incidents.values():
        inc["classification"] = highest(inc.pop("levels"))
    readable = {i: inc for i, inc in incidents.items() if may_read(clearance, inc["classification"])}
    by_grade: dict[str, list[dict[str, Any]]] = {g: [] for g in (*GRADE_ORDER, "none")}
    for i, inc in incidents.items():
        if not inc["closed"]:
            by_grade[inc["grade"] or "none"].append(inc if i in readable else withhold(inc))
    waiting = [shown({k: r.get(k) for k in ("report_id", "incident_id", "reporting_unit", "title", "grade",
                                            "received_at", "classification")}, clearance)
               for r in reports.values() if r["status"] == "pending_approval"
               and may_see(scope, [r["reporting_unit"]])]
    return {"now": now.isoformat(), "approaching": approaching[:50], "open_incidents": by_grade,
            "awaiting_sign_off": sorted(waiting, key=lambda r: r["received_at"]),
            "breaches": breach_list(events, scope, clearance),
            "incident_titles": {i: inc["title"] for i, inc in readable.items()}}
