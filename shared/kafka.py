"""Kafka set-up shared by the services: a durable producer and CloudEvents publishing."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from shared.envelope import CONTENT_TYPE, Envelope


def make_broker(bootstrap: str, client_id: str) -> KafkaBroker:
    """A FastStream broker whose producer never acknowledges before every in-sync replica has the event."""
    return KafkaBroker(
        bootstrap,
        client_id=client_id,
        enable_idempotence=True,  # implies acks="all"
        acks="all",
        request_timeout_ms=15000,
        logger=None,
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
