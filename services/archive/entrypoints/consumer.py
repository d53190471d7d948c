"""The archive's Kafka consumer: every event of every archived topic, appended in batches.

Offsets are committed only after the batch's transaction commits (``NACK_ON_ERROR``: a failed
batch is rewound and delivered again; the store's idempotence makes the retry harmless).
"""

from __future__ import annotations

import json

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.archive.adapters.store import EventStore, Incoming
from shared.logging import get_logger
from shared.topics import ARCHIVED

log = get_logger(__name__)


def register(broker: KafkaBroker, *, store: EventStore, group_id: str, max_records: int) -> None:
    @broker.subscriber(
        *ARCHIVED,
        group_id=group_id,
        batch=True,
        max_records=max_records,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title="archive-all-events",
    )
    async def archive_events(bodies: list[bytes], message: KafkaMessage) -> None:
        records = message.raw_message if isinstance(message.raw_message, tuple) else (message.raw_message,)
        batch = [
            Incoming(json.loads(record.value), record.topic, record.partition, record.offset)
            for record in records
            if record.value is not None
        ]
        appended = await store.append(batch)
        fresh = [a for a in appended if not a.duplicate]
        if fresh:
            log.info("archived", events=len(fresh), duplicates=len(appended) - len(fresh),
                     last_position=fresh[-1].position)
