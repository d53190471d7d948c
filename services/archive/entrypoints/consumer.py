"""The archive's Kafka consumer: every event of every archived topic, appended in batches.

Offsets are committed only after the batch's transaction commits (``NACK_ON_ERROR``: a failed
batch is rewound and delivered again; the store's idempotence makes the retry harmless). A message
that is not a storable envelope is kept as an ``ArchiveMessageUnreadable`` event (its exact bytes),
so nothing consumed is ever lost and no bad message blocks the partition. A record whose producer may
not make its type, or that lacks that producer's signature (``shared.producers``), is kept the same way,
marked ``refused``: the archive keeps everything, and no projection applies a forged event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.archive.adapters.store import EventStore, Incoming
from services.archive.domain.anomalies import (
    NotAnEnvelope,
    check_envelope,
    parse_message,
    refused_envelope,
    unreadable_envelope,
)
from shared.logging import get_logger
from shared.producers import PRODUCER_HEADER, ForbiddenProducer, ProducerKeys, header
from shared.topics import ARCHIVED

log = get_logger(__name__)


def to_incoming(record: Any, producers: ProducerKeys) -> Incoming:
    """One Kafka record as an event to store: the envelope, or the record of an unreadable or refused one."""
    raw: bytes = record.value or b""
    where = {"topic": record.topic, "partition": record.partition, "offset": record.offset,
             "timestamp_ms": record.timestamp}
    try:
        envelope, body = check_envelope(*parse_message(raw))
    except (ValueError, NotAnEnvelope) as exc:
        log.error("unreadable message kept as ArchiveMessageUnreadable", reason=str(exc), **where)
        return Incoming(unreadable_envelope(raw, reason=str(exc), **where), record.topic, record.partition,
                        record.offset, record.timestamp)
    try:
        producers.check(envelope["type"], raw, record.headers or ())
    except ForbiddenProducer as exc:
        log.error("refused record kept as ArchiveMessageUnreadable (refused)", reason=str(exc), **where)
        producer = header(record.headers or (), PRODUCER_HEADER)
        return Incoming(refused_envelope(raw, reason=str(exc), producer=producer, **where), record.topic,
                        record.partition, record.offset, record.timestamp)
    return Incoming(envelope, record.topic, record.partition, record.offset, record.timestamp, body)


def register(broker: KafkaBroker, *, store: EventStore, producers: ProducerKeys, group_id: str, max_records: int,
             on_appended: Callable[[], None] = lambda: None) -> None:
    @broker.subscriber(
        *ARCHIVED,
        group_id=group_id,
        batch=True,
        max_records=max_records,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title="archive-all-events",
    )
    async def archive_events(bodies: list[Any], message: KafkaMessage) -> None:
        """``bodies`` is whatever FastStream decoded (any type: a message without a content-type header is
        decoded as JSON, and ``list[bytes]`` would then fail validation before this handler, forever).
        The archive reads the records' raw bytes instead."""
        records = message.raw_message if isinstance(message.raw_message, tuple) else (message.raw_message,)
        try:
            appended = await store.append([to_incoming(record, producers) for record in records])
        except Exception:  # the batch is redelivered (NACK_ON_ERROR); say why, loudly
            log.exception("batch not archived; it will be delivered again", records=len(records))
            raise
        fresh = [a for a in appended if a.outcome == "appended"]
        if fresh:
            log.info("archived", events=len(fresh), duplicates=len(appended) - len(fresh),
                     last_position=fresh[-1].position)
            on_appended()
