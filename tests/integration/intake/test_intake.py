"""Intake as a real process on the real broker and PostgreSQL: units, refusals, retries, the ingress."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.envelope import CONTENT_TYPE, Envelope, now_utc
from shared.topics import INGRESS, INGRESS_DEAD_LETTER, PARTITIONS, REPORTS, UNITS
from tests.conftest import Infra
from tests.support.reports import report
from tests.support.services import running_service

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def intake(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_service(infra, "intake", tmp_path_factory.mktemp("logs")) as url:
        yield url


@pytest.fixture
def units(infra: Infra, intake: str) -> dict[str, str]:
    """A fresh county → town pair for the test; the name → id map."""
    s = uuid.uuid4().hex[:8]
    ids = {"county": f"county-{s}", "town": f"town-{s}", "other": f"other-{s}"}
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    for name, parent in (("county", None), ("town", ids["county"]), ("other", ids["county"])):
        body = {"name": "测试单位", "level": "county" if parent is None else "town", "kind": "general_office",
                "parent_id": parent}
        assert httpx.put(f"{intake}/v1/units/{ids[name]}", json=body, headers=admin).status_code == 201
    return ids


def body_for(units: dict[str, str], **changes: Any) -> dict[str, Any]:
    return report(**{"reporting_unit": units["town"], "location": {"unit_id": units["town"], "address": "K12"},
                     **changes})


@asynccontextmanager
async def tail(infra: Infra, topic: str) -> AsyncIterator[Callable[..., Awaitable[list[dict[str, Any]]]]]:
    """Watch ``topic`` from its current end; yields ``collect(done)`` → every JSON value since, once ``done``."""
    consumer = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap, enable_auto_commit=False,
                                **infra.kafka_options())
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(PARTITIONS[topic])]
        consumer.assign(parts)
        await consumer.seek_to_end(*parts)
        for tp in parts:
            await consumer.position(tp)  # pin the start before anything is sent
        seen: list[dict[str, Any]] = []

        async def poll() -> None:
            batches = await consumer.getmany(timeout_ms=200)
            seen.extend(json.loads(r.value) for records in batches.values() for r in records if r.value)

        async def collect(done: Callable[[list[dict[str, Any]]], bool], timeout_s: float = 15,
                          settle_s: float = 0) -> list[dict[str, Any]]:
            """Poll until ``done``, then on for ``settle_s`` more (to see what should NOT arrive)."""
            deadline = time.monotonic() + timeout_s
            while not done(seen):
                assert time.monotonic() < deadline, f"gave up on {topic} after {len(seen)} messages"
                await poll()
            settled = time.monotonic() + settle_s
            while time.monotonic() < settled:
                await poll()
            return list(seen)

        yield collect
    finally:
        await consumer.stop()


def post(intake: str, infra: Infra, unit: str, body: Any, key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {infra.token(unit=unit, role='reporter')}"}
    if key:
        headers["Idempotency-Key"] = key
    return httpx.post(f"{intake}/v1/reports", json=body, headers=headers, timeout=15)


async def test_a_unit_published_on_kafka_is_usable_within_2s(infra: Infra, intake: str,
                                                              units: dict[str, str]) -> None:
    unit_id = f"village-{uuid.uuid4().hex[:8]}"
    data = {"unit_id": unit_id, "name": "东村村委会", "level": "village", "kind": "general_office",
            "parent_id": units["town"], "department_parent_id": None}
    env = Envelope(id=str(uuid.uuid4()), source="/test", type="UnitRegistered", subject=unit_id, time=now_utc(),
                   data=data, partitionkey=unit_id)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", **infra.kafka_options())
    await producer.start()
    try:
        await producer.send_and_wait(UNITS, env.to_bytes(), key=unit_id.encode(),
                                     headers=[("content-type", CONTENT_TYPE.encode()),
                                              *infra.signed_headers("UnitRegistered", env.to_bytes())])
    finally:
        await producer.stop()
    sent = time.monotonic()
    body = body_for(units, reporting_unit=unit_id, location={"unit_id": unit_id, "address": ""})
    while (r := await asyncio.to_thread(post, intake, infra, unit_id, body)).status_code != 202:
        assert time.monotonic() - sent < 2, f"unit not usable after 2 s: {r.text}"
        await asyncio.sleep(0.05)
    assert r.json()["obligations"][0]["to_unit_id"] == units["town"]
    print(f"unit published on Kafka was usable after {time.monotonic() - sent:.3f} s")  # shown with -s


async def test_bad_report_reaches_no_topic_and_a_retry_creates_nothing_new(infra: Infra, intake: str,
                                                                          units: dict[str, str]) -> None:
    async with tail(infra, REPORTS) as collect:
        await _bad_then_retry(infra, intake, units, collect)


async def _bad_then_retry(infra: Infra, intake: str, units: dict[str, str], collect: Any) -> None:
    bad = post(intake, infra, units["town"], body_for(units, occurred_at="2099-01-01T00:00:00+08:00", channel="x"))
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"occurred_at", "channel"}
    forbidden = post(intake, infra, units["other"], body_for(units))
    assert forbidden.status_code == 403
    key = f"key-{uuid.uuid4()}"
    first = post(intake, infra, units["town"], body_for(units), key=key)
    again = post(intake, infra, units["town"], body_for(units), key=key)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    marker = post(intake, infra, units["town"], body_for(units, title="标记"))
    ids = {first.json()["report_id"], marker.json()["report_id"]}
    events = await collect(lambda seen: any(
        e["data"]["report_id"] == marker.json()["report_id"] for e in seen))
    assert sorted(e["data"]["report_id"] for e in events) == sorted(ids)
    conn = await asyncpg.connect(infra.owner_dsn)
    try:
        rows = await conn.fetch("SELECT state FROM intake.submissions WHERE unit_id = $1 AND idem_key = $2",
                                units["town"], key)
    finally:
        await conn.close()
    assert [r["state"] for r in rows] == ["published"]


async def test_ingress_valid_becomes_report_submitted_invalid_goes_to_dead_letters(
        infra: Infra, intake: str, units: dict[str, str]) -> None:
    async with tail(infra, REPORTS) as reports, tail(infra, INGRESS_DEAD_LETTER) as dead_letters:
        await _ingress(infra, units, reports, dead_letters)


async def _ingress(infra: Infra, units: dict[str, str], reports: Any, dead_letters: Any) -> None:
    message_id = f"agency-{uuid.uuid4()}"
    good = json.dumps(body_for(units)).encode()
    command = Envelope(id=f"cmd-{uuid.uuid4()}", source="/agency", type="SubmitReport", subject="x",
                       time=now_utc(), data=body_for(units, title="信封形式"), partitionkey="x",
                       actorunit=units["town"], actor="clerk@agency")
    bad = json.dumps(body_for(units, occurred_at="昨天")).encode()
    headers = [("baosong-unit", units["town"].encode()), ("baosong-message-id", message_id.encode())]
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", **infra.kafka_options())
    await producer.start()
    try:
        for value, hdrs in ((good, headers), (good, headers), (command.to_bytes(), []),
                            (bad, [("baosong-unit", units["town"].encode())]), (b"\xff not json", []),
                            (good, [("baosong-unit", units["other"].encode())])):
            await producer.send_and_wait(INGRESS, value, key=b"agency", headers=hdrs)
    finally:
        await producer.stop()
    refused = await dead_letters(lambda seen: len(seen) >= 3)
    assert {event["type"] for event in refused} == {"IngressMessageRefused"}
    letters = [event["data"] for event in refused]
    assert [letter["errors"][0]["field"] for letter in letters[:2]] == ["occurred_at", "body"]
    assert letters[2]["status"] == 403 and "other" in letters[2]["detail"]
    assert base64.b64decode(letters[0]["original_base64"]) == bad
    assert base64.b64decode(letters[1]["original_base64"]) == b"\xff not json"
    events = await reports(lambda seen: len(
        [e for e in seen if e["data"]["report"]["reporting_unit"] == units["town"]]) >= 2)
    mine = [e for e in events if e["data"]["report"]["reporting_unit"] == units["town"]]
    assert sorted(e["data"]["report"]["title"] for e in mine) == sorted(["城关镇307国道两车相撞", "信封形式"])
    assert all(e["data"]["grade"] == "IV" for e in mine)
    again = await reports(lambda seen: True, settle_s=1.5)  # a duplicate of the first message would arrive
    assert len([e for e in again if e["data"]["report"]["reporting_unit"] == units["town"]]) == 2


def test_units_put_refuses_an_unknown_parent_naming_the_field(infra: Infra, intake: str,
                                                             tmp_path: Path) -> None:
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    body = {"name": "某镇", "level": "town", "kind": "general_office", "parent_id": "no-such-county"}
    r = httpx.put(f"{intake}/v1/units/town-{uuid.uuid4().hex[:6]}", json=body, headers=admin)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["parent_id"]
    reporter = {"Authorization": f"Bearer {infra.token(unit='x', role='reporter')}"}
    assert httpx.put(f"{intake}/v1/units/x", json=body, headers=reporter).status_code == 403
