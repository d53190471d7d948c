"""责任倒查: who held a report when a deadline passed, and who had decided before them (pure).

Escalation follows each report through the sign-off chain of every unit that must sign it (a *holding*:
the report arrived there, steps were decided, it left signed, or was rejected or replaced). A breach of a
unit's obligation names, as things stood at the deadline: the drafter (who submitted the report, in the
unit that wrote it), every step decided by then with its person, and the step that held the report — its
stage and role, no person yet (any holder of the role could have decided it). A unit with no report in
sign-off at the deadline was still drafting: the drafter held it (the one who submitted later, or whose
report was sent back, when known). Receipts are owed by the whole receiving unit, not a chain: their
breaches name the unit only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.events import Responsible, ResponsiblePerson
from shared.policy import SignOffStep

DRAFTER_STAGE = "drafter"
DRAFTER_ROLE = "reporter"
#: Obligations of a whole unit rather than of a report in its sign-off chain.
NOT_TRACED = frozenset({"receipt"})


@dataclass(frozen=True)
class ChainStep:
    """One step of a holding's chain, as the report's pack gave it when it arrived."""

    stage: str
    roles: tuple[str, ...]
    hold: timedelta | None = None


@dataclass(frozen=True)
class Decided:
    """A decision on a report in a unit: an approval settles up to ``step`` (from 1); a rejection ends it there."""

    subject: str
    role: str
    decision: str
    at: datetime
    step: int | None
    stage: str | None


@dataclass(frozen=True)
class Holding:
    """A report in one unit's sign-off: from its arrival until it left (signed), was rejected or replaced."""

    report_id: str
    unit_id: str
    drafter: str | None
    chain: tuple[ChainStep, ...]
    arrived_at: datetime
    ended_at: datetime | None
    decisions: tuple[Decided, ...] = ()

    def open_at(self, moment: datetime) -> bool:
        return self.arrived_at <= moment and (self.ended_at is None or self.ended_at > moment)

    def steps_done(self, moment: datetime) -> int:
        """The steps approved by ``moment`` (an approval before chains counts as the first)."""
        return max((d.step or 1 for d in self.decisions if d.decision == "approve" and d.at <= moment), default=0)


def responsible(unit_id: str, obligation: str, deadline: datetime, holdings: Sequence[Holding]) -> Responsible:
    """Who a breach of ``unit_id``'s ``obligation`` at ``deadline`` traces back to."""
    if obligation in NOT_TRACED:
        return Responsible(unit_id=unit_id)
    mine = sorted((h for h in holdings if h.unit_id == unit_id), key=lambda h: h.arrived_at)
    holding = next((h for h in reversed(mine) if h.open_at(deadline)), None)
    if holding is not None:
        return Responsible(unit_id=unit_id, persons=[*_drafter(holding), *_decided(holding, deadline),
                                                     _waiting(holding, deadline)])
    earlier = [h for h in mine if h.arrived_at <= deadline and h.drafter]
    later = [h for h in mine if h.arrived_at > deadline and h.drafter]
    drafter = earlier[-1].drafter if earlier else later[0].drafter if later else None
    held = ResponsiblePerson(subject=drafter, role=DRAFTER_ROLE, stage=DRAFTER_STAGE, held=True)
    return Responsible(unit_id=unit_id, persons=[held, *(_decided(earlier[-1], deadline) if earlier else [])])


def _drafter(holding: Holding) -> list[ResponsiblePerson]:
    if holding.drafter is None:  # a report that came up from below: its drafter is another unit's
        return []
    return [ResponsiblePerson(subject=holding.drafter, role=DRAFTER_ROLE, stage=DRAFTER_STAGE,
                              decided_at=holding.arrived_at)]


def _decided(holding: Holding, deadline: datetime) -> list[ResponsiblePerson]:
    return [ResponsiblePerson(subject=d.subject, role=d.role, stage=d.stage or d.role, step=d.step, decided_at=d.at)
            for d in holding.decisions if d.at <= deadline]


def _waiting(holding: Holding, deadline: datetime) -> ResponsiblePerson:
    done = holding.steps_done(deadline)
    if done >= len(holding.chain):  # decided but not yet out (a forward still to come): its last signer held it
        last = holding.chain[-1]
        return ResponsiblePerson(subject=None, role=last.roles[0], stage=last.stage, step=len(holding.chain),
                                 held=True)
    step = holding.chain[done]
    return ResponsiblePerson(subject=None, role=step.roles[0], stage=step.stage, step=done + 1, held=True)


def item_responsible(unit_id: str, *, drafter: str | None, steps: Sequence[SignOffStep], done: int) -> Responsible:
    """A late work item: its drafter, and the sign-off step it waited at (the unit's, by its information pack)."""
    persons = [ResponsiblePerson(subject=drafter, role=DRAFTER_ROLE, stage=DRAFTER_STAGE)]
    if done < len(steps):
        step = steps[done]
        persons.append(ResponsiblePerson(subject=None, role=step.roles[0], stage=step.stage_name, step=done + 1,
                                         held=True))
    return Responsible(unit_id=unit_id, persons=persons)
