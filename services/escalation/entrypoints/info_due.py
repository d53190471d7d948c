"""The due loop's work-information part: fires due item, request and quota clocks (publish-then-commit,
as for incident clocks), and at each period's end opens the unit's quotas for the next one."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.escalation.adapters import info_repository as info
from services.escalation.adapters import repository as repo
from services.escalation.adapters.publisher import Publisher
from services.escalation.domain.info_clocks import InfoClock, quota_clocks
from services.escalation.domain.info_notices import breach_event, quota_missed_event
from services.escalation.domain.responsibility import item_responsible
from shared.envelope import Envelope
from shared.events import Responsible
from shared.information import info_pack_for
from shared.logging import get_logger
from shared.periods import parse_period

log = get_logger(__name__)


class InfoClocks:
    def __init__(self, publisher: Publisher, *, batch: int, quota_grace: timedelta):
        self._publisher, self._batch, self._grace = publisher, batch, quota_grace

    async def fire_due(self, conn: repo.Conn, now: datetime) -> int:
        """Fire one batch of due clocks inside the caller's transaction; the number handled."""
        due = await info.lock_due(conn, now, self._batch)
        if not due:
            return 0
        events: list[tuple[str, Envelope]] = []
        closed: list[tuple[str, str, int | None]] = []
        for clock in due:
            if clock.kind != "quota":
                events.append(breach_event(clock, detected_at=now, responsible=await self._traced(conn, clock)))
                closed.append((clock.clock_id, "fired", None))
                continue
            assert clock.period is not None and clock.quota_min is not None
            period = parse_period(clock.period)
            counted = await info.count_approved(conn, unit_id=clock.unit_id, start=period.start, end=period.end,
                                                kinds=clock.quota_kinds)
            missed = counted < clock.quota_min
            if missed:
                events.append(quota_missed_event(clock, counted=counted, detected_at=now))
            closed.append((clock.clock_id, "fired" if missed else "fulfilled", counted))
        await self._publisher.publish_all(events)
        await info.close_due(conn, closed, now)
        await self._next_periods(conn, [c for c in due if c.kind == "quota"])
        log.info("information clocks fired", count=len(due), events=len(events))
        return len(due)

    @staticmethod
    async def _traced(conn: repo.Conn, clock: InfoClock) -> Responsible | None:
        """Who a late item traces back to: its drafter and the sign-off step it waits at."""
        if clock.item_id is None:
            return None
        drafter, done = await info.signing(conn, clock.item_id)
        steps = info_pack_for(clock.policy, unit_id=clock.unit_id, unit_kind=None).sign_off
        return item_responsible(clock.unit_id, drafter=drafter, steps=steps, done=done)

    async def _next_periods(self, conn: repo.Conn, ended: list[InfoClock]) -> None:
        """Each unit whose period ended owes its pack's quotas for the periods that follow."""
        if not ended:
            return
        units = {u.unit_id: u for u in await info.units(conn, sorted({c.unit_id for c in ended}))}
        for clock in ended:
            unit = units.get(clock.unit_id)
            if unit is not None:
                await self._open_quotas(conn, unit, now=clock.deadline_at, opened_by=clock.clock_id)

    async def open_quotas_of_known_units(self, conn: repo.Conn, now: datetime) -> None:
        """At start-up: units registered before these clocks existed owe the current periods' quotas too
        (a unit's clocks already there are left as they are)."""
        for unit in await info.units(conn):
            await self._open_quotas(conn, unit, now=now, opened_by="escalation-start")

    async def _open_quotas(self, conn: repo.Conn, unit: repo.Unit, *, now: datetime, opened_by: str) -> None:
        pack = info_pack_for(None, unit_id=unit.unit_id, unit_kind=unit.kind)
        await info.open_clocks(conn, quota_clocks(pack, unit_id=unit.unit_id, unit_kind=unit.kind, level=unit.level,
                                                  now=now, grace=self._grace, opened_by=opened_by))
