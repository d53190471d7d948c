"""Kafka set-up shared by the services: a durable producer and CloudEvents publishing."""

from __future__ import annotations

import logging
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from faststream.types import DecodedMessage

from shared.envelope import CONTENT_TYPE, Envelope


async def raw_body(message: StreamMessage[Any]) -> DecodedMessage:
    """Hand handlers the record's bytes (a list of them for batches), whatever its content-type header.

    FastStream's default decoder turns JSON without a content-type into a dict, which a ``bytes``
    parameter then refuses: redelivered for ever, the partition stalls. Every Baosong consumer
    parses the envelope itself (``shared.envelope.read_envelope``).
    """
    body: DecodedMessage = message.body
    return body


def make_broker(bootstrap: str, client_id: str) -> KafkaBroker:
    """A FastStream broker whose producer never acknowledges before every in-sync replica has the event."""
    return KafkaBroker(
        bootstrap,
        client_id=client_id,
        decoder=raw_body,
        enable_idempotence=True,  # implies acks="all"
        acks="all",
        request_timeout_ms=15000,
        # Handler failures reach the service's log at ERROR; per-message lines stay at DEBUG.
        logger=logging.getLogger("baosong.kafka"),
        log_level=logging.DEBUG,
    )


async def publish(broker: KafkaBroker, topic: str, envelope: Envelope) -> None:
    """Publish and wait for the broker's acknowledgement (the caller may answer only after this)."""
    await broker.publish(
        envelope.to_bytes(),
        topic=topic,
        key=envelope.partitionkey.encode(),
        headers={"content-type": CONTENT_TYPE, "ce_type": envelope.type, "ce_id": envelope.id},
    )


async def publish_all(broker: KafkaBroker, items: list[tuple[str, Envelope]]) -> None:
    """Publish many events in order, then wait until the broker has acknowledged every one.

    Each event is appended to the producer in turn (so per-partition order is kept) without waiting
    for its acknowledgement; the acknowledgements are awaited together, which saves a round trip
    per event. Raises if any was not acknowledged.
    """
    pending = [
        await broker.publish(
            envelope.to_bytes(),
            topic=topic,
            key=envelope.partitionkey.encode(),
            headers={"content-type": CONTENT_TYPE, "ce_type": envelope.type, "ce_id": envelope.id},
            no_confirm=True,
        )
        for topic, envelope in items
    ]
    for future in pending:
        await future
