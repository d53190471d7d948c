"""The one sign-off step engine, for reports and work items alike (pure).

A pack lists the steps a report or item climbs inside a unit (``shared.policy.SignOffStep``). The step
waiting is the first not yet decided; any holder of one of its roles decides it, in the strongest role
they hold. An approval in a role that the following steps also name settles those too (a principal
approving where the route then asks for the principal signs once, as before). In an emergency
(``skip_steps``) a caller may pass over the waiting steps whose ``emergency_skip_by`` names their role,
deciding the first later step of theirs at once. The approval of the last step is final: it releases the
report or item from the unit. A rejection ends the sign-off at the step it is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.approval.domain.refused import Decision, Refused
from shared.policy import ROLE_STRENGTH, SignOffStep


@dataclass(frozen=True)
class Step:
    """What a decision settles: the step ``index`` (0-based) decided in ``role``; ``through``: the last step it
    settles when the same role decides the following ones (None: only ``index``); ``skipped``: the steps passed
    over in an emergency; ``final``: whether it releases the report or item."""

    index: int
    role: str
    final: bool
    through: int | None = None
    skipped: tuple[int, ...] = ()

    @property
    def last(self) -> int:
        return self.index if self.through is None else self.through


def strongest(held: Iterable[str], allowed: Iterable[str]) -> str | None:
    usable = set(held).intersection(allowed)
    return max(usable, key=ROLE_STRENGTH.index) if usable else None


def signers(steps: Sequence[SignOffStep]) -> str:
    """The roles that decide the steps, once each, in order (for messages)."""
    return "、".join(dict.fromkeys(role for step in steps for role in step.roles))


def waiting_for(steps: Sequence[SignOffStep], done: int) -> SignOffStep | None:
    """The step that waits after ``done`` steps are decided (None: none left)."""
    return steps[done] if done < len(steps) else None


def decide_step(*, steps: Sequence[SignOffStep], done: int, roles: Iterable[str], decision: Decision, comment: str,
                skip: bool = False, what: tuple[str, str] = ("报告", "report")) -> Step:
    """The step a caller's decision settles, or :class:`Refused`: 403 when they hold none of the chain's roles,
    409 when the waiting step is not theirs (and no emergency lets them pass it), 422 for a rejection without
    a reason or a skip the pack does not allow (field ``skip_steps``)."""
    held = set(roles)
    zh, en = what
    if strongest(held, (r for s in steps for r in s.roles)) is None:
        raise Refused(403, "Forbidden", f"只有本单位的签发人（{signers(steps)}）可以签发或退回{zh}",
                      f"only this unit's signers ({signers(steps)}) may sign off or reject a {en}")
    current = steps[done]
    index, role = done, strongest(held, current.roles)
    skipped: tuple[int, ...] = ()
    if role is None and skip:
        index, role = _past_waiting_steps(steps, done, held)
        skipped = tuple(range(done, index))
    elif role is None:
        mine = [i for i, step in enumerate(steps) if held.intersection(step.roles)]
        decided = "您的步骤已有决定；" if all(i < done for i in mine) else ""
        raise Refused(409, "Conflict", f"{decided}该{zh}等待“{current.name.zh}”（{'、'.join(current.roles)}）",
                      f"{'your step is decided; ' if decided else ''}the {en} waits for {current.name.en!r}"
                      f" ({', '.join(current.roles)})")
    if decision == "reject" and not comment.strip():
        raise Refused(422, "Invalid request", f"退回{zh}须写明理由", "a rejection needs a reason", field="comment")
    last = index
    while decision == "approve" and last + 1 < len(steps) and role in steps[last + 1].roles:
        last += 1
    return Step(index, role, final=last == len(steps) - 1, through=last if last != index else None, skipped=skipped)


def _past_waiting_steps(steps: Sequence[SignOffStep], done: int, held: set[str]) -> tuple[int, str]:
    """The first later step the caller decides, when every step before it lets their role pass it over."""
    for index in range(done + 1, len(steps)):
        role = strongest(held, steps[index].roles)
        if role is None:
            continue
        passed = steps[done:index]
        blocking = [s for s in passed if role not in s.emergency_skip_by]
        if not blocking:
            return index, role
        names_zh = "、".join(f"“{s.name.zh}”" for s in blocking)
        names_en = ", ".join(repr(s.name.en) for s in blocking)
        raise Refused(422, "Invalid request", f"策略包不允许{role}在紧急情况下越过{names_zh}",
                      f"the pack does not let a {role} pass over {names_en} in an emergency", field="skip_steps")
    raise Refused(409, "Conflict", "您的步骤已有决定，无可越过的步骤", "your step is decided: nothing to pass over")
