"""Signing an item off inside the unit that wrote it, step by step as its information pack says (pure).

The pack's ``sign_off`` lists the steps in order; any holder of one of a step's roles in the writing
unit decides it. An approval of the last step is final: the item leaves the unit for its ``parent_id``
(channel main) and ``department_parent_id`` (channel department). A rejection at any step ends it.
Each step is decided once: a second decision on it is a conflict (409).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from services.approval.domain.signoff import Decision, Refused
from shared.events import UnitRegistered
from shared.information import SignOffStep

#: Weakest to strongest: a caller holding several roles of a step acts in the strongest.
ROLE_STRENGTH = ("approver", "section_head", "leader", "principal")
Channel = Literal["main", "department"]


@dataclass(frozen=True)
class Pending:
    """Where an item stands in its writing unit: ``state`` and how many steps are approved."""

    reporting_unit: str
    state: str
    steps_done: int


@dataclass(frozen=True)
class Step:
    """The step a decision decides, the role the caller decides it in, and whether it releases the item."""

    index: int
    role: str
    final: bool


def strongest(held: Iterable[str], allowed: Iterable[str]) -> str | None:
    usable = set(held).intersection(allowed)
    return max(usable, key=ROLE_STRENGTH.index) if usable else None


def _names(steps: Sequence[SignOffStep]) -> str:
    return "、".join(dict.fromkeys(role for step in steps for role in step.roles))


def check_item_decision(*, roles: Iterable[str], unit: str | None, item: Pending, steps: Sequence[SignOffStep],
                        decision: Decision, comment: str) -> Step:
    """The step decided and the caller's role in it, or :class:`Refused` (403 / 409 / 422)."""
    held = set(roles)
    if strongest(held, (r for s in steps for r in s.roles)) is None:
        raise Refused(403, "Forbidden", f"只有供稿单位的签发人（{_names(steps)}）可以签发或退回信息",
                      f"only the writing unit's signers ({_names(steps)}) may sign off or reject an item")
    if unit != item.reporting_unit:
        raise Refused(403, "Forbidden", "信息由供稿单位自己签发，不在本单位的待签队列中",
                      "an item is signed off by the unit that wrote it: it is not in your unit's queue")
    if item.state != "pending":
        raise Refused(409, "Conflict", f"该信息已有决定（{item.state}）", f"the item is already decided ({item.state})")
    current = steps[item.steps_done]
    role = strongest(held, current.roles)
    if role is None:
        mine = [i for i, step in enumerate(steps) if held.intersection(step.roles)]
        done = all(i < item.steps_done for i in mine)
        roles_zh = "、".join(current.roles)
        raise Refused(409, "Conflict",
                      f"{'您的步骤已有决定；' if done else ''}该信息等待“{current.name.zh}”（{roles_zh}）",
                      f"{'your step is decided; ' if done else ''}the item waits for {current.name.en!r}"
                      f" ({', '.join(current.roles)})")
    if decision == "reject" and not comment.strip():
        raise Refused(422, "Invalid request", "退回信息须写明理由", "a rejection needs a reason", field="comment")
    return Step(item.steps_done, role, final=item.steps_done + 1 == len(steps))


def sign_off_hops(unit: UnitRegistered) -> list[tuple[str, Channel]]:
    """Where a finally approved item goes: the main-channel parent and the department parent (if another)."""
    hops: list[tuple[str, Channel]] = []
    if unit.parent_id is not None:
        hops.append((unit.parent_id, "main"))
    if unit.department_parent_id is not None and unit.department_parent_id != unit.parent_id:
        hops.append((unit.department_parent_id, "department"))
    return hops
