"""How a Baosong service process runs: one FastAPI app (HTTP) and one FastStream broker (Kafka); a service
without Kafka (web, the pages) passes neither broker nor consumers.

The broker starts inside the app's lifespan, after the service's own resources (its PostgreSQL
pool) are open, and stops before they close, so no handler ever runs without its dependencies.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext, suppress
from typing import Any

import uvicorn
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from shared.auth import Principal
from shared.consumer import Consumers, RetryPolicy
from shared.db import Database
from shared.http import Answer, Problem, install_problem_handlers
from shared.logging import configure_logging
from shared.openapi import document_problems
from shared.parked_http import parked_router
from shared.parking import PgParking
from shared.settings import ServiceSettings

Resources = Callable[[], AbstractAsyncContextManager[None]]


@asynccontextmanager
async def in_background(*loops: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """Run ``loops`` as tasks while the block runs; cancel and await them when it ends."""
    tasks = [asyncio.create_task(loop) for loop in loops]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task


def make_consumers(settings: ServiceSettings, db: Database, schema: str) -> Consumers:
    """The service's consumers, parking what they cannot apply in ``<schema>.parked``."""
    return Consumers(settings.service_name, PgParking(db, schema),
                     RetryPolicy(attempts=settings.consumer_retry_attempts,
                                 max_backoff_s=settings.consumer_retry_max_backoff_s),
                     stuck_after_s=settings.health_stuck_after_s, max_lag=settings.health_max_lag)


def build_app(
    *,
    settings: ServiceSettings,
    broker: KafkaBroker | None = None,
    consumers: Consumers | None = None,
    auth: Callable[..., Awaitable[Principal]],
    resources: Resources | None = None,
    ready: Callable[[], Awaitable[bool]] | None = None,
) -> FastAPI:
    """The service's ASGI app with ``/healthz`` (200 once Kafka and the service's resources are up and no
    consumer is stuck or too far behind; 503 naming which and why otherwise) and the parked records' API."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with resources() if resources is not None else nullcontext():
            if broker is None:
                yield
                return
            await broker.start()
            try:
                yield
            finally:
                await broker.stop()

    app = FastAPI(title=f"Baosong {settings.service_name}", lifespan=lifespan, default_response_class=Answer)
    app.state.broker = broker
    install_problem_handlers(app)
    document_problems(app)

    @app.get("/healthz", openapi_extra={"security": []}, summary="就绪检查（无需凭证） / readiness, no token")
    async def healthz() -> dict[str, Any]:
        if ready is not None and not await ready():
            raise Problem(503, "Not ready", f"{settings.service_name} 正在启动或数据库不可用 / {settings.service_name}"
                          " is starting or lost its database.")
        states = await consumers.health() if consumers is not None else []
        held = [_held_up(c) for c in states if c["state"] != "ok"]
        if held:
            raise Problem(503, "Consumer held up", f"{settings.service_name} 有消息处理卡住或积压 / "
                          f"{settings.service_name}: {'; '.join(held)}",
                          extra={"consumers": states})
        return {"status": "ok", "service": settings.service_name, "consumers": states}

    if consumers is not None:
        app.include_router(parked_router(consumers, auth))
    return app


def _held_up(consumer: dict[str, Any]) -> str:
    if consumer["state"] == "stuck":
        return f"{consumer['consumer']} is held up on a record for {consumer['held_for_s']} s: {consumer['reason']}"
    return f"{consumer['consumer']} is {consumer['lag']} records behind"


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run the service in the foreground until SIGTERM/SIGINT."""
    configure_logging(settings.service_name, settings.log_level, settings.log_file, settings.log_max_bytes)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False)
