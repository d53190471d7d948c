"""The archive's read API (contract §Archive): reports, their history, incidents (also ``?as_of=``),
timelines, who knew what when, and breaches — each scoped to the caller's unit and its subordinates
(via parent_id and department_parent_id) plus what was forwarded to it; investigator and admin see all.
A report, incident or event above the caller's clearance is answered as its stub (``shared.access``).

FastAPI resolves the routes' Annotated dependencies at run time, so no postponed annotations here.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from services.archive.adapters.reads import Reads
from services.archive.domain.incident_state import apply_incident, for_reader
from services.archive.domain.projections import ACKNOWLEDGED
from services.archive.domain.report_state import apply_report
from services.archive.domain.stored import StoredEvent
from services.archive.domain.timeline import details
from shared.access import highest, shown
from shared.auth import Principal
from shared.http import Problem
from shared.report import MAX_YEAR, MIN_YEAR, in_year_bounds

Doc = dict[str, Any]
Fold = Callable[[Doc | None, StoredEvent], Doc | None]


def _aware(as_of: datetime | None, field: str = "as_of") -> datetime | None:
    if as_of is not None and as_of.tzinfo is None:
        raise Problem(422, "Invalid request", f"{field}: 时间必须带时区 / {field} needs a UTC offset, e.g."
                      " 2026-11-23T09:00:00+08:00", [{"field": field, "message": "时间必须带时区",
                                                      "message_en": "time without an offset",
                                                      "type": "timezone_aware"}])
    if as_of is not None and not in_year_bounds(as_of):
        zh, en = f"时间应在 {MIN_YEAR}–{MAX_YEAR} 年之间（按 UTC 换算后亦然）", \
            f"the time must fall in the years {MIN_YEAR}–{MAX_YEAR}, also in UTC"
        raise Problem(422, "Invalid request", f"{field}: {zh} / {en}",
                      [{"field": field, "message": zh, "message_en": en, "type": "time_out_of_range"}])
    return as_of


def _sees(report: Doc, units: set[str] | None) -> bool:
    return units is None or report.get("reporting_unit") in units or bool(units & set(report["forwarded_to"]))


def _sees_incident(incident: Doc, units: set[str] | None) -> bool:
    """A unit reads an incident one of its reports is on, or one it (or a unit below it) is charged on
    by a breach (contract, "Incident rules"); classification still hides what its clearance does not reach."""
    if any(_sees(r, units) for r in incident["reports"]):
        return True
    return units is not None and any(b.get("unit_id") in units for b in incident.get("breaches", []))


def router(reads: Reads, auth: Callable[..., Awaitable[Principal]],
           link_window: timedelta = timedelta(hours=2)) -> APIRouter:
    api = APIRouter(prefix="/v1")

    async def scope(principal: Principal) -> set[str] | None:
        """None: sees everything; else the units whose reports the caller may read."""
        units = await reads.scope(principal)
        if units is not None and principal.unit is None:
            raise Problem(403, "Forbidden", "令牌未指明单位，只有调查人员和管理员可查看全部 / This token"
                                           " names no unit: only investigator and admin see all.")
        return units

    def missing(what: str, key: str) -> Problem:
        return Problem(404, "Not found", f"档案中无此记录 / No {what} with id {key!r} is in the archive (yet).")

    def forbidden(what: str) -> Problem:
        return Problem(403, "Forbidden", f"超出本单位查阅范围 / This {what} is outside your unit's scope.")

    async def state(table: str, field: str, key: str, as_of: datetime | None, apply: Fold) -> Doc | None:
        """The projection's document, or — ``as_of`` — the events recorded by then folded again."""
        if as_of is None:
            return await reads.doc(table, key)
        doc = None
        for event, _ in await reads.history(field, key, as_of):
            doc = apply(doc, event)
        return doc

    async def incident_state(incident_id: str, principal: Principal, as_of: datetime | None) -> Doc:
        doc = await state("incidents", "incident_id", incident_id, as_of, apply_incident)
        if doc is None:
            raise missing("incident", incident_id)
        units = await scope(principal)
        if not _sees_incident(doc, units):
            raise forbidden("incident")
        return doc

    @api.get("/reports/{report_id}")
    async def get_report(report_id: str, principal: Annotated[Principal, Depends(auth)],
                         as_of: datetime | None = None) -> Doc:
        doc = await state("reports", "report_id", report_id, _aware(as_of), apply_report)
        if doc is None:
            raise missing("report", report_id)
        if not _sees(doc, await scope(principal)):
            raise forbidden("report")
        return shown(doc, principal.clearance)

    @api.get("/reports/{report_id}/history")
    async def get_history(report_id: str, principal: Annotated[Principal, Depends(auth)]) -> Doc:
        events = await reads.history("report_id", report_id)
        state = None
        for event, _ in events:
            state = apply_report(state, event)
        if state is None:
            raise missing("report", report_id)
        if not _sees(state, await scope(principal)):
            raise forbidden("report")
        level = state.get("classification")
        return {"report_id": report_id, "classification": level, "events": [
            {"position": e.position, "type": e.type, "time": e.time, "recorded_at": e.recorded_at,
             "actor": e.actor, "data": shown(e.data, principal.clearance, level), "hash": h} for e, h in events]}

    @api.get("/incidents/{incident_id}")
    async def get_incident(incident_id: str, principal: Annotated[Principal, Depends(auth)],
                           as_of: datetime | None = None) -> Doc:
        doc = await incident_state(incident_id, principal, _aware(as_of))
        return {**for_reader(doc, principal.clearance), "as_of": as_of.isoformat() if as_of is not None else None}

    @api.get("/incidents/{incident_id}/timeline")
    async def get_timeline(incident_id: str, principal: Annotated[Principal, Depends(auth)]) -> Doc:
        incident = await incident_state(incident_id, principal, None)
        levels = {r["report_id"]: r.get("classification") for r in incident["reports"]}
        doc = await reads.doc("timelines", incident_id) or {"incident_id": incident_id, "entries": []}
        events = await reads.events_at([e["position"] for e in doc["entries"]])
        for entry in doc["entries"]:
            event = events[entry["position"]]
            report_id = event.data.get("report_id")  # an event of no report (a breach, a reminder) has no content
            level = levels.get(report_id, highest(levels.values())) if report_id else None
            entry["details"] = shown(details(event), principal.clearance, level)
        return doc

    @api.get("/incidents/{incident_id}/knowledge")
    async def get_knowledge(incident_id: str, principal: Annotated[Principal, Depends(auth)]) -> Doc:
        """Who knew what when: per unit, when it first learned of the incident and when it acted."""
        await incident_state(incident_id, principal, None)
        return await reads.doc("knowledge", incident_id) or {"incident_id": incident_id, "units": {}}

    @api.get("/units")
    async def get_units(_: Annotated[Principal, Depends(auth)]) -> Doc:
        """Registered units (id, name, kind, level, parent links) so a page can name the ids it shows."""
        keys = ("unit_id", "name", "kind", "level", "parent_id", "department_parent_id")
        return {"units": [{k: u.get(k) for k in keys} for u in await reads.units()]}

    @api.get("/breaches")
    async def get_breaches(principal: Annotated[Principal, Depends(auth)], incident_id: str | None = None,
                           unit_id: str | None = None, since: datetime | None = None, item_id: str | None = None,
                           request_id: str | None = None) -> Doc:
        """Breaches of incidents, of work items (a late item) and of commissioned requests (one missed): each
        names exactly one of ``incident_id``, ``item_id``, ``request_id``, the others null."""
        units = await scope(principal)
        found = await reads.breaches(incident_id=incident_id, item_id=item_id, request_id=request_id,
                                     unit_id=unit_id, since=_aware(since, "since"), units=units)
        keys = ("breach_id", "incident_id", "item_id", "request_id", "unit_id", "obligation", "kind", "deadline_at",
                "detected_at", "policy", "suspected_concealment", "responsible", "superseded_by",
                "superseded_at", *ACKNOWLEDGED)
        return {"breaches": [{**{k: b.get(k) for k in keys}, "superseded": bool(b.get("superseded"))} for b in found]}

    @api.get("/incidents/{incident_id}/link-suggestions")
    async def get_link_suggestions(incident_id: str, principal: Annotated[Principal, Depends(auth)]) -> Doc:
        """Incidents that may be this one reported twice — the same category and place (``location.unit_id``),
        happened within the link window of it — for a duty officer to link (``POST /v1/incidents/{id}/links`` at
        intake). Only a suggestion: nothing is ever linked without a person."""
        doc = await incident_state(incident_id, principal, None)
        answer: Doc = {"incident_id": incident_id, "window_hours": link_window.total_seconds() / 3600,
                       "suggestions": []}
        occurred = doc.get("occurred_at")
        if doc.get("linked_to") or not occurred or not doc.get("category") or not doc.get("location_unit_id"):
            return answer
        at = datetime.fromisoformat(occurred)
        units = await scope(principal)
        for other in await reads.incidents_like(category=doc["category"], location_unit_id=doc["location_unit_id"],
                                                occurred_at=at, window=link_window, other_than=incident_id):
            if _sees_incident(other, units):
                apart = abs(datetime.fromisoformat(other["occurred_at"]) - at)
                answer["suggestions"].append({
                    "incident_id": other["incident_id"], "category": other["category"],
                    "location_unit_id": other["location_unit_id"], "occurred_at": other["occurred_at"],
                    "apart_minutes": round(apart.total_seconds() / 60, 1), "grade": other.get("grade"),
                    "status": other.get("status"), "first_reported_at": other.get("first_reported_at"),
                    "reporting_units": sorted({r["reporting_unit"] for r in other["reports"]})})
        return answer

    return api
