"""Every record the four services publish, on every topic, read with the official CloudEvents SDK's Kafka
binding (mode detected from the record, as any third party's reader would) and held to docs/asyncapi.json.

The real processes run on the session's broker and database; a scenario through their APIs makes every
event type: units, reports (a regrade, a phone report, a reopening, two incidents linked and a breach superseded,
one left waiting in a unit the ``county-full-chain`` pack governs, so its sign-off step is reminded), sign-off,
rejection, a receipt, work-information
items (sign-off, rejection, receipt, adoption, instruction) and a request, the deadline clocks (escalation's
clock moved past the month's end), the archive's chain heads, and a refused ingress message.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord
from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka_event

from shared.periods import period_containing
from shared.policy import PACKS_DIR
from shared.producers import PRODUCER_HEADER, PRODUCER_OF, header
from shared.topics import (
    AUDIT,
    BREACHES,
    DEADLINES,
    INGRESS,
    INGRESS_DEAD_LETTER,
    ITEMS,
    PARTITIONS,
    REPORTS,
    UNITS,
)
from tests.conftest import Infra
from tests.integration.escalation.support import ServiceClock
from tests.support.asyncapi import documented, payload_validator
from tests.support.reports import report
from tests.support.services import running_service

pytestmark = pytest.mark.integration

PUBLISHED = (REPORTS, ITEMS, UNITS, DEADLINES, BREACHES, AUDIT, INGRESS_DEAD_LETTER)
#: A town whose reports climb the full sign-off chain (by_unit in the services' copy of the packs).
CHAIN_TOWN = f"ce-chain-town-{uuid.uuid4().hex[:8]}"


@dataclass
class Services:
    urls: dict[str, str]
    clock: ServiceClock


@dataclass
class Tail:
    """Records of the published topics from the offsets they had when the scenario began."""

    consumer: AIOKafkaConsumer
    records: list[ConsumerRecord[bytes, bytes]] = field(default_factory=list)

    async def poll(self) -> None:
        batches = await self.consumer.getmany(timeout_ms=200)
        self.records.extend(r for part in batches.values() for r in part)

    def types(self) -> set[str]:
        return {t for r in self.records if r.value and (t := json.loads(r.value).get("type"))}

    async def until_the_end(self) -> None:
        """Every record up to the topics' current ends."""
        parts = list(self.consumer.assignment())
        ends = await self.consumer.end_offsets(parts)
        for tp in parts:
            while await self.consumer.position(tp) < ends[tp]:
                await self.poll()


@pytest.fixture
async def tail(infra: Infra) -> AsyncIterator[Tail]:
    consumer = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap, enable_auto_commit=False,
                                **infra.kafka_options())
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for topic in PUBLISHED for p in range(PARTITIONS[topic])]
        consumer.assign(parts)
        await consumer.seek_to_end(*parts)
        for tp in parts:
            await consumer.position(tp)  # pin the start before the services run
        yield Tail(consumer)
    finally:
        await consumer.stop()


@pytest.fixture
def services(infra: Infra, tail: Tail, tmp_path: Path) -> Iterator[Services]:
    clock = ServiceClock(tmp_path / "clock")
    packs = tmp_path / "packs"
    shutil.copytree(PACKS_DIR, packs)
    (packs / "assignments.yaml").write_text(
        f"default: county-2h-10h\nby_unit: {{{CHAIN_TOWN}: county-full-chain}}\nby_kind: {{school: school-2h}}\n",
        encoding="utf-8")
    with ExitStack() as stack:
        urls = {name: stack.enter_context(running_service(
            infra, name, tmp_path / "logs", BAOSONG_PACKS_DIR=str(packs), **env)) for name, env in (
            ("intake", {}), ("approval", {}), ("escalation", {"BAOSONG_CLOCK_FILE": str(clock.path)}),
            ("archive", {"BAOSONG_HEAD_PUBLISH_INTERVAL_S": "0.5"}))}
        yield Services(urls, clock)


