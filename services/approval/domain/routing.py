"""Where a signed report goes next (上报): level by level, dual reporting, emergency skips (pure).

Rules (docs/rules.md §2; the pack's ``routes``):
- The reporting unit always forwards to its main-channel parent (contract §Approval).
- A receiving unit forwards further only while the report is reportable and the unit sits below
  the route's ``up_to`` level; a report that reached ``up_to`` stops there.
- A unit with a ``department_parent_id`` also sends that department a copy (双重上报); a copy is
  read and acknowledged there but never continues the main-channel chain.
- A not-reportable report goes to the parent once, as a copy, no further.
- An emergency may skip one level only when the grade's route allows it; the skipped unit gets a
  notice (channel ``skip_notice``) so it still knows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from shared.events import UnitRegistered
from shared.policy import Route

LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2, "town": 3, "village": 4, "organization": 5}

EntryKind = Literal["sign_off", "inform", "notice"]
Channel = Literal["main", "department", "skip_notice"]


@dataclass(frozen=True)
class Hop:
    """One forward: to whom, on which channel, and what the receiver has to do with it."""

    to_unit_id: str
    channel: Channel
    entry_kind: EntryKind


class RoutingRefused(Exception):
    """The decision asks for a forward the rules do not allow; ``field`` names the bad field."""

    def __init__(self, field: str, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.field, self.zh, self.en = field, zh, en


def continues(unit: UnitRegistered | None, *, route: Route | None, reportable: bool) -> bool:
    """Whether a report arriving at ``unit`` must be signed there and forwarded further up."""
    if unit is None:
        return reportable and route is not None  # unknown yet: it waits for a sign-off, checked again then
    if not reportable or route is None or unit.parent_id is None:
        return False
    return LEVEL_RANK[unit.level] > LEVEL_RANK[route.up_to]


def plan_forwards(
    unit: UnitRegistered,
    *,
    origin: bool,
    route: Route | None,
    reportable: bool,
    emergency: bool,
    lookup: Callable[[str], UnitRegistered | None],
) -> list[Hop]:
    """The forwards a final sign-off at ``unit`` sends out (empty when the route ends here)."""
    hops: list[Hop] = []
    if unit.parent_id is not None and (origin or continues(unit, route=route, reportable=reportable)):
        parent = lookup(unit.parent_id)
        if emergency:
            hops += _skip(unit.parent_id, parent, route=route, reportable=reportable, lookup=lookup)
        else:
            kind: EntryKind = "sign_off" if continues(parent, route=route, reportable=reportable) else "inform"
            hops.append(Hop(unit.parent_id, "main", kind))
    elif emergency:
        raise RoutingRefused("emergency", "本单位已是该等级报告的终点，无需越级上报",
                             "the route ends here: nothing to skip")
    if unit.department_parent_id is not None and unit.department_parent_id != unit.parent_id:
        hops.append(Hop(unit.department_parent_id, "department", "inform"))
    return hops


def _skip(
    parent_id: str,
    parent: UnitRegistered | None,
    *,
    route: Route | None,
    reportable: bool,
    lookup: Callable[[str], UnitRegistered | None],
) -> list[Hop]:
    if not reportable or route is None or not route.emergency_skip:
        raise RoutingRefused("emergency", "本等级报告不允许越级上报",
                             "the pack does not allow a level-skip for this grade")
    if parent is None or parent.parent_id is None or not continues(parent, route=route, reportable=reportable):
        raise RoutingRefused("emergency", "上级单位即为终点，无可越过的层级",
                             "the parent is the route's end: nothing to skip")
    grand = lookup(parent.parent_id)
    kind: EntryKind = "sign_off" if continues(grand, route=route, reportable=reportable) else "inform"
    return [Hop(parent_id, "skip_notice", "notice"), Hop(parent.parent_id, "main", kind)]
