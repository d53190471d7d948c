"""The due-deadline loop: fires every clock whose time has come, from any number of instances.

Each tick locks a batch of due clocks (``FOR UPDATE SKIP LOCKED``), publishes their events and waits
for Kafka's acknowledgements, then marks them fired in the same transaction: publish-then-commit. A
crash between the two re-publishes the same event ids after the restart (harmless), and never loses one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from services.escalation.adapters import holdings as held
from services.escalation.adapters import links
from services.escalation.adapters import repository as repo
from services.escalation.adapters.publisher import Publisher
from services.escalation.domain.clock import Clock
from services.escalation.domain.clocks import ClockRow, follow_up_clock
from services.escalation.domain.notices import fired_event, superseded_event
from services.escalation.entrypoints.info_due import InfoClocks
from shared.db import Database
from shared.logging import get_logger
from shared.obligations import follow_up_cadence
from shared.policy import pack_of
from shared.service import in_background

log = get_logger(__name__)


class DueLoop:
    def __init__(self, db: Database, publisher: Publisher, clock: Clock, *, interval_s: float, batch: int,
                 quota_grace: timedelta):
        self._db, self._publisher, self._clock = db, publisher, clock
        self._interval, self._batch = interval_s, batch
        self._wake = asyncio.Event()
        self._info = InfoClocks(publisher, batch=batch, quota_grace=quota_grace)
        self._quotas_opened = False

    def wake(self) -> None:
        """A clock may be due already (a report arrived after its deadline): look at once."""
        self._wake.set()

    async def tick(self) -> int:
        """Fire one batch of due clocks of incidents and one of work information; the number handled."""
        return await self._incident_tick() + await self._superseded_tick() + await self._info_tick()

    async def _superseded_tick(self) -> int:
        """Announce the breaches of incidents linked as duplicates (publish, then mark announced)."""
        async with self._db.pool.acquire() as conn, conn.transaction():
            rows = await links.lock_unannounced(conn, self._batch)
            if rows:
                await self._publisher.publish_all([superseded_event(**r.__dict__) for r in rows])
                await links.mark_announced(conn, [r.breach_id for r in rows])
        return len(rows)

    async def _info_tick(self) -> int:
        if not self._quotas_opened:  # once per start, committed before it counts as done
            async with self._db.pool.acquire() as conn, conn.transaction():
                await self._info.open_quotas_of_known_units(conn, self._clock.now())
            self._quotas_opened = True
        async with self._db.pool.acquire() as conn, conn.transaction():
            return await self._info.fire_due(conn, self._clock.now())

    async def _incident_tick(self) -> int:
        async with self._db.pool.acquire() as conn, conn.transaction():
            now = self._clock.now()
            due = await repo.lock_due(conn, now, self._batch)
            closed = await repo.close_follow_ups_of_closed_incidents(conn, [r.clock_id for r in due])
            rest = [r.clock_id for r in due if r.clock_id not in closed]
            closed |= await links.supersede_due_of_duplicates(conn, rest, now)
            due = [r for r in due if r.clock_id not in closed]
            if not due:
                return len(closed)
            traced = sorted({r.incident_id for r in due if r.kind in ("late", "missed", "step")})
            seen = await repo.seen_of(conn, traced)
            signing = await held.of_incidents(conn, traced)
            fired = [fired_event(r, detected_at=now, seen=seen.get(r.incident_id, []),
                                 holdings=signing.get(r.incident_id, [])) for r in due]
            await self._publisher.publish_all(fired)
            await repo.mark_fired(conn, [r.clock_id for r in due], now)
            await self._next_follow_ups(conn, [r for r in due if r.kind == "follow_up"])
        log.info("clocks fired", count=len(due), breaches=sum(r.kind in ("late", "missed") for r in due))
        return len(due)

    async def _next_follow_ups(self, conn: repo.Conn, rows: list[ClockRow]) -> None:
        """A 续报 fired: the next one is due one cadence later, unless a final report closed the incident."""
        if not rows:
            return
        incidents = await repo.open_incidents(conn, [r.incident_id for r in rows])
        nxt = []
        for r in rows:
            incident = incidents.get(r.incident_id)
            if incident is None or incident.closed_at is not None:
                continue
            every = follow_up_cadence(pack_of(r.policy), reportable=incident.reportable,
                                      grade=incident.grade)  # type: ignore[arg-type]
            if every is not None:
                nxt.append(follow_up_clock(incident_id=r.incident_id, unit_id=r.unit_id, clock_start=r.clock_start,
                                           every=every, sequence=(r.sequence or 0) + 1, policy=r.policy,
                                           opened_by=r.clock_id))
        await repo.open_clocks(conn, nxt)

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                if await self.tick() > 0:
                    continue  # while clocks keep falling due, fire them back to back; sleep only when idle
            except Exception:  # a lost database or broker: nothing was marked fired; try again shortly
                log.exception("due loop tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        await self._publisher.start()
        try:
            async with in_background(self.run()):
                yield
        finally:
            await self._publisher.stop()
