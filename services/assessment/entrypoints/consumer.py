"""Assessment's Kafka consumers, each applying what it reads as facts:

- ``assessment-facts`` (group ``baosong-assessment``): units, items, breaches and deadlines → the scores' facts;
- ``assessment-incidents`` (group ``baosong-assessment-incidents``): reports and breaches → the incident
  statistics' read models. A group of its own, so a deployment that had the first one reads these topics from
  their start, not from where the first one had skipped their incident events.

Batches are applied in one transaction; a batch that fails is applied record by record so that only the
record at fault is set aside in ``assessment.parked`` (``shared.consumer``). A record of a type the
assessment counts must carry the signature of the one service allowed to make it (``shared.producers``):
a forged adoption earns no points, a forged forward makes no report on time. Writes are idempotent, so a
redelivery changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from faststream.kafka import KafkaBroker

from services.assessment.service_layer.facts import APPLY, Apply, apply
from services.assessment.service_layer.incident_facts import INCIDENT_APPLY
from shared.consumer import Consumers, Record
from shared.db import Database
from shared.envelope import Envelope
from shared.events import EventData, parse_data
from shared.logging import bound_ids, get_logger
from shared.producers import ProducerKeys
from shared.topics import BREACHES, DEADLINES, ITEMS, REPORTS, UNITS

log = get_logger(__name__)
TOPICS = (UNITS, ITEMS, BREACHES, DEADLINES)
INCIDENT_TOPICS = (REPORTS, BREACHES)


def register(broker: KafkaBroker, consumers: Consumers, *, db: Database, producers: ProducerKeys,
             group_id: str) -> None:
    def subscribe(name: str, topics: tuple[str, ...], appliers: Mapping[str, Apply], group: str) -> None:
        async def on_events(records: Sequence[Record]) -> None:
            applied: list[tuple[Envelope, EventData]] = []
            for record in records:
                envelope = Envelope.from_bytes(record.value)
                if envelope.type in appliers:
                    producers.check(envelope.type, record.value, record.headers)
                    applied.append((envelope, parse_data(envelope.type, envelope.data)))
            if not applied:
                return
            async with db.pool.acquire() as conn, conn.transaction():
                for envelope, data in applied:
                    with bound_ids(event_id=envelope.id, correlation_id=envelope.correlationid):
                        await apply(conn, envelope, data, appliers)
            log.info("facts recorded", consumer=name, events=len(applied))

        consumers.subscribe_batch(broker, name, *topics, group_id=group, apply=on_events, max_records=500)

    subscribe("assessment-facts", TOPICS, APPLY, group_id)
    subscribe("assessment-incidents", INCIDENT_TOPICS, INCIDENT_APPLY, f"{group_id}-incidents")
