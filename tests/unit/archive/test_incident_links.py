"""The archive's side of reopening and linking (pure): incident documents, the breach read model, the timeline."""

from __future__ import annotations

from typing import Any

from services.archive.domain.projections import PROJECTIONS
from services.archive.domain.stored import StoredEvent
from tests.unit.archive.test_incident_rules import incident, submitted

LINK = {"link_id": "l1", "primary_id": "p", "duplicate_id": "i1", "reason": "同一事件", "linked_by": "duty@county",
        "unit_id": "county", "linked_at": "2026-11-23T05:00:00+08:00"}
BREACH = {"breach_id": "b1", "incident_id": "i1", "unit_id": "town", "obligation": "written_report", "kind": "late",
          "deadline_at": "2026-11-23T02:00:00Z", "detected_at": "2026-11-23T02:00:01Z", "policy": "p@1"}
SUPERSEDED = {"breach_id": "b1", "incident_id": "i1", "primary_id": "p", "link_id": "l1", "unit_id": "town",
              "obligation": "written_report", "kind": "late", "superseded_at": "2026-11-23T05:00:01+08:00"}
OBLIGATION = {"obligation": "written_report", "unit_id": "town", "to_unit_id": "county",
              "late_at": "2026-11-23T10:00:00+08:00", "missed_at": "2026-11-23T18:00:00+08:00"}


def test_an_incident_reopened_event_opens_it_once_and_its_report_may_close_it_again() -> None:
    reopened = ("IncidentReopened", {"incident_id": "i1", "report_id": "r2", "reason": "新情况",
                                     "reopened_at": "2026-11-23T03:00:00Z"})
    doc = incident([submitted(0, "initial"), submitted(1, "final"), reopened,
                    submitted(2, "follow_up", reopen=True, reopen_reason="新情况")])
    assert doc["status"] == "open" and [r["reason"] for r in doc["reopenings"]] == ["新情况"]
    again = incident([submitted(0, "initial"), submitted(1, "final"), reopened,
                      submitted(2, "final", reopen=True, reopen_reason="新情况")])
    assert again["status"] == "closed" and len(again["reopenings"]) == 1


def test_the_duplicate_names_its_primary_its_open_obligations_pass_to_it_and_its_breach_is_superseded() -> None:
    first = submitted(0, "initial")
    first[1]["obligations"] = [OBLIGATION]
    doc = incident([first, ("DeadlineBreached", BREACH), ("IncidentsLinked", {**LINK, "incident_id": "i1"}),
                    ("BreachSuperseded", SUPERSEDED)])
    assert doc["linked_to"]["incident_id"] == "p" and doc["links"] == []
    assert [o["status"] for o in doc["obligations"]] == ["late"]  # breached before the link: it stays late
    assert doc["breaches"][0]["superseded"] is True and doc["breaches"][0]["superseded_by"] == "p"
    fresh = incident([first, ("IncidentsLinked", {**LINK, "incident_id": "i1"})])
    assert [o["status"] for o in fresh["obligations"]] == ["superseded"]
    assert (doc["category"], doc["location_unit_id"]) == ("accident.road_traffic", "town-a-office")


def test_the_primary_lists_its_duplicate_once() -> None:
    primary = {**submitted(0, "initial")[1], "incident_id": "p"}
    link = ("IncidentsLinked", {**LINK, "incident_id": "p"})
    doc = incident([("ReportSubmitted", primary), link, link])
    assert [(x["incident_id"], x["role"]) for x in doc["links"]] == [("i1", "duplicate")]
    assert doc["linked_to"] is None


def fold(projection: str, events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any] | None:
    p, doc = PROJECTIONS[projection], None
    for i, (kind, data) in enumerate(events):
        doc = p.apply(doc, StoredEvent(i + 1, kind, "2026-11-23T00:00:00Z", "", None, data))
    return doc


def test_a_superseded_breach_keeps_what_it_said_and_a_redelivered_breach_keeps_the_flag() -> None:
    doc = fold("breaches", [("DeadlineBreached", BREACH), ("BreachSuperseded", SUPERSEDED),
                            ("DeadlineBreached", BREACH)])
    assert doc is not None and doc["kind"] == "late" and doc["deadline_at"] == BREACH["deadline_at"]
    assert (doc["superseded"], doc["superseded_by"]) == (True, "p")
    plain = fold("breaches", [("DeadlineBreached", BREACH)])
    assert plain is not None and plain["superseded"] is False


def test_the_timeline_shows_reopening_linking_and_superseding() -> None:
    types = PROJECTIONS["timelines"].types
    assert {"IncidentReopened", "IncidentsLinked", "BreachSuperseded"} <= types
