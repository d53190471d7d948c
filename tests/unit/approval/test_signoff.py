"""Who may decide or acknowledge, and when a sign-off is final (pure rules, no I/O)."""

import pytest

from services.approval.domain import facts
from services.approval.domain.signoff import Entry, Refused, check_decision, check_receipt
from shared.envelope import now_utc
from shared.policy import load_pack

PACK = load_pack("county-2h-10h")
PENDING = Entry("rpt-1", "town", "sign_off", "submitted", "pending")
#: Grades I and II: the approver's step, then the principal's (the default pack's principal_sign_off).
TWO_STEPS = PACK.sign_off_steps(grade="II", reportable=True)


def status(**kw: object) -> int:
    args: dict[str, object] = {"roles": ["approver"], "entry": PENDING, "decision": "approve", "comment": "",
                               "steps": TWO_STEPS}
    args.update(kw)
    try:
        check_decision(**args)  # type: ignore[arg-type]
    except Refused as refused:
        return refused.status
    return 202


def test_only_signing_roles_of_the_queue_decide() -> None:
    assert status() == 202
    assert status(roles=["principal"]) == 202
    assert status(roles=["reporter"]) == 403
    assert status(roles=["duty_officer", "investigator"]) == 403
    assert status(entry=None) == 403


def test_deciding_twice_or_on_a_copy_is_a_conflict() -> None:
    assert status(entry=Entry("rpt-1", "town", "sign_off", "submitted", "signed")) == 409
    assert status(entry=Entry("rpt-1", "town", "sign_off", "submitted", "rejected")) == 409
    assert status(entry=Entry("rpt-1", "county", "inform", "department", "delivered")) == 409
    waiting = Entry("rpt-1", "town", "sign_off", "submitted", "awaiting_principal", steps_done=1)
    assert status(entry=waiting) == 409
    assert status(entry=waiting, roles=["principal"]) == 202


def test_a_rejection_needs_a_reason() -> None:
    with pytest.raises(Refused) as refused:
        check_decision(roles=["principal"], entry=PENDING, decision="reject", comment="  ", steps=TWO_STEPS)
    assert (refused.value.status, refused.value.field) == (422, "comment")
    assert status(decision="reject", comment="数据不实") == 202


@pytest.mark.parametrize(("grade", "role", "final"), [
    ("I", "approver", False), ("II", "approver", False), ("II", "principal", True),
    ("III", "approver", True), ("IV", "approver", True),
])
def test_grades_i_and_ii_need_the_principal(grade: str, role: str, final: bool) -> None:
    steps = PACK.sign_off_steps(grade=grade, reportable=True)  # type: ignore[arg-type]
    step = check_decision(roles=[role], entry=PENDING, decision="approve", comment="", steps=steps)
    assert step.final is final


def test_receipts_only_from_units_the_report_was_forwarded_to() -> None:
    check_receipt(unit="county", entry=Entry("rpt-1", "county", "sign_off", "main", "signed"))
    check_receipt(unit="county", entry=Entry("rpt-1", "county", "notice", "skip_notice", "delivered"))
    for unit, entry in [("town", PENDING), ("other", None), (None, None)]:
        with pytest.raises(Refused) as refused:
            check_receipt(unit=unit, entry=entry)
        assert refused.value.status == 403


def test_derived_event_ids_are_deterministic_per_report_unit_and_step() -> None:
    ctx = facts.Context(report_id="rpt-1", incident_id="inc-1", policy="county-2h-10h@1", actor="a",
                        actor_unit="town", time=now_utc())
    later = facts.Context(report_id="rpt-1", incident_id="inc-1", policy="county-2h-10h@1", actor="b",
                          actor_unit="town", time=now_utc())
    one = facts.forwarded(ctx, from_unit_id="town", to_unit_id="county", channel="main", report_channel="written",
                          emergency=False)
    again = facts.forwarded(later, from_unit_id="town", to_unit_id="county", channel="main",
                            report_channel="written", emergency=False)
    other = facts.forwarded(ctx, from_unit_id="town", to_unit_id="county-ajj", channel="department",
                            report_channel="written", emergency=False)
    assert one.id == again.id != other.id
    assert one.partitionkey == "inc-1" and one.type == "ReportForwarded"
    assert facts.approved(ctx, unit_id="town", approver="a", role="approver", comment="", final=False).id != \
        facts.approved(ctx, unit_id="town", approver="a", role="approver", comment="", final=True).id
