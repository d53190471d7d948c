"""Kafka set-up shared by the services: credentials, a durable signing producer and CloudEvents publishing."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from faststream.response import PublishCommand
from faststream.security import SASLScram512
from faststream.types import DecodedMessage

from shared.envelope import CONTENT_TYPE, Envelope
from shared.producers import ProducerKeys, Signer

SECURITY_PROTOCOL: Final = "SASL_PLAINTEXT"
SASL_MECHANISM: Final = "SCRAM-SHA-512"


@dataclass(frozen=True)
class KafkaCredentials:
    """A SASL/SCRAM-SHA-512 user of the broker (kept in an owner-only JSON file)."""

    username: str
    password: str

    @classmethod
    def read(cls, path: Path) -> KafkaCredentials:
        raw = json.loads(path.read_text())
        return cls(str(raw["username"]), str(raw["password"]))

    def write(self, path: Path) -> None:
        """Owner-only (0600) from the first byte, in an owner-only folder."""
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text(json.dumps({"username": self.username, "password": self.password}))

    def client_options(self) -> dict[str, str]:
        """The keyword arguments an aiokafka client needs to log in as this user."""
        return {"security_protocol": SECURITY_PROTOCOL, "sasl_mechanism": SASL_MECHANISM,
                "sasl_plain_username": self.username, "sasl_plain_password": self.password}


@dataclass(frozen=True)
class KafkaAccess:
    """How one service reaches Kafka: where, as whom, the key it signs with and the keys it checks."""

    bootstrap: str
    credentials: KafkaCredentials | None
    signer: Signer | None
    producer_keys: ProducerKeys

    def client_options(self) -> dict[str, str]:
        return self.credentials.client_options() if self.credentials is not None else {}


def signing_middleware(signer: Signer) -> Callable[..., BaseMiddleware]:
    """A FastStream middleware that signs every record the broker publishes (``shared.producers``)."""

    class Signing(BaseMiddleware):
        async def publish_scope(self, call_next: Callable[[Any], Awaitable[Any]], cmd: PublishCommand) -> Any:
            bodies = cmd.batch_bodies
            if len(bodies) != 1 or not isinstance(bodies[0], bytes):
                raise TypeError("Baosong publishes one record of bytes at a time, so that it can sign it")
            cmd.headers = {**cmd.headers, **signer.headers(bodies[0])}
            return await call_next(cmd)

    return Signing


async def raw_body(message: StreamMessage[Any]) -> DecodedMessage:
    """Hand handlers the record's bytes (a list of them for batches), whatever its content-type header.

    FastStream's default decoder would parse JSON itself (and fail on what is not JSON) before any
    handler ran; every Baosong consumer reads the record's own bytes through ``shared.consumer``, whose
    guard parks what it cannot apply.
    """
    body: DecodedMessage = message.body
    return body


def make_broker(access: KafkaAccess, client_id: str, *, publishes: bool = True, **options: Any) -> KafkaBroker:
    """A FastStream broker that logs in with the service's credentials, signs what it publishes and never
    has a record acknowledged before every in-sync replica has it. ``options``: more client settings.
    ``publishes=False``: a service that only reads (assessment) asks for no idempotent producer id, which the
    broker grants only to a principal that may write some topic."""
    credentials = access.credentials
    return KafkaBroker(
        access.bootstrap,
        client_id=client_id,
        security=SASLScram512(credentials.username, credentials.password) if credentials is not None else None,
        middlewares=[signing_middleware(access.signer)] if access.signer is not None else (),
        **options,
        decoder=raw_body,
        enable_idempotence=publishes,  # implies acks="all"
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
        headers={"content-type": CONTENT_TYPE},
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
            headers={"content-type": CONTENT_TYPE},
            no_confirm=True,
        )
        for topic, envelope in items
    ]
    for future in pending:
        await future
