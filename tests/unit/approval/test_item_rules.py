"""Work information's pure rules in approval: sign-off steps, where items go, adoption, forwarding, requests."""

from datetime import timedelta

import pytest

from services.approval.domain import item_facts
from services.approval.domain.item_reach import check_reached, check_role, forward_target, publication_for
from services.approval.domain.item_requests import check_request, new_request_id
from services.approval.domain.item_signoff import Pending, Step, check_item_decision, sign_off_hops
from services.approval.domain.signoff import Refused
from shared.envelope import now_utc
from shared.events import UnitRegistered
from shared.information import load_info_pack
from shared.policy import SignOffStep

COUNTY_PACK = load_info_pack("info-county")
ONE_STEP = COUNTY_PACK.sign_off
THREE_STEPS = (
    SignOffStep(roles=("section_head",), name={"zh": "科室负责人审核", "en": "section head"}),  # type: ignore[arg-type]
    SignOffStep(roles=("leader",), name={"zh": "分管领导审核", "en": "deputy"}),  # type: ignore[arg-type]
    SignOffStep(roles=("principal",), name={"zh": "主要领导签发", "en": "principal"}),  # type: ignore[arg-type]
)
TOWN = UnitRegistered(unit_id="town", name="镇", level="town", kind="general_office", parent_id="county",
                      department_parent_id="county-dept")
COUNTY = UnitRegistered(unit_id="county", name="县委办", level="county", kind="general_office", parent_id="pref")
PROVINCE = UnitRegistered(unit_id="prov", name="省委办", level="province", kind="general_office")


def decide(roles: list[str], *, unit: str | None = "town", state: str = "pending", done: int = 0,
           steps: tuple[SignOffStep, ...] = ONE_STEP, decision: str = "approve", comment: str = "") -> Step | int:
    try:
        return check_item_decision(roles=roles, unit=unit, item=Pending("town", state, done), steps=steps,
                                   decision=decision, comment=comment)  # type: ignore[arg-type]
    except Refused as refused:
        return refused.status


def test_the_default_pack_has_one_step_decided_by_an_approver_or_the_principal() -> None:
    assert decide(["approver"]) == Step(0, "approver", final=True)
    assert decide(["approver", "principal"]) == Step(0, "principal", final=True)
    assert decide(["reporter"]) == decide(["editor"]) == decide(["duty_officer"]) == 403
    assert decide(["approver"], unit="county") == decide(["approver"], unit=None) == 403


def test_each_step_is_decided_once_and_in_order() -> None:
    assert decide(["approver"], state="approved", done=1) == 409
    assert decide(["principal"], state="rejected") == 409
    assert decide(["section_head"], steps=THREE_STEPS) == Step(0, "section_head", final=False)
    assert decide(["section_head"], steps=THREE_STEPS, done=1) == 409  # its step is decided
    assert decide(["principal"], steps=THREE_STEPS, done=1) == 409  # waits for the deputy first
    assert decide(["leader"], steps=THREE_STEPS, done=1) == Step(1, "leader", final=False)
    assert decide(["principal"], steps=THREE_STEPS, done=2) == Step(2, "principal", final=True)


def test_a_rejection_needs_a_reason() -> None:
    with pytest.raises(Refused) as refused:
        check_item_decision(roles=["approver"], unit="town", item=Pending("town", "pending", 0), steps=ONE_STEP,
                            decision="reject", comment="  ")
    assert (refused.value.status, refused.value.field) == (422, "comment")
    assert decide(["approver"], decision="reject", comment="数据待核实") == Step(0, "approver", final=True)


def test_a_signed_item_goes_to_the_parent_and_the_department_parent() -> None:
    assert sign_off_hops(TOWN) == [("county", "main"), ("county-dept", "department")]
    assert sign_off_hops(COUNTY) == [("pref", "main")]
    assert sign_off_hops(PROVINCE) == []
    same = TOWN.model_copy(update={"department_parent_id": "county"})
    assert sign_off_hops(same) == [("county", "main")]


def test_only_a_reached_unit_and_the_right_role_act() -> None:
    assert check_reached("county", {"county", "county-dept"}) == "county"
    for unit in ("town", None):
        with pytest.raises(Refused) as refused:
            check_reached(unit, {"county"})
        assert refused.value.status == 403
    check_role(["editor"], "editor", action_zh="采用信息", action_en="adopt an item")
    with pytest.raises(Refused) as refused:
        check_role(["approver", "principal"], "editor", action_zh="采用信息", action_en="adopt an item")
    assert refused.value.status == 403 and "editor" in refused.value.en


def test_a_unit_adopts_only_into_its_own_levels_publications() -> None:
    county_pubs = [p.name for p in COUNTY_PACK.publications if p.level == "county"]
    assert county_pubs, "the default pack has county publications"
    found = publication_for(COUNTY_PACK, COUNTY, county_pubs[0])
    assert (found.name, found.level) == (county_pubs[0], "county")
    with pytest.raises(Refused) as refused:
        publication_for(COUNTY_PACK, COUNTY, "人民日报")
    assert (refused.value.status, refused.value.field) == (422, "publication")
    assert refused.value.extra["publications"] == county_pubs
    assert all(name in refused.value.zh and name in refused.value.en for name in county_pubs)


def test_forwarding_goes_to_the_parent_once() -> None:
    assert forward_target(COUNTY, forwarded_from_here=False, reached={"county"}) == "pref"
    with pytest.raises(Refused) as refused:
        forward_target(COUNTY, forwarded_from_here=True, reached={"county"})
    assert refused.value.status == 409
    with pytest.raises(Refused) as refused:
        forward_target(COUNTY, forwarded_from_here=False, reached={"county", "pref"})
    assert refused.value.status == 409
    with pytest.raises(Refused) as refused:
        forward_target(PROVINCE, forwarded_from_here=False, reached={"prov"})
    assert refused.value.status == 422


def test_a_request_names_known_units_and_a_due_time_ahead_within_bounds() -> None:
    now = now_utc()
    ok = {"to_units": ["a", "b"], "known": {"a", "b"}, "due_at": now + timedelta(days=7), "now": now,
          "max_ahead": timedelta(days=366)}
    check_request(**ok)  # type: ignore[arg-type]
    cases = [({"to_units": ["a", "x", "y"]}, "to_units"), ({"due_at": now - timedelta(seconds=1)}, "due_at"),
             ({"due_at": now + timedelta(days=367)}, "due_at")]
    for change, field in cases:
        with pytest.raises(Refused) as refused:
            check_request(**{**ok, **change})  # type: ignore[arg-type]
        assert (refused.value.status, refused.value.field) == (422, field)
    with pytest.raises(Refused) as refused:
        check_request(**{**ok, "to_units": ["a", "x", "y"]})  # type: ignore[arg-type]
    assert refused.value.extra["unknown_units"] == ["x", "y"]


def test_ids_are_deterministic_where_a_retry_could_repeat_them() -> None:
    adoption, step = item_facts.adoption_id, item_facts.item_step_id
    assert adoption("itm-1", "要情快报", "county") == adoption("itm-1", "要情快报", "county")
    assert adoption("itm-1", "要情快报", "county") != adoption("itm-1", "要情快报", "pref")
    assert step("itm-1", "town", "approved:0") != step("itm-1", "town", "rejected")
    assert new_request_id(unit_id="c", idempotency_key="k") == new_request_id(unit_id="c", idempotency_key="k")
    assert new_request_id(unit_id="c", idempotency_key=None) != new_request_id(unit_id="c", idempotency_key=None)

