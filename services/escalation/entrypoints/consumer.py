"""Escalation's Kafka consumers: the units directory (and each unit's quotas), the report stream and the
work-information stream (items, requests) that open and meet clocks.

Records go through the service's guard (``shared.consumer``): a batch of report events is applied in
one transaction; if it fails for a reason that does not pass, its records are applied one by one and
only the one at fault is set aside in ``escalation.parked``, so one malformed report never keeps
the clocks of the incidents behind it from opening. Handlers are idempotent, so a redelivery after a
crash is harmless.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from faststream.kafka import KafkaBroker

from services.escalation.adapters import repository
from services.escalation.domain.clock import Clock
from services.escalation.entrypoints import handlers, info_handlers, signoff_handlers
from shared.consumer import ApplyBatch, Consumers, Record
from shared.db import Database
from shared.envelope import Envelope
from shared.events import (
    ReportAcknowledged,
    ReportApproved,
    ReportRejected,
    UnitRegistered,
    parse_data,
)
from shared.logging import bound_ids, get_logger
from shared.producers import ProducerKeys
from shared.topics import ITEMS, REPORTS, UNITS

log = get_logger(__name__)
Handler = Callable[[repository.Conn, Envelope, Any, datetime], Awaitable[None]]


async def _acknowledged(conn: repository.Conn, env: Envelope, data: ReportAcknowledged, _: datetime) -> None:
    await handlers.on_acknowledged(conn, env, data)


async def _approved(conn: repository.Conn, env: Envelope, data: ReportApproved, _: datetime) -> None:
    await signoff_handlers.on_approved(conn, env, data)


async def _rejected(conn: repository.Conn, env: Envelope, data: ReportRejected, _: datetime) -> None:
    await signoff_handlers.on_rejected(conn, env, data)


#: What each event type escalation applies does to the clocks; every other type on the topic is skipped unread.
APPLY: dict[str, Handler] = {
    "ReportSubmitted": handlers.on_submitted,
    "ReportForwarded": handlers.on_forwarded,
    "ReportAcknowledged": _acknowledged,
    "ReportApproved": _approved,
    "ReportRejected": _rejected,
    "IncidentRegraded": handlers.on_regraded,
    "IncidentsLinked": handlers.on_linked,
}

#: The same for the work-information stream (baosong.items).
APPLY_ITEMS: dict[str, Handler] = {
    "ItemSubmitted": info_handlers.on_item_submitted,
    "ItemApproved": info_handlers.on_item_approved,
    "ItemRejected": info_handlers.on_item_rejected,
    "RequestIssued": info_handlers.on_request_issued,
}


def register(broker: KafkaBroker, consumers: Consumers, *, db: Database, clock: Clock, producers: ProducerKeys,
             group_id: str, wake: Callable[[], None], quota_grace: timedelta) -> None:
    async def on_unit_event(record: Record) -> None:
        envelope = Envelope.from_bytes(record.value)
        if envelope.type != "UnitRegistered":
            return
        producers.check(envelope.type, record.value, record.headers)
        unit = UnitRegistered.model_validate(envelope.data)
        async with db.pool.acquire() as conn, conn.transaction():
            await repository.upsert_unit(conn, unit_id=unit.unit_id, name=unit.name, level=unit.level,
                                         kind=unit.kind, parent_id=unit.parent_id,
                                         department_parent_id=unit.department_parent_id)
            await info_handlers.on_unit(conn, envelope.id, unit, clock.now(), quota_grace)

    def batch_applier(apply: dict[str, Handler], stream: str) -> ApplyBatch:
        async def on_events(records: Sequence[Record]) -> None:
            """A batch in one transaction, in partition order. A record of a type escalation applies must be
            signed by the producer allowed to make it (a forged approval must not close a clock)."""
            applied = []
            for record in records:
                envelope = Envelope.from_bytes(record.value)
                if envelope.type in apply:
                    producers.check(envelope.type, record.value, record.headers)
                    applied.append((envelope, parse_data(envelope.type, envelope.data)))
            async with db.pool.acquire() as conn, conn.transaction():
                for env, data in applied:
                    incident_id = env.partitionkey if stream == REPORTS else None
                    with bound_ids(event_id=env.id, incident_id=incident_id, correlation_id=env.correlationid):
                        await apply[env.type](conn, env, data, clock.now())
            log.info("clocks updated", stream=stream, events=len(applied))
            wake()
        return on_events

    consumers.subscribe(broker, "escalation-units", UNITS, group_id=f"{group_id}-units", apply=on_unit_event)
    consumers.subscribe_batch(broker, "escalation-reports", REPORTS, group_id=group_id,
                              apply=batch_applier(APPLY, REPORTS), max_records=500)
    consumers.subscribe_batch(broker, "escalation-items", ITEMS, group_id=f"{group_id}-items",
                              apply=batch_applier(APPLY_ITEMS, ITEMS), max_records=500)
