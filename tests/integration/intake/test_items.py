"""Work information (信息) through intake as a real process on the real broker and PostgreSQL: an item is
answered 202 only once ``baosong.items`` holds its signed ``ItemSubmitted``; its due time comes from the
unit's information pack; retries, other units and bad fields publish nothing; the receipt verifies."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.envelope import Envelope
from shared.information import info_pack_for
from shared.offset import CHINA
from shared.producers import ProducerKeys
from shared.topics import ITEMS, PARTITIONS
from tests.conftest import Infra
from tests.support.asyncapi import documented, payload_validator
from tests.support.services import running_service
from tests.support.waiting import until

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]
Record = tuple[dict[str, Any], bytes, list[tuple[str, bytes]], bytes | None]


@pytest.fixture(scope="module")
def intake(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_service(infra, "intake", tmp_path_factory.mktemp("logs")) as url:
        yield url


@pytest.fixture
def units(infra: Infra, intake: str) -> dict[str, str]:
    """A fresh county with two towns for the test; the name → id map."""
    s = uuid.uuid4().hex[:8]
    ids = {"county": f"county-{s}", "town": f"town-{s}", "other": f"other-{s}"}
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    for name, parent in (("county", None), ("town", ids["county"]), ("other", ids["county"])):
        body = {"name": "测试单位", "level": "county" if parent is None else "town", "kind": "general_office",
                "parent_id": parent}
        assert httpx.put(f"{intake}/v1/units/{ids[name]}", json=body, headers=admin).status_code == 201
    return ids


def item_for(unit: str, **changes: Any) -> dict[str, Any]:
    return {"reporting_unit": unit, "kind": "news", "title": "城关镇推进秸秆禁烧", "body": "全镇未发生露天焚烧秸秆。",
            "author": {"name": "李明", "phone": "13800000000"}, "section": "党政办",
            "happened_on": datetime.now(CHINA).date().isoformat(), "classification": "internal", **changes}


def post(intake: str, infra: Infra, unit: str, body: Any, key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {infra.token(unit=unit, role='reporter')}"}
    if key:
        headers["Idempotency-Key"] = key
    return httpx.post(f"{intake}/v1/items", json=body, headers=headers, timeout=15)


@asynccontextmanager
async def tail_items(infra: Infra) -> AsyncIterator[Callable[..., Awaitable[list[Record]]]]:
    """Watch ``baosong.items`` from its current end; ``collect(done)`` → (value, bytes, headers, key) of each."""
    consumer = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap, enable_auto_commit=False,
                                **infra.kafka_options())
    await consumer.start()
    try:
        parts = [TopicPartition(ITEMS, p) for p in range(PARTITIONS[ITEMS])]
        consumer.assign(parts)
        await consumer.seek_to_end(*parts)
        for tp in parts:
            await consumer.position(tp)  # pin the start before anything is sent
        seen: list[Record] = []

        async def collect(done: Callable[[list[Record]], bool], timeout_s: float = 15) -> list[Record]:
            deadline = time.monotonic() + timeout_s
            while not done(seen):
                assert time.monotonic() < deadline, f"gave up on {ITEMS} after {len(seen)} records"
                batches = await consumer.getmany(timeout_ms=200)
                seen.extend((json.loads(r.value), r.value, list(r.headers), r.key)
                            for records in batches.values() for r in records if r.value)
            return list(seen)

        yield collect
    finally:
        await consumer.stop()


def naming(item_id: str) -> Callable[[list[Record]], bool]:
    return lambda seen: any(value["data"]["item_id"] == item_id for value, *_ in seen)


async def test_an_item_is_on_the_items_topic_signed_by_intake_with_its_packs_due_time(
        infra: Infra, intake: str, units: dict[str, str]) -> None:
    body = item_for(units["town"], happened_on="2026-11-23")
    async with tail_items(infra) as collect:
        started = time.monotonic()
        r = post(intake, infra, units["town"], body)
        answered_s = time.monotonic() - started
        assert r.status_code == 202, r.text
        answer = r.json()
        [(event, raw, headers, key)] = await collect(naming(answer["item_id"]))
    print(f"POST /v1/items answered 202 in {answered_s * 1000:.0f} ms")  # shown with -s
    assert ProducerKeys.load(infra.producer_keys).check("ItemSubmitted", raw, headers) == "intake"
    assert key == answer["item_id"].encode()
    assert event["type"] == "ItemSubmitted" and event["subject"] == answer["item_id"]
    assert event["actorunit"] == units["town"]
    data = event["data"]
    assert data["item"] == {**body, "request_id": None}
    assert datetime.fromisoformat(data["received_at"]) == datetime.fromisoformat(answer["received_at"])
    pack = info_pack_for(None, unit_id=units["town"], unit_kind="general_office")
    due_after = pack.kinds["news"].due_after
    assert due_after is not None
    expected = datetime(2026, 11, 23, tzinfo=CHINA) + due_after
    assert datetime.fromisoformat(answer["due_at"]) == expected and answer["due_at"].endswith("+08:00")
    assert data["due_at"] == answer["due_at"]
    assert data["policy"] == answer["policy"] == event["policy"] == pack.ref
    assert [w["type"] for w in answer["warnings"]] == ["past_due"]  # 2026-11-23 + 2 days is behind us


async def test_retries_other_units_and_bad_fields_publish_nothing_more(
        infra: Infra, intake: str, units: dict[str, str]) -> None:
    async with tail_items(infra) as collect:
        key = f"key-{uuid.uuid4()}"
        first = post(intake, infra, units["town"], item_for(units["town"]), key=key)
        again = post(intake, infra, units["town"], item_for(units["town"]), key=key)
        assert first.status_code == again.status_code == 202
        assert again.json() == first.json()
        conflict = post(intake, infra, units["town"], item_for(units["town"], title="另一条"), key=key)
        assert conflict.status_code == 409 and " / " in conflict.json()["detail"]

        forbidden = post(intake, infra, units["other"], item_for(units["town"]))
        assert forbidden.status_code == 403
        assert "不能代" in forbidden.json()["detail"] and "cannot report for" in forbidden.json()["detail"]

        ghost = f"ghost-{uuid.uuid4().hex[:8]}"
        unknown = post(intake, infra, ghost, item_for(ghost))
        assert unknown.status_code == 422
        assert [(e["field"], e["label"]) for e in unknown.json()["errors"]] == [("reporting_unit", "供稿单位")]

        poison = item_for(units["town"], kind="rumour", title="", author={"name": "李\u0000明"})
        bad = post(intake, infra, units["town"], poison)
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in bad.json()["errors"]] == ["author.name"]  # unstorable input is refused first
        bad = post(intake, infra, units["town"], item_for(units["town"], kind="rumour", title="",
                                                          happened_on="2999-12-31"))
        errors = {e["field"]: e for e in bad.json()["errors"]}
        assert set(errors) == {"kind", "title", "happened_on"}
        assert errors["happened_on"]["type"] == "in_future"
        assert all(e["message"] and e["message_en"] for e in errors.values())

        marker = post(intake, infra, units["town"], item_for(units["town"], title="标记"))
        seen = await collect(naming(marker.json()["item_id"]))
    assert sorted(value["data"]["item_id"] for value, *_ in seen) == sorted(
        [first.json()["item_id"], marker.json()["item_id"]])


async def test_an_item_may_name_a_request_once_intake_has_it_and_an_unknown_one_is_refused(
        infra: Infra, intake: str, units: dict[str, str]) -> None:
    request_id = f"req-{uuid.uuid4()}"
    now = datetime.now(CHINA)
    issued = {"request_id": request_id, "unit_id": units["county"], "to_units": [units["town"]], "topic": "秸秆禁烧",
              "due_at": (now + timedelta(days=3)).isoformat(), "by": "editor@county", "issued_at": now.isoformat()}
    refused = post(intake, infra, units["town"], item_for(units["town"], request_id=request_id))
    assert refused.status_code == 422
    assert [(e["field"], e["type"]) for e in refused.json()["errors"]] == [("request_id", "unknown_request")]
    env = Envelope(id=str(uuid.uuid4()), source="/baosong/approval", type="RequestIssued", subject=request_id,
                   time=now, data=issued, partitionkey=request_id)
    forged = Envelope(**{**env.model_dump(), "id": str(uuid.uuid4()), "data": {**issued, "request_id": "req-forged"}})
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", **infra.kafka_options())
    await producer.start()
    try:
        await producer.send_and_wait(ITEMS, forged.to_bytes(), key=b"req-forged",
                                     headers=infra.signed_headers("RequestIssued", forged.to_bytes(), "intake"))
        await producer.send_and_wait(ITEMS, env.to_bytes(), key=request_id.encode(),
                                     headers=infra.signed_headers("RequestIssued", env.to_bytes()))
    finally:
        await producer.stop()
    sent = time.monotonic()
    while (r := await asyncio.to_thread(post, intake, infra, units["town"],
                                        item_for(units["town"], request_id=request_id))).status_code != 202:
        assert r.status_code == 422 and time.monotonic() - sent < 5, f"request not known after 5 s: {r.text}"
        await asyncio.sleep(0.05)
    print(f"a request published on Kafka was known to intake after {time.monotonic() - sent:.3f} s")
    assert r.json()["warnings"] == []
    elsewhere = post(intake, infra, units["other"], item_for(units["other"], request_id=request_id))
    assert elsewhere.status_code == 202
    assert [w["type"] for w in elsewhere.json()["warnings"]] == ["request_not_addressed"]
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}

    async def set_aside() -> dict[str, Any] | None:
        """The forged request (signed by intake, which may not make one) among intake's parked records."""
        async with httpx.AsyncClient(timeout=10) as client:
            parked = (await client.get(f"{intake}/v1/parked", params={"limit": 1000}, headers=admin)).json()
        return next((p for p in parked["parked"] if forged.id in (p["value_text"] or "")), None)

    mine = await until(set_aside, "the forged request to be set aside", timeout_s=10)
    assert mine["consumer"] == "intake-requests" and mine["error_type"] == "ForbiddenProducer"
    not_approvals = post(intake, infra, units["town"], item_for(units["town"], request_id="req-forged"))
    assert not_approvals.status_code == 422


