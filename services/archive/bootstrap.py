"""Wires the archive: PostgreSQL → event store → Kafka consumer and read API."""

from __future__ import annotations

from fastapi import FastAPI

from services.archive.adapters.store import EventStore
from services.archive.entrypoints import consumer, http
from services.archive.settings import ArchiveSettings
from services.archive.web.mount import pages_router
from shared.db import Database
from shared.http import bearer_auth
from shared.kafka import make_broker
from shared.service import build_app


def create_app(settings: ArchiveSettings) -> FastAPI:
    broker = make_broker(settings.kafka_bootstrap, client_id="baosong-archive")
    db = Database(settings.pg_dsn)
    store = EventStore(db)
    consumer.register(broker, store=store, group_id=settings.consumer_group,
                      max_records=settings.batch_max_records)
    app = build_app(settings=settings, broker=broker, resources=db.connected, ready=db.ping)
    app.include_router(http.router(store, bearer_auth(settings.jwt_public_key.read_bytes())))
    app.include_router(pages_router(db, settings.jwt_public_key.read_bytes()))
    return app
