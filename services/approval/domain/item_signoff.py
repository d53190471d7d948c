"""Signing an item off inside the unit that wrote it, step by step as its information pack says (pure).

The pack's ``sign_off`` lists the steps in order; they are decided by the same step engine as reports'
(``domain/steps.py``). An approval of the last step is final: the item leaves the unit for its
``parent_id`` (channel main) and ``department_parent_id`` (channel department). A rejection at any step
ends it. Each step is decided once: a second decision on it is a conflict (409).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from services.approval.domain.refused import Decision, Refused
from services.approval.domain.steps import Step, decide_step, signers
from shared.events import UnitRegistered
from shared.policy import SignOffStep

__all__ = ["Channel", "Pending", "Step", "check_item_decision", "sign_off_hops"]

Channel = Literal["main", "department"]
ITEM = ("信息", "item")


@dataclass(frozen=True)
class Pending:
    """Where an item stands in its writing unit: ``state`` and how many steps are approved."""

    reporting_unit: str
    state: str
    steps_done: int


def check_item_decision(*, roles: Iterable[str], unit: str | None, item: Pending, steps: Sequence[SignOffStep],
                        decision: Decision, comment: str, skip: bool = False) -> Step:
    """The step decided and the caller's role in it, or :class:`Refused` (403 / 409 / 422)."""
    held = set(roles)
    if not held.intersection(r for s in steps for r in s.roles):
        raise Refused(403, "Forbidden", f"只有供稿单位的签发人（{signers(steps)}）可以签发或退回信息",
                      f"only the writing unit's signers ({signers(steps)}) may sign off or reject an item")
    if unit != item.reporting_unit:
        raise Refused(403, "Forbidden", "信息由供稿单位自己签发，不在本单位的待签队列中",
                      "an item is signed off by the unit that wrote it: it is not in your unit's queue")
    if item.state != "pending":
        raise Refused(409, "Conflict", f"该信息已有决定（{item.state}）", f"the item is already decided ({item.state})")
    return decide_step(steps=steps, done=item.steps_done, roles=held, decision=decision, comment=comment, skip=skip,
                       what=ITEM)


def sign_off_hops(unit: UnitRegistered) -> list[tuple[str, Channel]]:
    """Where a finally approved item goes: the main-channel parent and the department parent (if another)."""
    hops: list[tuple[str, Channel]] = []
    if unit.parent_id is not None:
        hops.append((unit.parent_id, "main"))
    if unit.department_parent_id is not None and unit.department_parent_id != unit.parent_id:
        hops.append((unit.department_parent_id, "department"))
    return hops
