"""Reaching the session's SASL broker from tests: as the super user, signing each event as its producer would."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker
from faststream.response import PublishCommand
from faststream.security import SASLScram512

from shared.kafka import raw_body
from tests.conftest import Infra


def acting_broker(infra: Infra, client_id: str = "test") -> KafkaBroker:
    """A FastStream broker logged in as the super user whose every published event carries the signature of
    the service that makes its type (tests stand in for the other services)."""

    class SignAsProducer(BaseMiddleware):
        async def publish_scope(self, call_next: Callable[[Any], Awaitable[Any]], cmd: PublishCommand) -> Any:
            (value,) = cmd.batch_bodies
            cmd.headers = {**cmd.headers, **{k: v.decode() for k, v in
                                             infra.signed_headers(json.loads(value)["type"], value)}}
            return await call_next(cmd)

    user = infra.kafka_user()
    return KafkaBroker(infra.kafka_bootstrap, client_id=client_id, decoder=raw_body, enable_idempotence=True,
                       security=SASLScram512(user.username, user.password), middlewares=[SignAsProducer])
