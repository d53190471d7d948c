"""Intake's HTTP rules with FastStream's in-memory broker (unit level: no offsets, no real Kafka)."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from faststream.kafka import TestKafkaBroker

from services.intake.bootstrap import create_app
from services.intake.settings import IntakeSettings
from shared.auth import create_keypair, mint_token
from tests.support.reports import report


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, bytes, list[bytes]]]:
    create_keypair(tmp_path / "k.pem", tmp_path / "k.pub")
    app = create_app(IntakeSettings(jwt_public_key=tmp_path / "k.pub"))
    broker = app.state.broker
    published: list[bytes] = []

    @broker.subscriber("baosong.reports")
    async def capture(body: bytes) -> None:
        published.append(body)

    async with TestKafkaBroker(broker):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as c:
            yield c, (tmp_path / "k.pem").read_bytes(), published


def token(private: bytes, unit: str, role: str = "reporter") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(private, subject='t', unit=unit, roles=[role])}"}


async def test_no_token_is_401_problem(client: tuple[httpx.AsyncClient, bytes, list[bytes]]) -> None:
    c, _, published = client
    r = await c.post("/v1/reports", json=report())
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert published == []


async def test_token_of_another_unit_is_403(client: tuple[httpx.AsyncClient, bytes, list[bytes]]) -> None:
    c, private, published = client
    r = await c.post("/v1/reports", json=report(), headers=token(private, "town-b-office"))
    assert r.status_code == 403
    assert published == []


async def test_bad_fields_are_named_and_nothing_is_published(
    client: tuple[httpx.AsyncClient, bytes, list[bytes]],
) -> None:
    c, private, published = client
    r = await c.post("/v1/reports", json=report(occurred_at="yesterday", channel="pigeon"),
                     headers=token(private, "town-a-office"))
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"occurred_at", "channel"} <= fields
    assert published == []


async def test_valid_report_is_published_and_answered_202(
    client: tuple[httpx.AsyncClient, bytes, list[bytes]],
) -> None:
    c, private, published = client
    r = await c.post("/v1/reports", json=report(), headers=token(private, "town-a-office"))
    assert r.status_code == 202, r.text
    assert r.json()["report_id"].startswith("rpt-")
    assert len(published) == 1
