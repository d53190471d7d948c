"""Where a signed report goes next, from the default pack's routes (pure rules, no I/O)."""

import pytest

from services.approval.domain.routing import Hop, RoutingRefused, plan_forwards
from services.approval.domain.signoff import route_for
from shared.events import UnitRegistered
from shared.policy import load_pack

PACK = load_pack("county-2h-10h")
UNITS = {u.unit_id: u for u in (
    UnitRegistered(unit_id="prov", name="省委办公厅", level="province", kind="general_office"),
    UnitRegistered(unit_id="pref", name="州委办", level="prefecture", kind="general_office", parent_id="prov"),
    UnitRegistered(unit_id="county", name="县委办", level="county", kind="general_office", parent_id="pref"),
    UnitRegistered(unit_id="county-ajj", name="县应急管理局", level="county", kind="department", parent_id="county",
                   department_parent_id="pref-ajj"),
    UnitRegistered(unit_id="town", name="城关镇党政办", level="town", kind="general_office", parent_id="county",
                   department_parent_id="county-ajj"),
)}


def plan(unit: str, grade: str | None, *, origin: bool = False, reportable: bool = True,
         emergency: bool = False) -> list[Hop]:
    route = route_for(PACK, grade=grade, reportable=reportable)  # type: ignore[arg-type]
    return plan_forwards(UNITS[unit], origin=origin, route=route, reportable=reportable, emergency=emergency,
                         lookup=UNITS.get)


def test_the_reporting_town_forwards_to_its_office_and_its_department_parent() -> None:
    assert plan("town", "III", origin=True) == [Hop("county", "main", "sign_off"),
                                                 Hop("county-ajj", "department", "inform")]


@pytest.mark.parametrize(("grade", "county", "prefecture"), [
    ("IV", Hop("pref", "main", "inform"), []),
    ("III", Hop("pref", "main", "sign_off"), [Hop("prov", "main", "inform")]),
    ("I", Hop("pref", "main", "sign_off"), [Hop("prov", "main", "inform")]),
])
def test_each_grade_climbs_as_far_as_its_route(grade: str, county: Hop, prefecture: list[Hop]) -> None:
    assert plan("county", grade) == [county]
    assert plan("pref", grade) == prefecture
    assert plan("prov", grade) == []


def test_a_department_reports_to_its_office_which_carries_it_up_and_to_its_functional_superior() -> None:
    assert plan("county-ajj", "IV", origin=True) == [Hop("county", "main", "sign_off"),
                                                      Hop("pref-ajj", "department", "inform")]


def test_not_reportable_goes_to_the_parent_once_as_a_copy() -> None:
    assert plan("town", None, origin=True, reportable=False) == [Hop("county", "main", "inform"),
                                                                  Hop("county-ajj", "department", "inform")]
    assert plan("county", None, reportable=False) == []


def test_an_ungraded_reportable_report_travels_as_grade_iv() -> None:
    assert plan("county", None) == plan("county", "IV")


def test_emergency_skips_one_level_and_notifies_it() -> None:
    assert plan("town", "II", origin=True, emergency=True) == [
        Hop("county", "skip_notice", "notice"), Hop("pref", "main", "sign_off"),
        Hop("county-ajj", "department", "inform")]


@pytest.mark.parametrize(("unit", "grade"), [("town", "III"), ("town", "IV"), ("pref", "II"), ("prov", "I")])
def test_emergency_is_refused_where_the_pack_forbids_it_or_nothing_is_left_to_skip(unit: str, grade: str) -> None:
    with pytest.raises(RoutingRefused) as refused:
        plan(unit, grade, origin=unit == "town", emergency=True)
    assert refused.value.field == "emergency"
