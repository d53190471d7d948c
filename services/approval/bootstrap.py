"""Wires approval: PostgreSQL → outbox relay → Kafka consumers and HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from services.approval.adapters.outbox import Relay
from services.approval.entrypoints import consumer, http, item_http
from services.approval.service_layer.actions import Actions
from services.approval.service_layer.arrival_wait import ArrivalWait
from services.approval.service_layer.arrivals import Arrivals
from services.approval.service_layer.item_actions import ItemActions
from services.approval.service_layer.item_arrivals import ItemArrivals
from services.approval.service_layer.item_reads import ItemReads
from services.approval.service_layer.item_requests import Requests
from services.approval.settings import ApprovalSettings
from shared.db import Database
from shared.http import bearer_auth
from shared.information import check_info_packs
from shared.kafka import make_broker
from shared.policy import check_packs
from shared.service import build_app, make_consumers


def create_app(settings: ApprovalSettings) -> FastAPI:
    check_packs()
    check_info_packs()
    access = settings.kafka_access()
    broker = make_broker(access, client_id="baosong-approval")
    db = Database(settings.pg_dsn)
    relay = Relay(db, broker, interval_s=settings.outbox_interval_s)
    consumers = make_consumers(settings, db, "approval")
    consumer.register(broker, consumers, arrivals=Arrivals(db, relay), items=ItemArrivals(db),
                      producers=access.producer_keys, group_id=settings.consumer_group)
    auth = bearer_auth(settings.jwt_public_key.read_bytes())

    @asynccontextmanager
    async def resources() -> AsyncIterator[None]:
        async with db.connected(), relay.running():
            yield

    app = build_app(settings=settings, broker=broker, consumers=consumers, auth=auth, resources=resources,
                    ready=db.ping)
    arrival = ArrivalWait(db, consumers, wait_s=settings.arrival_wait_s,
                          retry_after_s=settings.arrival_retry_after_s)
    app.include_router(http.router(db, Actions(db, relay), auth, arrival))
    requests = Requests(db, relay, max_ahead=timedelta(days=settings.request_max_ahead_days))
    app.include_router(item_http.router(ItemActions(db, relay), ItemReads(db), requests, auth, arrival))
    return app
