"""The archive's folds (pure): incident state and obligations, timeline, who knew what when, anomalies."""

import json
from typing import Any

import pytest

from services.archive.domain.anomalies import NotAnEnvelope, check_envelope, conflict_envelope, unreadable_envelope
from services.archive.domain.projections import PROJECTIONS, Malformed, fold_all
from services.archive.domain.stored import StoredEvent
from services.archive.domain.timeline import details
from tests.support.archive_events import Story


def stored(envelopes: list[dict[str, Any]]) -> list[StoredEvent]:
    return [StoredEvent(i + 1, e["type"], e["time"], f"2026-11-23T00:0{i}:00+00:00", e.get("actor"), e["data"])
            for i, e in enumerate(envelopes)]


def refuse(exc: Malformed) -> None:
    raise exc


def project(name: str, events: list[StoredEvent]) -> dict[str, Any]:
    docs: dict[str, Any] = {}
    fold_all(PROJECTIONS[name], docs, events, refuse, set())
    return docs


def test_incident_tracks_reports_grade_and_obligation_met_after_a_breach() -> None:
    story = Story()
    s, breach, approved, forwarded, ack = stored(story.all())
    before = project("incidents", [s, breach])[story.incident_id]
    assert before["grade"] == "IV"
    assert before["reports"][0]["status"] == "pending_approval"
    assert before["obligations"][0]["status"] == "late"
    after = project("incidents", [s, breach, approved, forwarded, ack])[story.incident_id]
    assert after["reports"][0]["status"] == "forwarded"
    assert after["reports"][0]["acknowledged_by"] == [story.parent_id]
    assert after["obligations"][0]["status"] == "met_after_late"
    assert after["obligations"][0]["met_at"] == forwarded.time
    assert [b["kind"] for b in after["breaches"]] == ["late"]


def test_a_breach_stored_before_its_submission_still_marks_the_obligation() -> None:
    story = Story()
    s, breach, *_ = stored(story.all())
    doc = project("incidents", [breach, s])[story.incident_id]
    assert doc["obligations"][0]["status"] == "late"
    assert doc["reports"][0]["status"] == "pending_approval"


def test_obligation_met_in_time_is_met() -> None:
    story = Story()
    events = stored([story.submitted(), story.approved(), story.forwarded()])
    assert project("incidents", events)[story.incident_id]["obligations"][0]["status"] == "met"


def test_timeline_keeps_every_event_in_order_and_shows_the_report_heading_not_its_body() -> None:
    story = Story()
    events = stored(story.all())
    doc = project("timelines", events)[story.incident_id]
    assert [e["type"] for e in doc["entries"]] == ["ReportSubmitted", "DeadlineBreached", "ReportApproved",
                                                   "ReportForwarded", "ReportAcknowledged"]
    assert [e["position"] for e in doc["entries"]] == [e.position for e in events]
    assert "details" not in doc["entries"][0]  # the read API adds them from the store
    shown = details(events[0])
    assert "report" not in shown and "obligations" not in shown
    assert shown["title"] == "城关镇307国道两车相撞"
    assert details(events[2]) == events[2].data


def test_who_knew_what_when() -> None:
    story = Story()
    units = project("knowledge", stored(story.all()))[story.incident_id]["units"]
    reporter, receiver = units[story.unit_id], units[story.parent_id]
    assert reporter["informed_by"]["type"] == "ReportSubmitted"
    assert [a["action"] for a in reporter["actions"]] == ["submitted", "approved", "forwarded"]
    assert receiver["informed_by"]["type"] == "ReportForwarded"
    assert receiver["first_informed_at"] == story.forwarded()["time"]
    assert [a["action"] for a in receiver["actions"]] == ["acknowledged"]


def test_events_a_projection_ignores_and_events_that_lack_fields() -> None:
    assert project("units", stored(Story().all())) == {}
    bad = StoredEvent(1, "ReportForwarded", None, "", None, {"incident_id": "i", "report_id": "r"})
    with pytest.raises(Malformed):
        project("knowledge", [bad])
    skipped: list[Malformed] = []
    good = stored(Story().all())
    docs: dict[str, Any] = {}
    touched: set[str] = set()
    fold_all(PROJECTIONS["knowledge"], docs, [bad, *good], skipped.append, touched)
    assert touched == {"i", good[0].data["incident_id"]} and list(docs) == [good[0].data["incident_id"]]
    assert len(skipped) == 1 and "position 1" in str(skipped[0])  # the bad event is skipped, the rest folded


def test_envelope_checks_and_anomaly_records_are_deterministic() -> None:
    with pytest.raises(NotAnEnvelope):
        check_envelope([1, 2])
    with pytest.raises(NotAnEnvelope):
        check_envelope({"id": "x", "type": "T"})
    with pytest.raises(NotAnEnvelope):
        check_envelope({"id": "x", "type": "T", "subject": "s", "data": {"v": float("nan")}})
    with pytest.raises(NotAnEnvelope):
        check_envelope(json.loads('{"id": "x", "type": "T", "subject": "s", "data": "\\u0000"}'))
    where = {"topic": "t", "partition": 1, "offset": 5, "timestamp_ms": 1_700_000_000_000}
    assert unreadable_envelope(b"\xff", reason="r", **where) == unreadable_envelope(b"\xff", reason="r", **where)
    one = conflict_envelope(event_id="e", first_position=3, stored_body="{}", incoming_body='{"a":1}', **where)
    other = conflict_envelope(event_id="e", first_position=3, stored_body="{}", incoming_body='{"a":2}', **where)
    assert one["id"] != other["id"]
    assert one["data"]["stored_body"] == "{}"
