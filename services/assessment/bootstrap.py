"""Wires assessment: PostgreSQL → its facts; two Kafka consumers (units, items, breaches, deadlines → the scores;
reports, breaches → the incident statistics); the read API."""

from __future__ import annotations

from fastapi import FastAPI

from services.assessment.entrypoints import consumer, documents_http, http
from services.assessment.service_layer.documents import Documents
from services.assessment.service_layer.incident_stats import IncidentStats
from services.assessment.service_layer.scores import Scores
from services.assessment.settings import AssessmentSettings
from shared.db import Database
from shared.http import bearer_auth
from shared.incident_stats import http as stats_http
from shared.information import check_info_packs
from shared.kafka import make_broker
from shared.service import build_app, make_consumers


def create_app(settings: AssessmentSettings) -> FastAPI:
    check_info_packs()
    access = settings.kafka_access()
    broker = make_broker(access, client_id="baosong-assessment", publishes=False)
    db = Database(settings.pg_dsn)
    consumers = make_consumers(settings, db, "assessment")
    consumer.register(broker, consumers, db=db, producers=access.producer_keys, group_id=settings.consumer_group)
    key = settings.jwt_public_key.read_bytes()
    auth = bearer_auth(key)
    app = build_app(settings=settings, broker=broker, consumers=consumers, auth=auth, resources=db.connected,
                    ready=db.ping)
    scores, page_auth = Scores(db), bearer_auth(key, query_param="token")  # pages and downloads may carry ?token=
    app.include_router(http.router(scores, auth, page_auth))
    app.include_router(documents_http.router(Documents(db, scores), page_auth, settings.chromium))
    app.include_router(stats_http.router(IncidentStats(db).month, page_auth, settings.echarts_js, settings.chromium))
    return app
