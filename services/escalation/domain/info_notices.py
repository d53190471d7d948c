"""The events a due work-information clock publishes (pure): DeadlineBreached for a late item or a missed
request, QuotaMissed for a period that ended with too few approved items."""

from __future__ import annotations

from datetime import datetime

from services.escalation.domain.info_clocks import ITEM_OBLIGATION, REQUEST_OBLIGATION, InfoClock
from services.escalation.domain.notices import SOURCE
from shared.envelope import Envelope
from shared.events import DeadlineBreached, EventData, QuotaMissed, Responsible
from shared.topics import BREACHES, DEADLINES


def breach_event(clock: InfoClock, *, detected_at: datetime,
                 responsible: Responsible | None = None) -> tuple[str, Envelope]:
    """A late item (keyed by item id) or a unit's missed request (keyed by request id); the id is the clock's.
    ``responsible``: who a late item traces back to (a missed request: the unit, no item was written)."""
    evidence = [{"opened_by": clock.opened_by, "unit_id": clock.unit_id}]
    if clock.kind == "item_due":
        key = clock.item_id
        data = DeadlineBreached(breach_id=clock.clock_id, item_id=clock.item_id, unit_id=clock.unit_id,
                                obligation=ITEM_OBLIGATION, kind="late", deadline_at=clock.deadline_at,
                                detected_at=detected_at, policy=clock.policy, evidence=evidence,
                                responsible=responsible or Responsible(unit_id=clock.unit_id))
    else:
        key = clock.request_id
        data = DeadlineBreached(breach_id=clock.clock_id, request_id=clock.request_id, unit_id=clock.unit_id,
                                obligation=REQUEST_OBLIGATION, kind="request_missed", deadline_at=clock.deadline_at,
                                detected_at=detected_at, policy=clock.policy, evidence=evidence,
                                responsible=Responsible(unit_id=clock.unit_id))
    assert key is not None
    return BREACHES, _envelope(clock, data, key, detected_at)


def quota_missed_event(clock: InfoClock, *, counted: int, detected_at: datetime) -> tuple[str, Envelope]:
    """The unit had ``counted`` approved items in the period, fewer than the quota (keyed by unit id)."""
    assert clock.period is not None and clock.quota_min is not None
    data = QuotaMissed(quota_id=clock.clock_id, unit_id=clock.unit_id, period=clock.period, quota=clock.quota_min,
                       counted=counted, kinds=clock.quota_kinds, policy=clock.policy, detected_at=detected_at)
    return DEADLINES, _envelope(clock, data, clock.unit_id, detected_at)


def _envelope(clock: InfoClock, data: EventData, key: str, detected_at: datetime) -> Envelope:
    return Envelope(id=clock.clock_id, source=SOURCE, type=type(data).__name__, subject=key, time=detected_at,
                    data=data.model_dump(mode="json"), partitionkey=key, policy=clock.policy,
                    actorunit=clock.unit_id)
