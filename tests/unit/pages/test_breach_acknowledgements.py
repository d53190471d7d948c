"""A breach's acknowledgement in the archive's read model and on the board (pure folds)."""

from datetime import UTC, datetime
from typing import Any

from services.archive.domain.projections import PROJECTIONS
from services.archive.domain.stored import StoredEvent
from services.archive.web.views import breach_list
from tests.support.reports import report

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def event(position: int, type_: str, **data: Any) -> StoredEvent:
    return StoredEvent(position=position, type=type_, time=None, recorded_at=f"2026-12-06T04:00:0{position}+00:00",
                       actor=None, data=data)


def breached(position: int, breach_id: str = "b1", unit: str = "town") -> StoredEvent:
    return event(position, "DeadlineBreached", breach_id=breach_id, incident_id="inc", unit_id=unit,
                 obligation="written_report", kind="late", deadline_at="2026-12-06T10:00:00+08:00",
                 detected_at="2026-12-06T10:00:01+08:00", policy="county-2h-10h@1")


def acknowledged(position: int, by: str, breach_id: str = "b1") -> StoredEvent:
    return event(position, "BreachAcknowledged", breach_id=breach_id, incident_id="inc", unit_id="town",
                 acknowledged_by=by, acknowledged_by_name=f"name of {by}", acknowledged_by_unit="county",
                 acknowledged_at=f"2026-12-06T12:0{position}:00+08:00")


def fold(*events: StoredEvent) -> dict[str, Any] | None:
    apply, doc = PROJECTIONS["breaches"].apply, None
    for e in events:
        doc = apply(doc, e) or doc
    return doc


def test_the_first_acknowledgement_stands_and_a_redelivered_breach_keeps_it() -> None:
    doc = fold(breached(1), acknowledged(2, "zhang"), acknowledged(3, "li"), breached(4))
    assert doc is not None
    assert (doc["acknowledged_by"], doc["acknowledged_by_name"], doc["acknowledged_at"]) == (
        "zhang", "name of zhang", "2026-12-06T12:02:00+08:00")
    assert fold(breached(1))["acknowledged_at"] is None  # type: ignore[index]


def test_an_acknowledgement_of_no_breach_makes_no_document() -> None:
    assert PROJECTIONS["breaches"].apply(None, acknowledged(1, "zhang")) is None


def submitted(position: int, unit: str, phone: str, classification: str = "internal") -> StoredEvent:
    body = report(reporting_unit=unit, contact={"name": f"contact of {unit}", "phone": phone},
                  classification=classification)
    return event(position, "ReportSubmitted", report_id=f"r{position}", incident_id="inc", report=body)


def test_the_board_gives_the_breached_units_newest_contact_it_may_read_and_the_acknowledgement() -> None:
    events = [submitted(1, "town", "111"), submitted(2, "county", "222"), submitted(3, "town", "333"),
              submitted(4, "town", "444", classification="secret"), breached(5), breached(6, "b2", unit="county"),
              acknowledged(7, "zhang"), breached(8, "b3", unit="elsewhere")]
    rows = breach_list(events, {"town", "county"}, "internal")
    assert [r["breach_id"] for r in rows] == ["b2", "b1"]  # newest first, only those in scope
    assert rows[1]["contact"] == {"name": "contact of town", "phone": "333"}  # not the secret report's
    assert rows[0]["contact"] == {"name": "contact of county", "phone": "222"}
    assert (rows[1]["acknowledged_by"], rows[0]["acknowledged_by"]) == ("zhang", None)
    assert breach_list(events, {"town"}, "secret")[0]["contact"]["phone"] == "444"
