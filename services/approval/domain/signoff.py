"""Who may sign off or acknowledge what (pure).

A report waits in a unit's queue as an :class:`Entry`. Only a signer of that unit decides on a ``sign_off``
entry, step by step as the report's pack names the steps (``domain/steps.py``; the default: an approver or
the principal, and then the principal where the grade's route demands it — grades I and II). Receipts (回执)
are given by any role of a unit the report was forwarded to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.approval.domain.refused import Decision, Refused
from services.approval.domain.steps import Step, decide_step
from shared.events import Grade
from shared.policy import ROLE_STRENGTH, Pack, Route, SignOffStep

__all__ = ["Decision", "Entry", "Refused", "awaiting", "check_decision", "check_receipt", "is_open",
           "route_for", "signs_anything"]


def is_open(state: str) -> bool:
    """A sign-off entry still waiting for a step: ``pending`` (none decided) or ``awaiting_<stage>``."""
    return state == "pending" or state.startswith("awaiting_")


def awaiting(stage: str) -> str:
    return f"awaiting_{stage}"


@dataclass(frozen=True)
class Entry:
    """A report in one unit's queue; ``steps_done``: the sign-off steps decided there so far."""

    report_id: str
    unit_id: str
    kind: str
    via: str
    state: str
    steps_done: int = 0


def route_for(pack: Pack, *, grade: Grade | None, reportable: bool) -> Route | None:
    """The grade's route; a reportable report not graded yet travels as the mildest grade (IV)."""
    if not reportable:
        return None
    return pack.routes.get(grade or "IV")


def signs_anything(roles: Iterable[str]) -> bool:
    """Whether the caller holds any signing role (approver, section head, leader, principal)."""
    return bool(set(roles).intersection(ROLE_STRENGTH))


def check_decision(*, roles: Iterable[str], entry: Entry | None, decision: Decision, comment: str,
                   steps: Sequence[SignOffStep], skip: bool = False) -> Step:
    """The step the caller's decision settles, or :class:`Refused` (403 / 409 / 422)."""
    held = list(roles)
    if not signs_anything(held):
        raise Refused(403, "Forbidden",
                      "只有本单位的签发人（审核人、科室负责人、分管领导、主要领导）可以签发或退回报告",
                      "only a signer of this unit (approver, section head, leader, principal) may sign off or"
                      " reject a report")
    if entry is None:
        raise Refused(403, "Forbidden", "该报告不在本单位的待签队列中", "the report is not in your unit's queue")
    if entry.kind != "sign_off":
        raise Refused(409, "Conflict", "这是抄送或越级通知，无需签发；请回执", "a copy or notice: send a receipt")
    if not is_open(entry.state):
        raise Refused(409, "Conflict", f"本单位已对该报告作出决定（{entry.state}）",
                      f"already decided here ({entry.state})")
    return decide_step(steps=steps, done=entry.steps_done, roles=held, decision=decision, comment=comment, skip=skip)


def check_receipt(*, unit: str | None, entry: Entry | None) -> None:
    """Any role of a unit the report was forwarded to may acknowledge it."""
    if unit is None or entry is None or entry.via == "submitted":
        raise Refused(403, "Forbidden", "该报告未报送至本单位，不能回执",
                      "the report was not forwarded to your unit")
