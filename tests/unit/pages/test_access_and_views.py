"""Whether a record is in a viewer's scope, and the demo's inputs."""

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from deploy.demo.generator import report_limit
from deploy.demo.incidents import make_incident, place_of
from deploy.demo.units import reporting_units
from services.archive.web.views import may_see
from shared.policy import load_pack, pack_for
from shared.report import Report


def test_may_see_needs_one_of_the_records_units_in_scope() -> None:
    assert may_see({"town", "village"}, ["other", "village"])
    assert not may_see({"town"}, ["other", None])
    assert not may_see(set(), ["town"])
    assert may_see(None, ["anything"])


def test_demo_reports_are_contract_shaped_and_units_fall_back(tmp_path: Path) -> None:
    rng = random.Random(7)
    plans = set()
    limit = report_limit("demo-town-a-office", "general_office")
    assert limit == timedelta(hours=2)  # the default pack (county-2h-10h)
    for _ in range(40):
        now = datetime.now(UTC)
        incident = make_incident(rng, "demo-town-a-office", "城关镇党政办", now, limit)
        Report.model_validate(incident.body)
        plans.add(incident.plan)
        ago = now - datetime.fromisoformat(incident.body["occurred_at"])
        assert (ago > limit) == (incident.plan == "late")
        assert incident.body["title"].startswith("城关镇") and "党政办" not in incident.body["title"]
    assert plans == {"on_time", "late", "unsigned"}
    assert place_of("县第一中学") == "县第一中学"
    (tmp_path / "units.yaml").write_text(
        "units:\n  - {id: a, name: 甲, level: county, kind: general_office}\n"
        "  - {id: b, name: 乙, level: town, kind: general_office, parent_id: a}\n", encoding="utf-8")
    assert reporting_units(tmp_path / "units.yaml") == [("b", "乙", "general_office")]
    assert ("town-a-office", "城关镇党政办", "general_office") in reporting_units()


def test_every_demo_sender_is_timed_against_its_own_pack() -> None:
    limits = {unit_id: report_limit(unit_id, kind) for unit_id, _, kind in reporting_units()}
    assert pack_for(unit_id="school-a", unit_kind="school").name == "school-2h"  # no written report: a phone call
    [phone] = [r for r in load_pack("school-2h").obligations if r.obligation == "phone_report"]
    assert limits["school-a"] == phone.late_after
    assert limits["town-a-office"] == timedelta(hours=2)
