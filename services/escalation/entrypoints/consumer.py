"""Escalation's Kafka consumers: the units directory and the report stream that opens and meets clocks.

Records go through the service's guard (``shared.consumer``): a batch of report events is applied in
one transaction; if it fails for a reason that does not pass, its records are applied one by one and
only the one at fault is set aside in ``escalation.parked``, so one malformed report never keeps
the clocks of the incidents behind it from opening. Handlers are idempotent, so a redelivery after a
crash is harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from faststream.kafka import KafkaBroker

from services.escalation.adapters import repository
from services.escalation.domain.clock import Clock
from services.escalation.entrypoints import handlers
from shared.consumer import Consumers, Record
from shared.db import Database
from shared.envelope import Envelope
from shared.events import (
    IncidentRegraded,
    ReportAcknowledged,
    ReportForwarded,
    ReportSubmitted,
    UnitRegistered,
    parse_data,
)
from shared.logging import bound_ids, get_logger
from shared.producers import ProducerKeys
from shared.topics import REPORTS, UNITS

log = get_logger(__name__)
APPLIED = frozenset({"ReportSubmitted", "ReportForwarded", "ReportAcknowledged", "IncidentRegraded"})


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
        envelopes = []
        for record in records:
            envelope = Envelope.from_bytes(record.value)
            if envelope.type in APPLIED:
                producers.check(envelope.type, record.value, record.headers)
            envelopes.append(envelope)
        async with db.pool.acquire() as conn, conn.transaction():
            for env in envelopes:
                with bound_ids(event_id=env.id, incident_id=env.partitionkey, correlation_id=env.correlationid):
                    await _apply(conn, env)
        log.info("clocks updated", events=len(envelopes))
        wake()

    async def _apply(conn: repository.Conn, env: Envelope) -> None:
        try:
            data = parse_data(env.type, env.data)
        except KeyError:
            return
        now = clock.now()
        if isinstance(data, ReportSubmitted):
            await handlers.on_submitted(conn, env, data, now)
        elif isinstance(data, ReportForwarded):
            await handlers.on_forwarded(conn, env, data, now)
        elif isinstance(data, ReportAcknowledged):
            await handlers.on_acknowledged(conn, env, data)
        elif isinstance(data, IncidentRegraded):
            await handlers.on_regraded(conn, env, data, now)

    consumers.subscribe(broker, "escalation-units", UNITS, group_id=f"{group_id}-units", apply=on_unit_event)
    consumers.subscribe_batch(broker, "escalation-reports", REPORTS, group_id=group_id, apply=on_report_events,
                              max_records=500)
