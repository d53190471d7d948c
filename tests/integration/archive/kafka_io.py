"""Publishing straight to the real broker, as the other services would (archive tests drive it alone)."""

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaProducer

from shared.topics import BREACHES, REPORTS, UNITS
from tests.conftest import Infra
from tests.support.waiting import until

TOPIC_OF = {"UnitRegistered": UNITS, "DeadlineBreached": BREACHES}


@asynccontextmanager
async def producer(infra: Infra) -> AsyncIterator[AIOKafkaProducer]:
    """The super user's producer; ``send`` signs each event as the service that makes its type would."""
    p = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", enable_idempotence=True,
                         **infra.kafka_options())
    p.infra = infra  # type: ignore[attr-defined]
    await p.start()
    try:
        yield p
    finally:
        await p.stop()


async def send(p: AIOKafkaProducer, *envelopes: dict[str, Any]) -> None:
    for env in envelopes:
        value = json.dumps(env, ensure_ascii=False).encode()
        await p.send_and_wait(TOPIC_OF.get(env["type"], REPORTS), value, key=env["subject"].encode(),
                              headers=p.infra.signed_headers(env["type"], value))  # type: ignore[attr-defined]


async def eventually(check: Callable[[], Awaitable[Any]], timeout_s: float = 60, what: str = "") -> Any:
    """Poll ``check`` until it returns something truthy."""
    return await until(check, what, timeout_s)
