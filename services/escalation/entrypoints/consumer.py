"""Escalation's Kafka consumers: the units directory and the report stream that opens and meets clocks.

Records go through the service's guard (``shared.consumer``): a batch of report events is applied in
one transaction; if it fails for a reason that does not pass, its records are applied one by one and
only the one at fault is set aside in ``escalation.parked``, so one malformed report never keeps
the clocks of the incidents behind it from opening. Handlers are idempotent, so a redelivery after a
crash is harmless.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from faststream.kafka import KafkaBroker

from services.escalation.adapters import repository
from services.escalation.domain.clock import Clock
from services.escalation.entrypoints import handlers
from shared.consumer import Consumers, Record
from shared.db import Database
from shared.envelope import Envelope
from shared.events import (
    ReportAcknowledged,
    UnitRegistered,
    parse_data,
)
from shared.logging import bound_ids, get_logger
from shared.producers import ProducerKeys
from shared.topics import REPORTS, UNITS

log = get_logger(__name__)
Handler = Callable[[repository.Conn, Envelope, Any, datetime], Awaitable[None]]


async def _acknowledged(conn: repository.Conn, env: Envelope, data: ReportAcknowledged, _: datetime) -> None:
    await handlers.on_acknowledged(conn, env, data)


#: What each event type escalation applies does to the clocks; every other type on the topic is skipped unread.
APPLY: dict[str, Handler] = {
    "ReportSubmitted": handlers.on_submitted,
    "ReportForwarded": handlers.on_forwarded,
    "ReportAcknowledged": _acknowledged,
    "IncidentRegraded": handlers.on_regraded,
}


def register(broker: KafkaBroker, consumers: Consumers, *, db: Database, clock: Clock, producers: ProducerKeys,
             group_id: str, wake: Callable[[], None]) -> None:
    async def on_unit_event(record: Record) -> None:
        envelope = Envelope.from_bytes(record.value)
        if envelope.type != "UnitRegistered":
            return
        producers.check(envelope.type, record.value, record.headers)
        unit = UnitRegistered.model_validate(envelope.data)
        async with db.pool.acquire() as conn:
            await repository.upsert_unit(conn, unit_id=unit.unit_id, name=unit.name, level=unit.level,
                                         kind=unit.kind, parent_id=unit.parent_id,
                                         department_parent_id=unit.department_parent_id)

    async def on_report_events(records: Sequence[Record]) -> None:
        """A batch in one transaction, in partition order. A record of a type escalation applies must be
        signed by the producer allowed to make it (a forged approval must not close a clock)."""
        applied = []
        for record in records:
            envelope = Envelope.from_bytes(record.value)
            if envelope.type in APPLY:
                producers.check(envelope.type, record.value, record.headers)
                applied.append((envelope, parse_data(envelope.type, envelope.data)))
        async with db.pool.acquire() as conn, conn.transaction():
            for env, data in applied:
                with bound_ids(event_id=env.id, incident_id=env.partitionkey, correlation_id=env.correlationid):
                    await APPLY[env.type](conn, env, data, clock.now())
        log.info("clocks updated", events=len(applied))
        wake()

    consumers.subscribe(broker, "escalation-units", UNITS, group_id=f"{group_id}-units", apply=on_unit_event)
    consumers.subscribe_batch(broker, "escalation-reports", REPORTS, group_id=group_id, apply=on_report_events,
                              max_records=500)