def call(method: str, url: str, infra: Infra, unit: str | None, role: str, body: Any = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {infra.token(unit=unit, role=role)}"}
    return httpx.request(method, url, json=body, headers=headers, timeout=15)


def wait_until(check: Any, what: str, timeout_s: float = 30) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (got := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return got


async def every_service_knows(infra: Infra, units: list[str]) -> None:
    conn = await asyncpg.connect(infra.owner_dsn)
    try:
        for table in ("approval.units", "escalation.units"):
            deadline = time.monotonic() + 30
            while await conn.fetchval(f"SELECT count(*) FROM {table} WHERE unit_id = ANY($1::text[])",
                                      units) < len(units):
                assert time.monotonic() < deadline, f"{table} lacks {units}"
                await asyncio.sleep(0.2)
    finally:
        await conn.close()


async def make_every_event(infra: Infra, services: Services) -> None:
    intake, approval = services.urls["intake"], services.urls["approval"]
    s = uuid.uuid4().hex[:8]
    prefecture, county, town = f"ce-pref-{s}", f"ce-county-{s}", f"ce-town-{s}"
    for unit, level, parent in ((prefecture, "prefecture", None), (county, "county", prefecture),
                                (town, "town", county), (CHAIN_TOWN, "town", county)):
        r = call("PUT", f"{intake}/v1/units/{unit}", infra, None, "admin",
                 {"name": unit, "level": level, "kind": "general_office", "parent_id": parent})
        assert r.status_code in (200, 201), r.text
    await every_service_knows(infra, [prefecture, county, town, CHAIN_TOWN])

    occurred = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    where = {"unit_id": town, "address": "307国道K12处"}

    def submit(**changes: Any) -> dict[str, Any]:
        body = report(reporting_unit=town, location=where, occurred_at=occurred, **changes)
        r = call("POST", f"{intake}/v1/reports", infra, town, "reporter", body)
        assert r.status_code == 202, r.text
        answer: dict[str, Any] = r.json()
        return answer

    first = submit()
    follow = submit(kind="follow_up", incident_id=first["incident_id"],
                    casualties={"deaths": 3, "injured": 5, "seriously_injured": 2, "missing": 0, "poisoned": 0})
    assert follow["regraded"] == {"previous_grade": "IV", "grade": "III"}
    phone = submit(channel="phone", title="电话报告")
    waiting = report(reporting_unit=CHAIN_TOWN, location={"unit_id": CHAIN_TOWN, "address": "村道"},
                     occurred_at=occurred)
    assert call("POST", f"{intake}/v1/reports", infra, CHAIN_TOWN, "reporter", waiting).status_code == 202

    def queued(report_id: str) -> bool:
        items = call("GET", f"{approval}/v1/approvals", infra, town, "approver").json()["items"]
        return any(i["report_id"] == report_id for i in items)

    for answer, decision in ((first, "approve"), (follow, "reject")):
        wait_until(lambda a=answer: queued(a["report_id"]), f"{answer['report_id']} in {town}'s queue")
        r = call("POST", f"{approval}/v1/reports/{answer['report_id']}/decisions", infra, town, "approver",
                 {"decision": decision, "comment": "事实不清，请补充" if decision == "reject" else "同意上报"})
        assert r.status_code == 202, r.text
    r = wait_until(lambda: (a := call("POST", f"{approval}/v1/reports/{first['report_id']}/receipts", infra, county,
                                      "duty_officer")).status_code == 202 and a, f"{county}'s receipt")

    await make_every_item_event(infra, services, town=town, county=county)
    submit(kind="final", incident_id=first["incident_id"])
    assert submit(kind="follow_up", incident_id=first["incident_id"], reopen=True,
                  reopen_reason="发现新情况")["reopened"] is True  # IncidentReopened

    # reminders (a sign-off step's too), follow-ups, breaches, a missed request, and the month's quotas settled
    month_closed = period_containing(services.clock.now(), "month").end + timedelta(hours=1)
    services.clock.set(max(services.clock.now() + timedelta(hours=30), month_closed))
    archive, escalation = services.urls["archive"], services.urls["escalation"]
    breaches = wait_until(lambda: call("GET", f"{archive}/v1/breaches?unit_id={town}", infra, county,
                                       "duty_officer").json()["breaches"], f"a breach of {town}")
    r = call("POST", f"{escalation}/v1/breaches/{breaches[0]['breach_id']}/acknowledgements", infra, county,
             "duty_officer")  # 已知悉
    assert r.status_code == 201, r.text
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", **infra.kafka_options())
    await producer.start()
    try:
        await producer.send_and_wait(INGRESS, b"\xff not json", key=town.encode())
    finally:
        await producer.stop()
    # the phone report's incident, once breached, linked as a duplicate of the first: IncidentsLinked, BreachSuperseded
    breaches = f"{services.urls['archive']}/v1/breaches?incident_id={phone['incident_id']}"
    wait_until(lambda: call("GET", breaches, infra, county, "duty_officer").json()["breaches"], "a breach to supersede")
    r = call("POST", f"{intake}/v1/incidents/{first['incident_id']}/links", infra, county, "duty_officer",
             {"duplicate_id": phone["incident_id"], "reason": "同一事件"})
    assert r.status_code == 202, r.text


async def make_every_item_event(infra: Infra, services: Services, *, town: str, county: str) -> None:
    """Items: submitted, approved and forwarded, rejected, acknowledged, adopted, instructed; a request."""
    intake, approval = services.urls["intake"], services.urls["approval"]
    ids = []
    for title in ("城关镇推进秸秆禁烧", "城关镇召开会议"):
        item = {"reporting_unit": town, "kind": "news", "title": title, "body": "全镇未发生焚烧。",
                "author": {"name": "李明"}, "happened_on": datetime.now(UTC).date().isoformat()}
        r = call("POST", f"{intake}/v1/items", infra, town, "reporter", item)
        assert r.status_code == 202, r.text
        ids.append(r.json()["item_id"])
    kept, rejected = ids

    def decide(item_id: str, decision: str) -> httpx.Response | None:
        r = call("POST", f"{approval}/v1/items/{item_id}/decisions", infra, town, "approver",
                 {"decision": decision, "comment": "同意" if decision == "approve" else "请补充数据"})
        return r if r.status_code == 202 else None

    wait_until(lambda: decide(kept, "approve"), f"{kept} signed off")
    wait_until(lambda: decide(rejected, "reject"), f"{rejected} sent back")
    for path, role, body in (("receipts", "duty_officer", None),
                             ("adoptions", "editor", {"publication": "要情快报", "issue": "2026年第1期"}),
                             ("instructions", "principal", {"level": "county", "text": "很好，请推广。"})):
        r = call("POST", f"{approval}/v1/items/{kept}/{path}", infra, county, role, body)
        assert r.status_code == 202, r.text
    due = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    r = call("POST", f"{approval}/v1/requests", infra, county, "editor",
             {"to_units": [town], "topic": "秸秆禁烧经验做法", "due_at": due})
    assert r.status_code == 202, r.text


def read_with_the_sdk(record: ConsumerRecord[bytes, bytes]) -> tuple[str, str, str | None]:
    """(id, type, producer) of the event the SDK reads from the record."""
    headers = {name: value or b"" for name, value in record.headers}
    assert record.value is not None
    event = from_kafka_event(KafkaMessage(headers=headers, key=record.key, value=record.value))
    return event.get_id(), event.get_type(), header(record.headers, PRODUCER_HEADER)


async def test_the_sdk_reads_every_record_of_every_topic_and_the_document_describes_it(
        infra: Infra, tail: Tail, services: Services) -> None:
    await make_every_event(infra, services)
    deadline = time.monotonic() + 60
    while not set(PRODUCER_OF) <= tail.types():
        assert time.monotonic() < deadline, f"never published: {sorted(set(PRODUCER_OF) - tail.types())}"
        await tail.poll()
    await tail.until_the_end()

    spec = documented()
    channels = {c["address"]: c for c in spec["channels"].values()}
    failures: list[str] = []
    for record in tail.records:
        where = f"{record.topic}/{record.partition}@{record.offset}"
        try:
            event_id, event_type, producer = read_with_the_sdk(record)
        except Exception as exc:  # every failure is reported, not only the first
            failures.append(f"{where}: the SDK could not read it: {exc!r}")
            continue
        value = json.loads(record.value or b"")
        if event_id != value["id"] or event_type not in channels[record.topic]["messages"]:
            failures.append(f"{where}: {event_type} ({event_id}) is not documented on {record.topic}")
        elif producer != PRODUCER_OF[event_type]:
            failures.append(f"{where}: {event_type} made by {producer}")
        elif errors := [e.message for e in payload_validator(spec, event_type).iter_errors(value)]:
            failures.append(f"{where}: {event_type} does not match its documented schema: {errors[:3]}")
    assert failures == [], "\n".join(failures[:20])
    by_topic = {topic: sum(r.topic == topic for r in tail.records) for topic in PUBLISHED}
    assert all(by_topic.values()), by_topic
