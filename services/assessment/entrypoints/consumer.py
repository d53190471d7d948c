"""Assessment's one Kafka consumer: units, items, breaches and deadlines, applied as facts.

Batches are applied in one transaction; a batch that fails is applied record by record so that only the
record at fault is set aside in ``assessment.parked`` (``shared.consumer``). A record of a type the
assessment counts must carry the signature of the one service allowed to make it (``shared.producers``):
a forged adoption earns no points. Writes are idempotent, so a redelivery changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from faststream.kafka import KafkaBroker

from services.assessment.service_layer.facts import APPLY, apply
from shared.consumer import Consumers, Record
from shared.db import Database
from shared.envelope import Envelope
from shared.events import EventData, parse_data
from shared.logging import bound_ids, get_logger
from shared.producers import ProducerKeys
from shared.topics import BREACHES, DEADLINES, ITEMS, UNITS

log = get_logger(__name__)
TOPICS = (UNITS, ITEMS, BREACHES, DEADLINES)


def register(broker: KafkaBroker, consumers: Consumers, *, db: Database, producers: ProducerKeys,
             group_id: str) -> None:
    async def on_events(records: Sequence[Record]) -> None:
        applied: list[tuple[Envelope, EventData]] = []
        for record in records:
            envelope = Envelope.from_bytes(record.value)
            if envelope.type in APPLY:
                producers.check(envelope.type, record.value, record.headers)
                applied.append((envelope, parse_data(envelope.type, envelope.data)))
        if not applied:
            return
        async with db.pool.acquire() as conn, conn.transaction():
            for envelope, data in applied:
                with bound_ids(event_id=envelope.id, correlation_id=envelope.correlationid):
                    await apply(conn, envelope, data)
        log.info("facts recorded", events=len(applied))

    consumers.subscribe_batch(broker, "assessment-facts", *TOPICS, group_id=group_id, apply=on_events,
                              max_records=500)
