"""Scope of writing (services.intake.domain.scope), pure: where a unit may report and on which incidents."""

from __future__ import annotations

import pytest

from services.intake.domain.scope import in_scope, refusal
from shared.events import UnitRegistered

DIRECTORY = {u.unit_id: u for u in (
    UnitRegistered(unit_id="pref", name="州委办", level="prefecture", kind="general_office"),
    UnitRegistered(unit_id="county", name="县委办", level="county", kind="general_office", parent_id="pref"),
    UnitRegistered(unit_id="sibling", name="邻县委办", level="county", kind="general_office", parent_id="pref"),
    UnitRegistered(unit_id="town", name="镇党政办", level="town", kind="general_office", parent_id="county"),
    UnitRegistered(unit_id="station", name="某站", level="town", kind="department", department_parent_id="county"),
    UnitRegistered(unit_id="other-pref", name="外州委办", level="prefecture", kind="general_office"),
    UnitRegistered(unit_id="loop", name="环", level="town", kind="department", parent_id="loop"),
)}


@pytest.mark.parametrize(("unit", "location", "allowed"), [
    ("county", "county", True), ("county", "town", True), ("county", "station", True), ("pref", "town", True),
    ("town", "county", False), ("sibling", "town", False), ("other-pref", "county", False),
    ("station", "county", False), ("county", "loop", False), ("county", "unregistered", False),
])
def test_a_location_is_in_scope_at_or_below_the_unit(unit: str, location: str, allowed: bool) -> None:
    assert in_scope(unit, location, DIRECTORY) is allowed
    why = refusal(unit, location_unit_id=location, incident_id=None, reported_before=False, directory=DIRECTORY)
    assert (why is None) is allowed
    if why is not None:
        assert location in why and " / " in why  # Chinese / English


def test_a_follow_up_needs_the_incident_in_scope_or_a_report_of_it_before() -> None:
    def may(unit: str, reported: bool) -> bool:
        return refusal(unit, location_unit_id="town", incident_id="inc-1", reported_before=reported,
                       directory=DIRECTORY) is None

    assert may("county", False) and may("pref", False)
    assert not may("sibling", False) and not may("other-pref", False)
    assert may("sibling", True)  # it reported (before the tree changed): it stays party to the incident
