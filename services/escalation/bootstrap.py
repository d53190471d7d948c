"""Wires escalation: PostgreSQL → clocks; Kafka consumers (units, reports, items, notifications); the due loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from services.escalation.adapters.publisher import Publisher
from services.escalation.adapters.webhook import WebhookConfig, WebhookNotifier
from services.escalation.domain.clock import SystemClock
from services.escalation.entrypoints import acknowledgements_http, consumer, notifications
from services.escalation.entrypoints.due_loop import DueLoop
from services.escalation.settings import EscalationSettings
from shared.db import Database
from shared.http import bearer_auth
from shared.kafka import make_broker
from shared.logging import get_logger
from shared.policy import check_packs
from shared.service import build_app, make_consumers

log = get_logger(__name__)


def create_app(settings: EscalationSettings) -> FastAPI:
    check_packs()
    access = settings.kafka_access()
    broker = make_broker(access, client_id="baosong-escalation")
    db = Database(settings.pg_dsn)
    clock = SystemClock(offset_s=settings.clock_offset_s, offset_file=settings.clock_file)
    publisher = Publisher(access, client_id="baosong-escalation-due")
    grace = timedelta(seconds=settings.quota_grace_s)
    loop = DueLoop(db, publisher, clock, interval_s=settings.due_interval_s, batch=settings.due_batch,
                   quota_grace=grace)
    acknowledgements = Publisher(access, client_id="baosong-escalation-acknowledgements")
    consumers = make_consumers(settings, db, "escalation")
    consumer.register(broker, consumers, db=db, clock=clock, producers=access.producer_keys,
                      group_id=settings.consumer_group, wake=loop.wake, quota_grace=grace)
    config = WebhookConfig(settings.webhook_url, settings.webhook_urls, settings.webhook_attempts,
                           settings.webhook_backoff_s, settings.webhook_timeout_s)
    notifier = WebhookNotifier(db, config) if config.enabled else None
    if notifier is not None:
        notifications.register(broker, consumers, notifier=notifier, producers=access.producer_keys,
                               group_id=f"{settings.consumer_group}-notify")

    @asynccontextmanager
    async def resources() -> AsyncIterator[None]:
        """The database, then the due loop (it needs no consumer: it fires from the database alone)."""
        if clock.shifted:
            log.warning("clock shifted for tests", offset_s=settings.clock_offset_s, file=str(settings.clock_file))
        await acknowledgements.start()
        try:
            async with db.connected(), loop.running():
                yield
        finally:
            await acknowledgements.stop()
        if notifier is not None:
            await notifier.close()

    auth = bearer_auth(settings.jwt_public_key.read_bytes())
    app = build_app(settings=settings, broker=broker, consumers=consumers, auth=auth, resources=resources,
                    ready=db.ping)
    app.include_router(acknowledgements_http.router(db, acknowledgements, clock, auth))
    return app
