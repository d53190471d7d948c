"""Who sees what (unit subtrees), the replay's cut by recorded_at, and the demo's inputs."""

import random
from datetime import UTC, datetime
from pathlib import Path

from deploy.demo.incidents import make_incident, place_of
from deploy.demo.units import reporting_units
from services.archive.stats.domain import UnitInfo
from services.archive.web.access import may_see, subtree, visible_units
from services.archive.web.views import replay
from shared.auth import Principal
from shared.report import Report

UNITS = {u.unit_id: u for u in (
    UnitInfo("county", parent_id=None), UnitInfo("town", parent_id="county"), UnitInfo("village", parent_id="town"),
    UnitInfo("school", parent_id="other", department_parent_id="town"), UnitInfo("other"))}


def test_subtree_follows_both_parent_links_and_roles_widen_it() -> None:
    assert subtree(UNITS, "county") == {"county", "town", "village", "school"}
    assert subtree(UNITS, "village") == {"village"}
    duty = Principal("d", "town", frozenset({"duty_officer"}))
    assert visible_units(duty, UNITS) == {"town", "village", "school"}
    assert visible_units(Principal("i", None, frozenset({"investigator"})), UNITS) is None
    assert not may_see(visible_units(duty, UNITS), ["other", None])
    assert may_see(None, ["anything"])


def event(position: int, recorded: str, type_: str, **data: object) -> dict[str, object]:
    return {"position": position, "recorded_at": recorded, "time": recorded, "type": type_, "data": data}


def test_replay_cuts_at_recorded_at_and_tracks_who_knew() -> None:
    report = {"reporting_unit": "town", "location": {"unit_id": "town"}, "kind": "initial", "title": "t"}
    events = [
        event(1, "2026-10-01T10:00:00+00:00", "ReportSubmitted", report_id="r", incident_id="i",
              received_at="2026-10-01T09:59:00+00:00", report=report),
        event(2, "2026-10-01T11:00:00+00:00", "ReportForwarded", report_id="r", incident_id="i",
              from_unit_id="town", to_unit_id="county"),
    ]
    early = replay(events, datetime(2026, 10, 1, 10, 30, tzinfo=UTC))
    assert [e["type"] for e in early["events"]] == ["ReportSubmitted"]
    assert [k["unit_id"] for k in early["knew"]] == ["town"]
    assert early["reports"][0]["status"] == "pending_approval"
    late = replay(events, None)
    assert [k["unit_id"] for k in late["knew"]] == ["town", "county"]
    assert late["reports"][0]["status"] == "forwarded"
    assert early["involved_units"] == ["county", "town"]


def test_demo_reports_are_contract_shaped_and_units_fall_back(tmp_path: Path) -> None:
    rng = random.Random(7)
    plans = set()
    for _ in range(40):
        incident = make_incident(rng, "demo-town-a-office", "城关镇党政办", datetime.now(UTC))
        Report.model_validate(incident.body)
        plans.add(incident.plan)
        assert incident.body["title"].startswith("城关镇") and "党政办" not in incident.body["title"]
    assert plans == {"on_time", "late", "unsigned"}
    assert place_of("县第一中学") == "县第一中学"
    (tmp_path / "units.yaml").write_text(
        "units:\n  - {id: a, name: 甲, level: county, kind: general_office}\n"
        "  - {id: b, name: 乙, level: town, kind: general_office, parent_id: a}\n", encoding="utf-8")
    assert reporting_units(tmp_path / "units.yaml") == [("b", "乙")]
    assert ("town-a-office", "城关镇党政办") in reporting_units()
