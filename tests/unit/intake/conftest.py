"""Intake's HTTP app on FastStream's in-memory broker and the session's real PostgreSQL.

Each test gets its own unit tree (ids with a random suffix), so tests never see each other's data.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.intake.bootstrap import create_app
from services.intake.settings import IntakeSettings
from shared.topics import INGRESS_DEAD_LETTER, ITEMS, REPORTS, UNITS
from tests.conftest import Infra
from tests.support.reports import report


@dataclass
class App:
    client: httpx.AsyncClient
    infra: Infra
    broker: Any
    suffix: str
    published: dict[str, list[bytes]] = field(default_factory=dict)

    def u(self, name: str) -> str:
        """This test's id for the unit called ``name`` in the contract's example (e.g. town-a-office)."""
        return f"{name}-{self.suffix}"

    def auth(self, unit: str | None, role: str = "reporter") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.infra.token(unit=unit, role=role)}"}

    def report(self, **changes: Any) -> dict[str, Any]:
        body = report(reporting_unit=self.u("town-a-office"),
                      location={"unit_id": self.u("town-a-office"), "address": "307国道K12处"})
        body.update(changes)
        return body

    async def put_unit(self, unit_id: str, **body: Any) -> httpx.Response:
        return await self.client.put(f"/v1/units/{unit_id}", json=body, headers=self.auth(None, "admin"))

    async def submit(self, body: Any, *, unit: str | None = None, key: str | None = None) -> httpx.Response:
        headers = self.auth(unit or self.u("town-a-office"))
        if key is not None:
            headers["Idempotency-Key"] = key
        return await self.client.post("/v1/reports", json=body, headers=headers)


@pytest.fixture
async def app(infra: Infra) -> AsyncIterator[App]:
    kafka = {key.removeprefix("BAOSONG_").lower(): value for key, value in infra.kafka_env("intake").items()}
    settings = IntakeSettings(jwt_public_key=infra.public_key, pg_dsn=infra.service_dsn("intake"), **kafka,
                              receipt_signing_key=infra.receipt_signing_key)
    asgi = create_app(settings)
    broker = asgi.state.broker
    published: dict[str, list[bytes]] = {REPORTS: [], ITEMS: [], UNITS: [], INGRESS_DEAD_LETTER: []}

    def capture_into(sink: list[bytes]) -> Any:
        async def capture(message: KafkaMessage) -> None:
            sink.append(message.body)
        return capture

    for topic, sink in published.items():
        broker.subscriber(topic)(capture_into(sink))

    async with TestKafkaBroker(broker), asgi.router.lifespan_context(asgi):
        transport = httpx.ASGITransport(app=asgi)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            a = App(client, infra, broker, uuid.uuid4().hex[:8], published)
            county = a.u("county-x-office")
            assert (await a.put_unit(county, name="某县委办", level="county", kind="general_office")).status_code == 201
            for town in ("town-a-office", "town-b-office"):
                r = await a.put_unit(a.u(town), name="城关镇党政办", level="town", kind="general_office",
                                     parent_id=county)
                assert r.status_code == 201, r.text
            published[UNITS].clear()
            yield a
