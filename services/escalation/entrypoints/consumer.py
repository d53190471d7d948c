"""Escalation's Kafka consumers: the units directory and the report stream that opens and meets clocks.

Offsets are committed only after the handler's transaction commits (``NACK_ON_ERROR``); handlers are
idempotent, so a redelivery after a crash is harmless.
"""

from __future__ import annotations

from collections.abc import Callable

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.escalation.adapters import repository
from services.escalation.domain.clock import Clock
from services.escalation.entrypoints import handlers
from shared.db import Database
from shared.envelope import Envelope, read_envelope
from shared.events import (
    IncidentRegraded,
    ReportAcknowledged,
    ReportForwarded,
    ReportSubmitted,
    UnitRegistered,
    parse_data,
)
from shared.logging import bound_ids, get_logger
from shared.producers import ProducerKeys, admitted
from shared.topics import REPORTS, UNITS

log = get_logger(__name__)

#: The report-stream events that move clocks (every other type is ignored, so it is not checked).
APPLIED = frozenset({"ReportSubmitted", "ReportForwarded", "ReportAcknowledged", "IncidentRegraded"})


def register(broker: KafkaBroker, *, db: Database, clock: Clock, producers: ProducerKeys, group_id: str,
             wake: Callable[[], None]) -> None:
    @broker.subscriber(UNITS, group_id=f"{group_id}-units", auto_offset_reset="earliest",
                       ack_policy=AckPolicy.NACK_ON_ERROR, title="escalation-units")
    async def on_unit_event(body: bytes, message: KafkaMessage) -> None:
        envelope = read_envelope(body)
        if (envelope is None or envelope.type != "UnitRegistered"
                or not admitted(producers, envelope.type, message.raw_message)):
            return
        unit = UnitRegistered.model_validate(envelope.data)
        async with db.pool.acquire() as conn:
            await repository.upsert_unit(conn, unit_id=unit.unit_id, name=unit.name, level=unit.level,
                                         kind=unit.kind, parent_id=unit.parent_id,
                                         department_parent_id=unit.department_parent_id)

    @broker.subscriber(REPORTS, group_id=group_id, auto_offset_reset="earliest", batch=True, max_records=500,
                       ack_policy=AckPolicy.NACK_ON_ERROR, title="escalation-reports")
    async def on_report_events(bodies: list[bytes], message: KafkaMessage) -> None:
        """A batch in one transaction, in partition order; a failure rewinds the whole batch. Records of the
        types applied here are applied only if their producer may make them (``shared.producers``)."""
        records = message.raw_message if isinstance(message.raw_message, tuple) else (message.raw_message,)
        envelopes = [env for env, record in zip(map(read_envelope, bodies), records, strict=True)
                     if env is not None and (env.type not in APPLIED or admitted(producers, env.type, record))]
        try:
            async with db.pool.acquire() as conn, conn.transaction():
                for env in envelopes:
                    with bound_ids(event_id=env.id, incident_id=env.partitionkey, correlation_id=env.correlationid):
                        await _apply(conn, env)
        except Exception:
            log.exception("report events not applied; they will be delivered again", events=len(envelopes))
            raise
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
