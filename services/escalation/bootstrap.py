"""Wires escalation: Kafka consumer and HTTP."""

from __future__ import annotations

from fastapi import FastAPI

from services.escalation.entrypoints import consumer
from services.escalation.settings import EscalationSettings
from shared.kafka import make_broker
from shared.service import build_app


def create_app(settings: EscalationSettings) -> FastAPI:
    broker = make_broker(settings.kafka_bootstrap, client_id="baosong-escalation")
    consumer.register(broker, group_id=settings.consumer_group)
    return build_app(settings=settings, broker=broker)