def test_the_items_receipt_is_accepted_by_verify_receipt(
        infra: Infra, intake: str, units: dict[str, str], tmp_path: Path) -> None:
    r = post(intake, infra, units["town"], item_for(units["town"]))
    assert r.status_code == 202, r.text
    answer = tmp_path / "answer.json"
    answer.write_text(r.text)
    done = subprocess.run([sys.executable, "-m", "deploy.cli", "verify-receipt", str(answer),
                           "--key", str(infra.keys / "receipts.pub.pem")],
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"item 信息 {r.json()['item_id']}" in done.stdout
    forged = tmp_path / "forged.json"
    item_id = r.json()["item_id"]
    other_id = item_id[:-1] + ("1" if item_id[-1] != "1" else "2")
    forged.write_text(json.dumps({**r.json()["receipt"], "id": other_id}))
    done = subprocess.run([sys.executable, "-m", "deploy.cli", "verify-receipt", str(forged),
                           "--key", str(infra.keys / "receipts.pub.pem")],
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "回执无效" in done.stdout


async def test_the_event_matches_its_documented_schema(infra: Infra, intake: str, units: dict[str, str]) -> None:
    async with tail_items(infra) as collect:
        r = post(intake, infra, units["town"], item_for(units["town"], request_id=None, section=None))
        assert r.status_code == 202, r.text
        [(event, *_)] = await collect(naming(r.json()["item_id"]))
    spec = documented()
    assert "ItemSubmitted" in next(c for c in spec["channels"].values() if c["address"] == ITEMS)["messages"]
    assert [e.message for e in payload_validator(spec, "ItemSubmitted").iter_errors(event)] == []
