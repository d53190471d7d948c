from services.archive.domain.report_state import fold_report
from tests.support.reports import report


def submitted() -> tuple[str, dict[str, object]]:
    return "ReportSubmitted", {"report_id": "r1", "incident_id": "i1", "received_at": "2026-11-23T01:00:00Z",
                               "report": report(incident_id="i1"), "grade": "IV", "reportable": True}


def test_a_report_never_submitted_has_no_state() -> None:
    assert fold_report([("ReportForwarded", {"to_unit_id": "x"})]) is None


def test_status_follows_the_hops_in_order() -> None:
    events = [submitted()]
    assert fold_report(events)["status"] == "pending_approval"  # type: ignore[index]
    events.append(("ReportApproved", {"final": False}))
    assert fold_report(events)["status"] == "pending_approval"  # type: ignore[index]
    events.append(("ReportApproved", {"final": True}))
    assert fold_report(events)["status"] == "approved"  # type: ignore[index]
    events.append(("ReportForwarded", {"to_unit_id": "county-x-office"}))
    events.append(("ReportForwarded", {"to_unit_id": "county-x-office"}))
    state = fold_report(events)
    assert state is not None
    assert state["status"] == "forwarded"
    assert state["forwarded_to"] == ["county-x-office"]
