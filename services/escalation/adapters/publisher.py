"""The due loop's own Kafka producer: idempotent, acks from every in-sync replica, structured CloudEvents.

Separate from the FastStream broker so that firing deadlines never waits for the consumers to join
their groups (after a SIGKILL that takes a session timeout).
"""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer

from shared.envelope import CONTENT_TYPE, Envelope
from shared.kafka import KafkaAccess


class Publisher:
    def __init__(self, access: KafkaAccess, client_id: str):
        self._access, self._client_id = access, client_id
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Connect (aiokafka objects must be made inside the running event loop)."""
        self._producer = AIOKafkaProducer(bootstrap_servers=self._access.bootstrap, client_id=self._client_id,
                                          acks="all", enable_idempotence=True, request_timeout_ms=15000, linger_ms=5,
                                          **self._access.client_options())
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def publish_all(self, events: list[tuple[str, Envelope]]) -> None:
        """Send every event (keyed by its partition key) and return once Kafka acknowledged them all."""
        producer = self._producer
        if producer is None:
            raise RuntimeError("the publisher is not started")
        sent = [await producer.send(topic, value, key=e.partitionkey.encode(), headers=self._headers(e, value))
                for topic, e in events for value in (e.to_bytes(),)]
        await asyncio.gather(*sent)

    def _headers(self, envelope: Envelope, value: bytes) -> list[tuple[str, bytes]]:
        """The structured-mode content type and, with a signing key, the service's signature (shared.producers)."""
        headers = {"content-type": CONTENT_TYPE}
        if self._access.signer is not None:
            headers.update(self._access.signer.headers(value))
        return [(k, v.encode()) for k, v in headers.items()]
