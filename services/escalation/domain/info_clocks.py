"""Work-information clocks (信息工作, docs/work-information/clocks.md), pure: an item's due time, a
commissioned request's due time per unit asked, and a unit's quota at the end of each period.

As for incident clocks, a clock's id is the id of the event it fires, derived (uuid5) from what the
clock is, so opening it again or firing it again after a crash repeats the same id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from services.escalation.domain.clocks import derived_id
from shared.information import InfoPack
from shared.periods import Period, period_containing

InfoClockKind = Literal["item_due", "request", "quota"]

#: What a late item and a missed request breach, as DeadlineBreached states it.
ITEM_OBLIGATION, REQUEST_OBLIGATION = "routine_report", "request_reply"


@dataclass(frozen=True)
class InfoClock:
    clock_id: str
    kind: InfoClockKind
    unit_id: str
    deadline_at: datetime
    due_at: datetime
    policy: str
    opened_by: str
    item_id: str | None = None
    request_id: str | None = None
    period: str | None = None
    quota_min: int | None = None
    quota_kinds: list[str] | None = None


def item_due_clock(*, item_id: str, unit_id: str, due_at: datetime, policy: str, opened_by: str) -> InfoClock:
    """The item must have its final sign-off by ``due_at`` (ItemSubmitted.due_at)."""
    breach_id = derived_id(item_id, unit_id, ITEM_OBLIGATION, "late", due_at.isoformat())
    return InfoClock(clock_id=breach_id, kind="item_due", unit_id=unit_id, deadline_at=due_at, due_at=due_at,
                     policy=policy, opened_by=opened_by, item_id=item_id)


def request_clock(*, request_id: str, unit_id: str, due_at: datetime, policy: str, opened_by: str) -> InfoClock:
    """One unit asked by a request owes an approved item naming it by ``due_at``."""
    breach_id = derived_id(request_id, unit_id, REQUEST_OBLIGATION, "request_missed", due_at.isoformat())
    return InfoClock(clock_id=breach_id, kind="request", unit_id=unit_id, deadline_at=due_at, due_at=due_at,
                     policy=policy, opened_by=opened_by, request_id=request_id)


def quota_id(unit_id: str, period: str, kinds: list[str] | None) -> str:
    """QuotaMissed's id: the unit, the period and the quota's kinds (all kinds: ``*``)."""
    return derived_id("quota", unit_id, period, ",".join(sorted(kinds)) if kinds else "*")


def _quota_clock(unit_id: str, period: Period, quota_min: int, kinds: list[str] | None, policy: str,
                 grace: timedelta, opened_by: str) -> InfoClock:
    return InfoClock(clock_id=quota_id(unit_id, period.name, kinds), kind="quota", unit_id=unit_id,
                     deadline_at=period.end, due_at=period.end + grace, policy=policy, opened_by=opened_by,
                     period=period.name, quota_min=quota_min, quota_kinds=kinds)


def quota_clocks(pack: InfoPack, *, unit_id: str, unit_kind: str | None, level: str | None, now: datetime,
                 grace: timedelta, opened_by: str) -> list[InfoClock]:
    """The unit's quotas (``InfoPack.unit_quotas``: the stricter of two of one period and kinds) for the periods
    ``now`` falls in, one clock each. At a period's end (``now`` = its end) this gives the next period's clocks
    (and those already open)."""
    return [_quota_clock(unit_id, period_containing(now, q.period), q.min, sorted(q.kinds) if q.kinds else None,
                         pack.ref, grace, opened_by)
            for q in pack.unit_quotas(unit_id=unit_id, kind=unit_kind, level=level)]

