"""Who may sign off or acknowledge what, and whether a sign-off releases the report (pure).

A report waits in a unit's queue as an :class:`Entry`. Only an approver or principal of that unit
decides on a ``sign_off`` entry; where the grade's route demands the principal (grades I and II in
the default pack), an approver's approval is recorded (``final=false``) and the entry waits for
the principal. Receipts (回执) are given by any role of a unit the report was forwarded to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from shared.events import Grade
from shared.policy import Pack, Route

Decision = Literal["approve", "reject"]
OPEN_STATES = ("pending", "awaiting_principal")


@dataclass(frozen=True)
class Entry:
    """A report in one unit's queue."""

    report_id: str
    unit_id: str
    kind: str
    via: str
    state: str


class Refused(Exception):
    """An action the rules refuse: HTTP status, the message in Chinese and English, and the bad field if any."""

    def __init__(self, status: int, title: str, zh: str, en: str, field: str | None = None,
                 extra: dict[str, Any] | None = None):
        self.detail = f"{zh} / {en}"
        super().__init__(self.detail)
        self.status, self.title, self.zh, self.en, self.field = status, title, zh, en, field
        self.extra = extra or {}  # further members of the problem document


def route_for(pack: Pack, *, grade: Grade | None, reportable: bool) -> Route | None:
    """The grade's route; a reportable report not graded yet travels as the mildest grade (IV)."""
    if not reportable:
        return None
    return pack.routes.get(grade or "IV")


def acting_role(roles: Iterable[str]) -> str | None:
    """The strongest signing role the caller holds (a principal signs as principal)."""
    held = set(roles)
    return "principal" if "principal" in held else "approver" if "approver" in held else None


def check_decision(*, roles: Iterable[str], entry: Entry | None, decision: Decision, comment: str) -> str:
    """The role the caller decides in, or :class:`Refused` (403 / 409 / 422)."""
    role = acting_role(roles)
    if role is None:
        raise Refused(403, "Forbidden", "只有本单位的审核人（approver）或主要领导（principal）可以签发或退回报告",
                      "only an approver or the principal of this unit may sign off or reject a report")
    if entry is None:
        raise Refused(403, "Forbidden", "该报告不在本单位的待签队列中", "the report is not in your unit's queue")
    if entry.kind != "sign_off":
        raise Refused(409, "Conflict", "这是抄送或越级通知，无需签发；请回执", "a copy or notice: send a receipt")
    if entry.state not in OPEN_STATES:
        raise Refused(409, "Conflict", f"本单位已对该报告作出决定（{entry.state}）",
                      f"already decided here ({entry.state})")
    if entry.state == "awaiting_principal" and role != "principal":
        raise Refused(409, "Conflict",
                      "审核人已签署意见，等待主要领导签发", "already approved; waits for the principal")
    if decision == "reject" and not comment.strip():
        raise Refused(422, "Invalid request", "退回报告须写明理由", "a rejection needs a reason",
                      field="comment")
    return role


def is_final(route: Route | None, role: str) -> bool:
    """Whether this approval releases the report from its unit."""
    return role == "principal" or route is None or not route.principal_sign_off


def check_receipt(*, unit: str | None, entry: Entry | None) -> None:
    """Any role of a unit the report was forwarded to may acknowledge it."""
    if unit is None or entry is None or entry.via == "submitted":
        raise Refused(403, "Forbidden", "该报告未报送至本单位，不能回执",
                      "the report was not forwarded to your unit")
