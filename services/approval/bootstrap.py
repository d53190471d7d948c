"""Wires approval: Kafka consumer and HTTP."""

from __future__ import annotations

from fastapi import FastAPI

from services.approval.entrypoints import consumer
from services.approval.settings import ApprovalSettings
from shared.kafka import make_broker
from shared.service import build_app


def create_app(settings: ApprovalSettings) -> FastAPI:
    broker = make_broker(settings.kafka_bootstrap, client_id="baosong-approval")
    consumer.register(broker, group_id=settings.consumer_group)
    return build_app(settings=settings, broker=broker)
