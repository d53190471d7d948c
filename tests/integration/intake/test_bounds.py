"""No record silences intake: each poison input is refused at the door — 422 problem+json over HTTP, the
dead-letter topic only over Kafka (never also published, never stored as submitted) — and the valid report
sent after it on the same partition is accepted and published."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from services.intake.domain.bounds import MAX_BODY_BYTES
from shared.envelope import Envelope, now_utc
from shared.topics import INGRESS, INGRESS_DEAD_LETTER, REPORTS
from tests.conftest import Infra
from tests.integration.intake.test_intake import body_for, tail
from tests.support.services import running_service

pytestmark = pytest.mark.integration

#: (what, changes to a valid report, the field the refusal names)
POISON: list[tuple[str, dict[str, Any], str]] = [
    ("nul in the title", {"title": "a\u0000b"}, "title"),
    ("lone surrogate in the cause", {"cause": "超速\udc80"}, "cause"),
    ("nul in an impact key", {"impact": {"rooms\u0000collapsed": 12}}, "impact.rooms\\u0000collapsed"),
    ("year 1", {"occurred_at": "0001-01-01T00:00:00Z"}, "occurred_at"),
    ("year 1 at +14:00", {"occurred_at": "0001-01-01T00:00:00+14:00"}, "occurred_at"),
    ("deaths of 10^30", {"casualties": {"deaths": 10**30}}, "casualties.deaths"),
    ("losses of 10^40", {"economic_loss_cny": 10**40}, "economic_loss_cny"),
]
NESTED_100K = b"[" * 100_000 + b"]" * 100_000
NESTED_50K = b"{\"a\":" * 50_000 + b"1" + b"}" * 50_000


@pytest.fixture(scope="module")
def intake(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_service(infra, "intake", tmp_path_factory.mktemp("logs")) as url:
        yield url


@pytest.fixture
def town(infra: Infra, intake: str) -> dict[str, str]:
    s = uuid.uuid4().hex[:8]
    ids = {"county": f"county-{s}", "town": f"town-{s}"}
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    for name, parent in (("county", None), ("town", ids["county"])):
        body = {"name": "测试单位", "level": "county" if parent is None else "town", "kind": "general_office",
                "parent_id": parent}
        assert httpx.put(f"{intake}/v1/units/{ids[name]}", json=body, headers=admin).status_code == 201
    return ids


def ascii_json(body: Any) -> bytes:
    return json.dumps(body).encode()  # a lone surrogate travels as its \\uXXXX escape, as JSON allows


async def submissions(infra: Infra, unit: str) -> list[str]:
    conn = await asyncpg.connect(infra.owner_dsn)
    try:
        rows = await conn.fetch("SELECT idem_key FROM intake.submissions WHERE unit_id = $1", unit)
    finally:
        await conn.close()
    return [r["idem_key"] for r in rows]


async def test_each_poison_report_over_http_is_422_and_the_next_is_published(
        infra: Infra, intake: str, town: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {infra.token(unit=town['town'], role='reporter')}",
               "content-type": "application/json"}
    bodies = [(what, ascii_json(body_for(town, **changes)), field) for what, changes, field in POISON]
    bodies += [("100,000 levels", NESTED_100K, "body"), ("50,000 levels", NESTED_50K, "body"),
               ("over a mebibyte", ascii_json(body_for(town, summary="x" * MAX_BODY_BYTES)), "body")]
    async with tail(infra, REPORTS) as collect, httpx.AsyncClient(timeout=30) as client:
        for what, content, field in bodies:
            r = await client.post(f"{intake}/v1/reports", content=content,
                                  headers={**headers, "Idempotency-Key": f"poison-{what}"})
            assert r.status_code == 422, (what, r.status_code, r.text[:300])
            assert r.headers["content-type"] == "application/problem+json", what
            assert field in [e["field"] for e in r.json()["errors"]], (what, r.json())
        nul_key = await client.post(f"{intake}/v1/reports", content=ascii_json(body_for(town)),
                                    headers={**headers, "Idempotency-Key": "k" * 201})
        assert nul_key.status_code == 422 and nul_key.headers["content-type"] == "application/problem+json"
        ok = await client.post(f"{intake}/v1/reports", content=ascii_json(body_for(town, title="毒丸之后")),
                               headers={**headers, "Idempotency-Key": "after-the-poison"})
        assert ok.status_code == 202, ok.text
        events = await collect(lambda seen: any(e["data"]["report_id"] == ok.json()["report_id"] for e in seen),
                               settle_s=1)
    mine = [e for e in events if e["data"]["report"]["reporting_unit"] == town["town"]]
    assert [e["data"]["report"]["title"] for e in mine] == ["毒丸之后"]
    assert await submissions(infra, town["town"]) == ["after-the-poison"]


async def test_each_poison_message_on_the_ingress_goes_to_the_dead_letter_topic_only(
        infra: Infra, intake: str, town: dict[str, str]) -> None:
    unit = town["town"]
    run = uuid.uuid4().hex[:8]

    def headers(message_id: str) -> list[tuple[str, bytes]]:
        return [("baosong-unit", unit.encode()), ("baosong-message-id", message_id.encode())]

    poison: list[tuple[bytes, list[tuple[str, bytes]], str]] = [
        (ascii_json(body_for(town, **changes)), headers(f"{run}-{i}"), field)
        for i, (_, changes, field) in enumerate(POISON)]
    envelope = Envelope(id=f"{run}-envelope", source="/agency", type="SubmitReport", subject="x", time=now_utc(),
                        data=body_for(town, contact={"name": "李\u0000四", "phone": ""}), partitionkey="x",
                        actorunit=unit, actor="clerk@agency")
    poison += [(NESTED_50K, headers(f"{run}-nested"), "body"),
               (NESTED_100K, headers(f"{run}-nested-more"), "body"),
               (envelope.to_bytes(), [], "data.contact.name"),
               (ascii_json(body_for(town)), headers(f"{run}-nul\u0000id"), "header:baosong-message-id")]
    valid = ascii_json(body_for(town, title="毒丸之后"))
    async with tail(infra, REPORTS) as reports, tail(infra, INGRESS_DEAD_LETTER) as dead_letters:
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", **infra.kafka_options())
        await producer.start()
        try:
            for value, hdrs, _ in poison:  # one key: one partition, the valid message behind every poison one
                await producer.send_and_wait(INGRESS, value, key=f"agency-{run}".encode(), headers=hdrs)
            await producer.send_and_wait(INGRESS, valid, key=f"agency-{run}".encode(), headers=headers(f"{run}-ok"))
        finally:
            await producer.stop()
        events = await reports(lambda seen: any(e["data"]["report"]["reporting_unit"] == unit for e in seen),
                               timeout_s=30, settle_s=1.5)
        letters = [event["data"] for event in await dead_letters(lambda seen: len(seen) >= len(poison), settle_s=0.5)]
    mine = [e for e in events if e["data"]["report"]["reporting_unit"] == unit]
    assert [e["data"]["report"]["title"] for e in mine] == ["毒丸之后"]
    ours = [letter for letter in letters if letter["source"]["key"] == f"agency-{run}"]
    assert [letter["status"] for letter in ours] == [422] * len(poison)
    for letter, (_, _, field) in zip(ours, poison, strict=True):
        assert field in [e["field"] for e in letter["errors"]], letter["errors"]
    assert await submissions(infra, unit) == [f"ingress:{run}-ok"]
