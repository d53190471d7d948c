"""The archive's incident and report documents: numbering, closure and reopening, reasons after regrading."""

from __future__ import annotations

from typing import Any

from services.archive.domain.incident_state import apply_incident
from services.archive.domain.report_state import fold_report
from services.archive.domain.stored import StoredEvent
from tests.support.reports import report


def submitted(n: int, kind: str, **more: Any) -> tuple[str, dict[str, Any]]:
    label = {"initial": "首报", "final": "终报"}.get(kind, f"续报{'一二三四'[n - 1] if n else ''}")
    return "ReportSubmitted", {"report_id": f"r{n}", "incident_id": "i1", "received_at": f"2026-11-23T0{n}:00:00Z",
                               "report": report(kind=kind, incident_id="i1", **more), "grade": "IV",
                               "reportable": True, "reasons": ["road traffic: deaths ≥ 1"], "policy": "p@1",
                               "sequence": n, "label": label}


def incident(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    doc: dict[str, Any] | None = None
    for i, (kind, data) in enumerate(events):
        doc = apply_incident(doc, StoredEvent(i + 1, kind, f"2026-11-23T0{i}:30:00Z", "", None, data))
    assert doc is not None
    return doc


def test_a_report_carries_its_number_and_label() -> None:
    state = fold_report([submitted(2, "follow_up")])
    assert state is not None and (state["sequence"], state["label"]) == (2, "续报二")
    old = fold_report([("ReportSubmitted", {k: v for k, v in submitted(0, "initial")[1].items()
                                            if k not in ("sequence", "label")})])
    assert old is not None and (old["sequence"], old["label"]) == (None, None)  # stored before numbering


def test_the_final_report_closes_the_incident_and_a_reopening_opens_it() -> None:
    events = [submitted(0, "initial"), submitted(1, "follow_up"), submitted(2, "final")]
    doc = incident(events)
    assert doc["status"] == "closed" and doc["closed_at"] == "2026-11-23T02:00:00Z"
    assert [(r["sequence"], r["label"]) for r in doc["reports"]] == [(0, "首报"), (1, "续报一"), (2, "终报")]
    assert incident(events[:2])["status"] == "open"
    reopened = incident([*events, submitted(3, "follow_up", reopen=True, reopen_reason="新发现遇难者")])
    assert (reopened["status"], reopened["closed_at"]) == ("open", None)
    assert reopened["reopenings"] == [{"report_id": "r3", "at": "2026-11-23T03:00:00Z", "reason": "新发现遇难者"}]


def test_regrading_replaces_the_reasons_with_the_new_grades() -> None:
    regraded = ("IncidentRegraded", {"incident_id": "i1", "report_id": "r1", "previous_grade": "IV", "grade": "II",
                                     "reasons": ["road traffic: deaths ≥ 1", "grade II (major): deaths ≥ 10"],
                                     "policy": "p@1", "obligations": []})
    doc = incident([submitted(0, "initial"), submitted(1, "follow_up"), regraded])
    assert doc["grade"] == "II"
    assert doc["reasons"] == ["road traffic: deaths ≥ 1", "grade II (major): deaths ≥ 10"]
    quiet = ("ReportSubmitted", {**submitted(0, "initial")[1], "reportable": False, "grade": None, "reasons": []})
    made_reportable = ("IncidentRegraded", {**regraded[1], "previous_grade": None, "grade": "IV",
                                            "reasons": ["sensitivity: wide attention"]})
    doc = incident([quiet, made_reportable])
    assert (doc["reportable"], doc["grade"], doc["reasons"]) == (True, "IV", ["sensitivity: wide attention"])
