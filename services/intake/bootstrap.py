"""Wires intake: PostgreSQL (directory, submissions, items, incidents) → Kafka producer and consumers → HTTP API."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from services.intake.adapters.store import IntakeStore, LinkStore
from services.intake.entrypoints import consumers, http, items_http, links_http, receipts_http, units_http
from services.intake.link import Linker
from services.intake.settings import IntakeSettings
from services.intake.submit import Intake
from services.intake.submit_item import ItemIntake
from shared.db import Database
from shared.envelope import Envelope
from shared.http import bearer_auth
from shared.information import check_info_packs
from shared.kafka import make_broker, publish
from shared.policy import check_packs
from shared.service import build_app, make_consumers
from shared.signing import Signer
from shared.topics import ITEMS, REPORTS, UNITS


def create_app(settings: IntakeSettings) -> FastAPI:
    check_packs()
    check_info_packs()
    access = settings.kafka_access()
    # Metadata every 10 s: a new agency's ingress topic (./baosong kafka-user) is consumed within seconds.
    broker = make_broker(access, client_id="baosong-intake", metadata_max_age_ms=10_000)
    db = Database(settings.pg_dsn)
    store = IntakeStore(db)

    async def publish_report(envelope: Envelope) -> None:
        await publish(broker, REPORTS, envelope)

    async def publish_item(envelope: Envelope) -> None:
        await publish(broker, ITEMS, envelope)

    async def publish_unit(envelope: Envelope) -> None:
        await publish(broker, UNITS, envelope)

    signer = Signer.from_pem(settings.receipt_signing_key)
    skew = timedelta(seconds=settings.clock_skew_s)
    intake = Intake(store, publish_report, clock_skew=skew, signer=signer)
    items = ItemIntake(store, publish_item, clock_skew=skew, signer=signer)
    guards = make_consumers(settings, db, "intake")
    consumers.register_units(broker, guards, store=store, producers=access.producer_keys,
                             group_id=settings.consumer_group)
    consumers.register_requests(broker, guards, store=store, producers=access.producer_keys,
                                group_id=settings.consumer_group)
    consumers.register_ingress(broker, guards, intake=intake, group_id=settings.consumer_group)
    auth = bearer_auth(settings.jwt_public_key.read_bytes())
    app = build_app(settings=settings, broker=broker, consumers=guards, auth=auth, resources=db.connected,
                    ready=db.ping)
    app.include_router(http.router(intake, auth))
    app.include_router(items_http.router(items, auth))
    app.include_router(units_http.router(store, publish_unit, auth))
    app.include_router(receipts_http.router(store, signer, auth))
    app.include_router(links_http.router(Linker(store, LinkStore(db), publish_report), auth))
    return app
