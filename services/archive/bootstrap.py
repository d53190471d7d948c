"""Wires the archive: PostgreSQL → event store → Kafka consumer, projector, head publisher and read API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from services.archive.adapters.projector import Projector
from services.archive.adapters.reads import Reads
from services.archive.adapters.store import EventStore
from services.archive.entrypoints import consumer, http
from services.archive.entrypoints.head_publisher import HeadPublisher
from services.archive.settings import ArchiveSettings
from services.archive.web import system
from services.archive.web.mount import pages_router
from shared.db import Database
from shared.http import bearer_auth
from shared.kafka import make_broker
from shared.policy import check_packs
from shared.service import build_app, in_background, make_consumers
from shared.signing import Signer


def create_app(settings: ArchiveSettings) -> FastAPI:
    check_packs()  # as every service: a broken pack stops the start
    access = settings.kafka_access()
    broker = make_broker(access, client_id="baosong-archive")
    db = Database(settings.pg_dsn)
    store = EventStore(db)
    projector = Projector(db)
    consumers = make_consumers(settings, db, "archive")
    projector.state = consumers.track("archive-projector", projector.lag)
    consumer.register(broker, consumers, store=store, producers=access.producer_keys,
                      group_id=settings.consumer_group,
                      max_records=settings.batch_max_records, on_appended=projector.wake)
    heads = HeadPublisher(broker, db, Signer.from_pem(settings.head_signing_key), settings.heads_file)

    @asynccontextmanager
    async def resources() -> AsyncIterator[None]:
        """The pool, then the background loops (stopped before the pool closes)."""
        async with db.connected(), in_background(
                projector.run(settings.projector_idle_s),
                heads.run(settings.head_publish_interval_s)):
            yield

    auth = bearer_auth(settings.jwt_public_key.read_bytes())
    app = build_app(settings=settings, broker=broker, consumers=consumers, auth=auth, resources=resources,
                    ready=db.ping)
    app.include_router(http.router(Reads(db), auth, link_window=timedelta(hours=settings.link_window_h)))
    app.include_router(pages_router(db, settings.jwt_public_key.read_bytes(), echarts=settings.echarts_js,
                                   chromium=settings.chromium))
    app.include_router(system.router(consumers, settings.health_urls,
                                     bearer_auth(settings.jwt_public_key.read_bytes(), query_param="token")))
    return app
