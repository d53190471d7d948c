"""Wires intake: Kafka producer → HTTP API."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.entrypoints import http
from services.intake.settings import IntakeSettings
from shared.http import bearer_auth
from shared.kafka import make_broker
from shared.service import build_app


def create_app(settings: IntakeSettings) -> FastAPI:
    broker = make_broker(settings.kafka_bootstrap, client_id="baosong-intake")
    app = build_app(settings=settings, broker=broker)
    app.include_router(http.router(broker, bearer_auth(settings.jwt_public_key.read_bytes())))
    return app
