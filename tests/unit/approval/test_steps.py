"""The one sign-off step engine: the default pack's behaviour, the full chain, emergency skips (pure)."""

import pytest

from services.approval.domain.refused import Refused
from services.approval.domain.steps import Step, decide_step
from shared.policy import load_pack

DEFAULT = load_pack("county-2h-10h")
FULL = load_pack("county-full-chain")
CHAIN = FULL.sign_off_steps(grade="IV", reportable=True)


def decide(roles: list[str], *, steps: object = CHAIN, done: int = 0, decision: str = "approve",
           skip: bool = False) -> Step | int:
    try:
        return decide_step(steps=steps, done=done, roles=roles, decision=decision, comment="理由",  # type: ignore[arg-type]
                           skip=skip)
    except Refused as refused:
        return refused.status


def test_the_default_pack_signs_as_before() -> None:
    one = DEFAULT.sign_off_steps(grade="III", reportable=True)
    assert [s.stage_name for s in one] == ["approver"]
    assert decide(["approver"], steps=one) == Step(0, "approver", final=True)
    two = DEFAULT.sign_off_steps(grade="I", reportable=True)
    assert [s.stage_name for s in two] == ["approver", "principal"]
    assert decide(["approver"], steps=two) == Step(0, "approver", final=False)
    # the principal signs once: their approval settles the principal's step too
    assert decide(["principal"], steps=two) == Step(0, "principal", final=True, through=1)
    assert decide(["approver"], steps=two, done=1) == 409
    assert [s.stage_name for s in DEFAULT.sign_off_steps(grade=None, reportable=False)] == ["approver"]


def test_the_full_chain_is_climbed_in_order() -> None:
    assert [s.stage_name for s in CHAIN] == ["section_head", "leader", "principal"]
    assert FULL.sign_off_steps(grade="I", reportable=True) == CHAIN  # every grade, by the pack
    assert FULL.routes == DEFAULT.routes  # everything else is the default pack's
    assert decide(["approver"]) == 403
    assert decide(["leader"]) == decide(["principal"]) == 409
    assert decide(["section_head"]) == Step(0, "section_head", final=False)
    assert decide(["leader"], done=1) == Step(1, "leader", final=False)
    assert decide(["principal"], done=2) == Step(2, "principal", final=True)
    assert decide(["section_head"], done=1) == 409


def test_an_emergency_passes_over_only_the_steps_the_pack_names() -> None:
    assert decide(["principal"], skip=True) == Step(2, "principal", final=True, skipped=(0, 1))
    assert decide(["leader"], skip=True) == Step(1, "leader", final=False, skipped=(0,))
    assert decide(["principal"], done=1, skip=True) == Step(2, "principal", final=True, skipped=(1,))
    strict = tuple(s.model_copy(update={"emergency_skip_by": ()}) for s in CHAIN)
    with pytest.raises(Refused) as refused:
        decide_step(steps=strict, done=0, roles=["principal"], decision="approve", comment="", skip=True)
    assert (refused.value.status, refused.value.field) == (422, "skip_steps")
    assert decide(["section_head"], done=1, skip=True) == 409  # nothing of theirs ahead


def test_a_rejection_is_given_at_the_waiting_step() -> None:
    assert decide(["section_head"], decision="reject") == Step(0, "section_head", final=False)
    assert decide(["principal"], done=2, decision="reject") == Step(2, "principal", final=True)
