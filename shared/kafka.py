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
