"""The archive's Kafka consumer: every event of every archived topic, appended in batches.

Offsets are committed only after the batch's transaction commits (the guard of ``shared.consumer``:
a batch that fails for a passing reason is retried, then delivered again; the store's idempotence
makes that harmless). A message that is not a storable envelope is kept as an
``ArchiveMessageUnreadable`` event (its exact bytes), so nothing consumed is ever lost and no bad
message blocks the partition. A record whose producer may not make its type, or that lacks that
producer's signature (``shared.producers``), is kept the same way, marked ``refused``: the archive
keeps everything, and no projection applies a forged event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from faststream.kafka import KafkaBroker

from services.archive.adapters.store import EventStore, Incoming
from services.archive.domain.anomalies import (
    NotAnEnvelope,
    check_envelope,
    parse_message,
    refused_envelope,
    unreadable_envelope,
)
from shared.consumer import Consumers, Record
from shared.logging import get_logger
from shared.producers import PRODUCER_HEADER, ForbiddenProducer, ProducerKeys, header
from shared.topics import ARCHIVED
from shared.transient import is_transient

log = get_logger(__name__)


def to_incoming(record: Record, producers: ProducerKeys) -> Incoming:
    """One Kafka record as an event to store: the envelope, or the record of an unreadable or refused one."""
    try:
        envelope, body = check_envelope(*parse_message(record.value))
    except (ValueError, RecursionError, NotAnEnvelope) as exc:
        log.error("unreadable message kept as ArchiveMessageUnreadable", reason=str(exc), topic=record.topic,
                  partition=record.partition, offset=record.offset)
        return unreadable(record, str(exc))
    try:
        producers.check(envelope["type"], record.value, record.headers)
    except ForbiddenProducer as exc:
        log.error("refused record kept as ArchiveMessageUnreadable (refused)", reason=str(exc), topic=record.topic,
                  partition=record.partition, offset=record.offset)
        refused = refused_envelope(record.value, reason=str(exc), producer=header(record.headers, PRODUCER_HEADER),
                                   topic=record.topic, partition=record.partition, offset=record.offset,
                                   timestamp_ms=record.timestamp_ms)
        return Incoming(refused, record.topic, record.partition, record.offset, record.timestamp_ms)
    return Incoming(envelope, record.topic, record.partition, record.offset, record.timestamp_ms, body)


def unreadable(record: Record, reason: str) -> Incoming:
    """The record kept as an ``ArchiveMessageUnreadable`` event: its exact bytes and why."""
    envelope = unreadable_envelope(record.value, reason=reason[:2000], topic=record.topic,
                                   partition=record.partition, offset=record.offset,
                                   timestamp_ms=record.timestamp_ms)
    return Incoming(envelope, record.topic, record.partition, record.offset, record.timestamp_ms)


def register(broker: KafkaBroker, consumers: Consumers, *, store: EventStore, producers: ProducerKeys,
             group_id: str, max_records: int, on_appended: Callable[[], None] = lambda: None) -> None:
    async def archive_events(records: Sequence[Record]) -> None:
        """One append (one transaction) per batch. A single record the store refuses for a reason that
        does not pass is kept as an ``ArchiveMessageUnreadable`` event naming the reason; only if even that
        fails is it set aside in ``archive.parked``."""
        try:
            appended = await store.append([to_incoming(r, producers) for r in records])
        except Exception as exc:
            if len(records) != 1 or is_transient(exc):
                raise
            log.error("event refused by the store; kept as ArchiveMessageUnreadable", error=str(exc)[:500],
                      topic=records[0].topic, partition=records[0].partition, offset=records[0].offset)
            appended = await store.append([unreadable(records[0], f"{type(exc).__name__}: {exc}")])
        fresh = [a for a in appended if a.outcome == "appended"]
        if fresh:
            log.info("archived", events=len(fresh), duplicates=len(appended) - len(fresh),
                     last_position=fresh[-1].position)
            on_appended()

    consumers.subscribe_batch(broker, "archive-all-events", *ARCHIVED, group_id=group_id, apply=archive_events,
                              max_records=max_records)
