"""责任倒查: who held a report when a deadline passed (pure)."""

from datetime import UTC, datetime, timedelta

from services.escalation.domain.responsibility import ChainStep, Decided, Holding, item_responsible, responsible
from shared.policy import load_pack

T = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
M = timedelta(minutes=1)
CHAIN = (ChainStep("section_head", ("section_head",)), ChainStep("leader", ("leader",)),
         ChainStep("principal", ("principal",)))
HEAD = Decided("王五", "section_head", "approve", T + 10 * M, 1, "section_head")


def people(holdings: list[Holding], deadline: datetime = T + 60 * M, obligation: str = "written_report") -> list:
    return [(p.subject, p.stage, p.step, p.held) for p in responsible("town", obligation, deadline, holdings).persons]


def test_the_step_waiting_at_the_deadline_held_it_and_the_earlier_ones_are_named() -> None:
    waiting = Holding("r1", "town", "李明", CHAIN, T, None, (HEAD,))
    assert people([waiting]) == [("李明", "drafter", None, False), ("王五", "section_head", 1, False),
                                 (None, "leader", 2, True)]
    # a decision after the deadline does not move who held it then
    late_leader = Decided("赵六", "leader", "approve", T + 70 * M, 2, "leader")
    assert people([Holding("r1", "town", "李明", CHAIN, T, None, (HEAD, late_leader))])[-1] == (None, "leader", 2,
                                                                                              True)


def test_no_report_in_sign_off_means_the_drafting_held_it() -> None:
    assert people([]) == [(None, "drafter", None, True)]
    submitted_late = Holding("r1", "town", "李明", CHAIN, T + 90 * M, None)
    assert people([submitted_late]) == [("李明", "drafter", None, True)]
    sent_back = Holding("r1", "town", "李明", CHAIN, T, T + 20 * M,
                        (Decided("王五", "section_head", "reject", T + 20 * M, 1, "section_head"),))
    assert people([sent_back]) == [("李明", "drafter", None, True), ("王五", "section_head", 1, False)]


def test_a_level_above_names_its_own_signers_and_receipts_name_the_unit() -> None:
    arrived = Holding("r1", "county", None, CHAIN, T, None)
    assert [(p.stage, p.held) for p in responsible("county", "forward", T + 60 * M, [arrived]).persons] == [
        ("section_head", True)]
    assert responsible("county", "receipt", T + 60 * M, [arrived]).persons == []


def test_a_late_item_names_its_drafter_and_the_step_it_waits_at() -> None:
    steps = load_pack("county-full-chain").sign_off_steps(grade="IV", reportable=True)
    traced = item_responsible("town", drafter="李明", steps=steps, done=1)
    assert [(p.subject, p.stage, p.held) for p in traced.persons] == [("李明", "drafter", False),
                                                                      (None, "leader", True)]
