"""What the duty board and the incident replay show, folded from stored events; pure, no I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.archive.domain.report_state import fold_report
from services.archive.web.access import may_see

GRADE_ORDER = ("I", "II", "III", "IV")
REPORT_TYPES = ("ReportSubmitted", "ReportApproved", "ReportRejected", "ReportForwarded", "ReportAcknowledged")


def _reports(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    by_report: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for e in events:
        if e["type"] in REPORT_TYPES:
            by_report.setdefault(e["data"]["report_id"], []).append((e["type"], e["data"]))
    folded = {rid: fold_report(evs) for rid, evs in by_report.items()}
    return {rid: s for rid, s in folded.items() if s is not None}


def _units_of(data: dict[str, Any]) -> list[str | None]:
    report = data.get("report", {})
    return [data.get("unit_id"), data.get("from_unit_id"), data.get("to_unit_id"), report.get("reporting_unit"),
            report.get("location", {}).get("unit_id")]


def _open_duties(events: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Written-report obligations not yet forwarded and not yet missed, keyed by (incident, unit)."""
    duties: dict[tuple[str, str], dict[str, Any]] = {}
    for e in events:
        d = e["data"]
        if e["type"] in ("ReportSubmitted", "IncidentRegraded"):
            for ob in d.get("obligations", []):
                duties.setdefault((d["incident_id"], ob["unit_id"]), {**ob, "incident_id": d["incident_id"],
                                                                       "reminders": []})
        elif e["type"] == "ReportForwarded":
            duties.pop((d["incident_id"], d["from_unit_id"]), None)
        elif e["type"] == "DeadlineBreached" and d["kind"] == "missed":
            duties.pop((d["incident_id"], d["unit_id"]), None)
        elif e["type"] == "DeadlineApproaching" and (d["incident_id"], d["unit_id"]) in duties:
            duties[(d["incident_id"], d["unit_id"])]["reminders"].append(d["share"])
    return duties


def board(events: list[dict[str, Any]], scope: set[str] | None, now: datetime) -> dict[str, Any]:
    """The duty board: approaching deadlines, open incidents by grade, reports awaiting sign-off, breaches."""
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
                                                      "occurred_at": r["occurred_at"]})
        inc["reports"] += 1
        inc["closed"] = inc["closed"] or (r["kind"] == "final" and r["status"] == "forwarded")
        if r["grade"] and (inc["grade"] is None or GRADE_ORDER.index(r["grade"]) < GRADE_ORDER.index(inc["grade"])):
            inc["grade"] = r["grade"]
    by_grade: dict[str, list[dict[str, Any]]] = {g: [] for g in (*GRADE_ORDER, "none")}
    for inc in incidents.values():
        if not inc["closed"]:
            by_grade[inc["grade"] or "none"].append(inc)
    waiting = [{k: r[k] for k in ("report_id", "incident_id", "reporting_unit", "title", "grade", "received_at")}
               for r in reports.values() if r["status"] == "pending_approval"
               and may_see(scope, [r["reporting_unit"]])]
    breaches = [e["data"] | {"position": e["position"]} for e in events
                if e["type"] == "DeadlineBreached" and may_see(scope, [e["data"]["unit_id"]])]
    return {"now": now.isoformat(), "approaching": approaching[:50], "open_incidents": by_grade,
            "awaiting_sign_off": sorted(waiting, key=lambda r: r["received_at"]),
            "breaches": breaches[-30:][::-1]}


def replay(events: list[dict[str, Any]], as_of: datetime | None) -> dict[str, Any]:
    """The incident as the store knew it at ``as_of`` (events with recorded_at ≤ as_of)."""
    known = [e for e in events if as_of is None or datetime.fromisoformat(e["recorded_at"]) <= as_of]
    knew: dict[str, dict[str, Any]] = {}

    def learn(unit: str | None, at: str, how: str, report_id: str) -> None:
        if unit and unit not in knew:
            knew[unit] = {"unit_id": unit, "since": at, "how": how, "report_id": report_id}

    for e in known:
        d, at = e["data"], e["time"] or e["recorded_at"]
        if e["type"] == "ReportSubmitted":
            learn(d["report"]["reporting_unit"], d["received_at"], "reported", d["report_id"])
        elif e["type"] == "ReportForwarded":
            learn(d["to_unit_id"], at, f"forwarded_by:{d['from_unit_id']}", d["report_id"])
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "first_recorded_at": events[0]["recorded_at"] if events else None,
        "last_recorded_at": events[-1]["recorded_at"] if events else None,
        "events": known,
        "reports": list(_reports(known).values()),
        "knew": list(knew.values()),
        "breaches": [e["data"] for e in known if e["type"] == "DeadlineBreached"],
        "involved_units": sorted({u for e in events for u in _units_of(e["data"]) if u}),
    }
