"""No record can silence the system: poison on every partition of every topic the services consume, then
valid reports behind it — which must all reach approval, get their clocks and breaches, and be archived —
and valid work-information items behind the poison on ``baosong.items``, which approval, escalation,
assessment and the archive must each apply.

The poison is published straight onto the topics (as a forger, a bug or an older intake could), so it
tests the consumers, not intake's checks at the door. All five services run as real processes on the
real broker and database.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.topics import ITEMS, PARTITIONS, REPORTS, UNITS
from tests.conftest import Infra
from tests.integration.assessment.support import beijing, submitted
from tests.support.archive_events import Story, unit
from tests.support.reports import report
from tests.support.services import running_service
from tests.support.units import register_units
from tests.support.waiting import until

pytestmark = pytest.mark.integration

SERVICES = ("intake", "approval", "escalation", "archive", "assessment")
FAST_HEALTH = {"BAOSONG_HEALTH_STUCK_AFTER_S": "2", "BAOSONG_CONSUMER_RETRY_MAX_BACKOFF_S": "1"}


@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    logs: Path = tmp_path_factory.mktemp("poison-logs")
    with (running_service(infra, "intake", logs, **FAST_HEALTH) as intake,
          running_service(infra, "approval", logs, **FAST_HEALTH) as approval,
          running_service(infra, "escalation", logs, **FAST_HEALTH) as escalation,
          running_service(infra, "assessment", logs, **FAST_HEALTH) as assessment,
          running_service(infra, "archive", logs, **FAST_HEALTH, BAOSONG_HEALTH_URLS=json.dumps(
              {"intake": intake, "approval": approval, "escalation": escalation,
               "assessment": assessment})) as archive):
        register_units(intake, infra.token(unit=None, role="admin"))
        yield {"intake": intake, "approval": approval, "escalation": escalation, "archive": archive,
               "assessment": assessment}


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def poison_reports() -> list[tuple[str, bytes]]:
    """(what, bytes) of records no consumer of the reports topic can apply."""
    nul = Story().submitted()
    nul["data"]["report"]["title"] = "a\u0000b"
    ancient = Story().submitted()
    ancient["data"]["report"]["occurred_at"] = "0001-01-01T00:00:00+14:00"
    ancient["data"]["obligations"] = []
    hollow = Story().submitted()
    hollow["data"] = {"report_id": "x"}
    return [("not JSON", b"\xff\x00 not json"), ("50,000-level nesting", nested(50_000)),
            ("NUL in the title", json.dumps(nul).encode()), ("year 1 at +14:00", json.dumps(ancient).encode()),
            ("ReportSubmitted without its fields", json.dumps(hollow).encode())]


def poison_units() -> list[tuple[str, bytes]]:
    nul = unit("poison-unit")
    nul["data"]["name"] = "坏\u0000单位"
    hollow = unit("hollow-unit")
    hollow["data"] = {"unit_id": 7}
    return [("not JSON", b"{{{"), ("NUL in a unit's name", json.dumps(nul).encode()),
            ("UnitRegistered without its fields", json.dumps(hollow).encode())]


async def publish_everywhere(infra: Infra, topic: str, records: list[tuple[str, bytes]]) -> int:
    """Each record on every partition of ``topic``: whatever partition a later event lands on, poison is
    ahead of it. An event is signed by the service that makes its type, as if that service had a bug: the
    poison gets past the producer check to the consumers' handlers."""
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", max_request_size=4_000_000,
                                **infra.kafka_options())
    await producer.start()
    try:
        sent = 0
        for partition in range(PARTITIONS[topic]):
            for _, value in records:
                await producer.send_and_wait(topic, value, key=b"poison", partition=partition,
                                             headers=_signed(infra, value))
                sent += 1
        return sent
    finally:
        await producer.stop()


def _signed(infra: Infra, value: bytes) -> list[tuple[str, bytes]]:
    try:
        event_type = json.loads(value).get("type")
    except (ValueError, RecursionError, AttributeError):
        return []
    return infra.signed_headers(event_type, value) if isinstance(event_type, str) else []


def valid_report(hours_ago: float) -> dict[str, Any]:
    """A reportable road accident that happened ``hours_ago`` (over 2 h: late on arrival → a breach at once)."""
    occurred = (datetime.now(UTC) - timedelta(hours=hours_ago)).replace(microsecond=0)
    return report(occurred_at=occurred.isoformat(), title="城关镇307国道两车相撞（毒丸之后）")


async def test_poison_on_every_partition_stops_nothing_behind_it(infra: Infra, stack: dict[str, str]) -> None:
    since = datetime.now(UTC)  # the session's database is shared: earlier tests' parked records are older
    poisoned = await publish_everywhere(infra, REPORTS, poison_reports())
    poisoned += await publish_everywhere(infra, UNITS, poison_units())
    reporter = {"Authorization": f"Bearer {infra.token(unit='town-a-office', role='reporter')}"}
    approver = {"Authorization": f"Bearer {infra.token(unit='town-a-office', role='approver')}"}
    investigator = {"Authorization": f"Bearer {infra.token(unit=None, role='investigator')}"}
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    async with httpx.AsyncClient(timeout=10) as http:
        answers = []
        for _ in range(12):  # 12 incidents: every one of the 6 partitions gets some, behind its poison
            answer = await http.post(f"{stack['intake']}/v1/reports", json=valid_report(hours_ago=3),
                                     headers=reporter)
            assert answer.status_code == 202, answer.text
            answers.append(answer.json())
        wanted = {a["report_id"] for a in answers}

        async def queued() -> bool:
            got = await http.get(f"{stack['approval']}/v1/approvals", headers=approver)
            return wanted <= {item["report_id"] for item in got.json()["items"]}

        await until(queued, "every valid report in approval's queue")

        async def breached() -> bool:
            for a in answers:
                got = await http.get(f"{stack['archive']}/v1/breaches", params={"incident_id": a["incident_id"]},
                                     headers=investigator)
                if not any(b["kind"] == "late" for b in got.json()["breaches"]):
                    return False
            return True

        await until(breached, "a late breach of every valid incident (its clocks opened behind the poison)")

        async def archived() -> bool:
            for a in answers:
                got = await http.get(f"{stack['archive']}/v1/reports/{a['report_id']}", headers=investigator)
                if got.status_code != 200:
                    return False
            return True

        await until(archived, "every valid report archived")

        parked = {}
        for service in SERVICES:
            got = await http.get(f"{stack[service]}/v1/parked", params={"limit": 1000}, headers=admin)
            assert got.status_code == 200, got.text
            parked[service] = got.json()["parked"]
        for row in parked["approval"] + parked["escalation"]:
            assert row["reason"] and row["value_base64"] is not None
        # each consumer set aside, on every partition, the poison it could not apply (not JSON, nesting, a
        # ReportSubmitted without its fields at least; approval also the NUL PostgreSQL refuses)
        for service, topic, at_least in (("approval", REPORTS, 4), ("escalation", REPORTS, 3),
                                         ("approval", UNITS, 3), ("escalation", UNITS, 2), ("intake", UNITS, 2),
                                         ("assessment", UNITS, 2)):
            rows = [r for r in parked[service] if r["topic"] == topic]
            assert len({(r["partition"], r["offset"]) for r in rows}) >= at_least * PARTITIONS[topic], (service, rows)
            assert all(r["reason"] and r["value_base64"] is not None for r in rows)
        assert sum(datetime.fromisoformat(r["parked_at"]) >= since for rows in parked.values() for r in rows
                   if r["topic"] in (REPORTS, UNITS)) <= 3 * poisoned

        for service in SERVICES:
            health = await http.get(f"{stack[service]}/healthz")
            assert health.status_code == 200, health.text

    # the archive kept every poison record too (as an unreadable message where it is not an event)
    conn = await asyncpg.connect(infra.owner_dsn)
    try:
        kept = await conn.fetchval("SELECT count(*) FROM archive.events WHERE type = 'ArchiveMessageUnreadable'")
    finally:
        await conn.close()
    assert kept >= 2 * PARTITIONS[REPORTS] + PARTITIONS[UNITS]


async def test_health_says_503_while_a_consumer_is_held_up_and_200_after(infra: Infra,
                                                                         stack: dict[str, str]) -> None:
    reporter = {"Authorization": f"Bearer {infra.token(unit='town-a-office', role='reporter')}"}
    conn = await asyncpg.connect(infra.owner_dsn)
    try:
        async with conn.transaction():
            await conn.execute("LOCK TABLE approval.processed IN ACCESS EXCLUSIVE MODE")
            async with httpx.AsyncClient(timeout=10) as http:
                answer = await http.post(f"{stack['intake']}/v1/reports", json=valid_report(hours_ago=0.5),
                                         headers=reporter)
                assert answer.status_code == 202, answer.text

                async def unhealthy() -> httpx.Response | None:
                    got = await http.get(f"{stack['approval']}/healthz")
                    return got if got.status_code == 503 else None

                held = await until(unhealthy, "approval's /healthz to say 503", timeout_s=30)
                body = held.json()
                assert held.headers["content-type"].startswith("application/problem+json")
                assert "approval-reports" in body["detail"]
                assert any(c["consumer"] == "approval-reports" and c["state"] == "stuck" for c in body["consumers"])
                board = await http.get(f"{stack['archive']}/v1/system/health", headers=reporter)
                assert board.status_code == 200 and board.json()["ok"] is False
                assert {s["service"]: s["status"] for s in board.json()["services"]} == {
                    "approval": "unhealthy", "archive": "ok", "escalation": "ok", "intake": "ok", "assessment": "ok"}
        async with httpx.AsyncClient(timeout=10) as http:
            async def healthy() -> bool:
                return (await http.get(f"{stack['approval']}/healthz")).status_code == 200

            await until(healthy, "approval's /healthz back to 200", timeout_s=30)
            board = await http.get(f"{stack['archive']}/v1/system/health", headers=reporter)
            assert board.json()["ok"] is True, board.text
    finally:
        await conn.close()



def poison_items(unit_id: str) -> list[tuple[str, bytes, str | None]]:
    """(what, bytes, signer) of records no consumer of the items topic may apply: signer None signs as the
    service that makes the type; the forged item is whole but signed by a service that may not make it."""
    hollow = json.loads(submitted(f"itm-hollow-{uuid.uuid4()}", unit_id, beijing("2026-01-05 09:00")).to_bytes())
    hollow["data"] = {"item_id": "x"}
    forged = submitted(f"itm-forged-{uuid.uuid4()}", unit_id, beijing("2026-01-05 09:00"))
    return [("not JSON", b"\xff\x00 not json", None),
            ("ItemSubmitted without its fields", json.dumps(hollow).encode(), None),
            ("ItemSubmitted signed by escalation", forged.to_bytes(), "escalation")]


async def publish_items_poison(infra: Infra, records: list[tuple[str, bytes, str | None]]
                               ) -> dict[tuple[int, int], str]:
    """Each record on every partition of the items topic: {(partition, offset): what}."""
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", **infra.kafka_options())
    await producer.start()
    try:
        placed = {}
        for partition in range(PARTITIONS[ITEMS]):
            for what, value, signer in records:
                headers = _signed(infra, value) if signer is None else infra.signed_headers(
                    "ItemSubmitted", value, signer)
                sent = await producer.send_and_wait(ITEMS, value, key=b"poison", partition=partition,
                                                    headers=headers)
                placed[(sent.partition, sent.offset)] = what
        return placed
    finally:
        await producer.stop()


def valid_item(unit_id: str, n: int) -> dict[str, Any]:
    return {"reporting_unit": unit_id, "kind": "news", "title": f"毒丸之后的第{n}条工作动态",
            "body": "本村开展人居环境整治，清理沟渠三公里。", "author": {"name": "李明", "phone": "13800000000"}}


async def test_poison_on_every_items_partition_is_parked_by_each_consumer_and_items_behind_it_count(
        infra: Infra, stack: dict[str, str]) -> None:
    village = f"vil-poison-{uuid.uuid4().hex[:8]}"
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    register_units(stack["intake"], infra.token(unit=None, role="admin"), [(village, "village", "town-a-office")])
    poison = poison_items(village)
    forged_id = json.loads(poison[2][1])["data"]["item_id"]
    placed = await publish_items_poison(infra, poison)
    forged_at = {where for where, what in placed.items() if what == poison[2][0]}
    unreadable_at = {where for where, what in placed.items() if what == poison[0][0]}
    reporter = {"Authorization": f"Bearer {infra.token(unit=village, role='reporter')}"}
    approver = {"Authorization": f"Bearer {infra.token(unit=village, role='approver')}"}
    async with httpx.AsyncClient(timeout=10) as http:
        items = []
        for n in range(12):  # 12 items: every one of the 6 partitions gets some, behind its poison
            answer = await http.post(f"{stack['intake']}/v1/items", json=valid_item(village, n), headers=reporter)
            assert answer.status_code == 202, answer.text
            items.append(answer.json()["item_id"])

        for item_id in items:  # approval applied each: its unit signs it off
            async def signed(item_id: str = item_id) -> bool:
                got = await http.post(f"{stack['approval']}/v1/items/{item_id}/decisions",
                                      json={"decision": "approve", "comment": "同意报送"}, headers=approver)
                assert got.status_code in (202, 404, 409), got.text  # 404/409: not arrived or unit not yet known
                return got.status_code == 202

            await until(signed, f"approval to have item {item_id} behind the poison and take its sign-off")

        async def scored() -> dict[str, Any] | None:
            got = await http.get(f"{stack['assessment']}/v1/scores", headers=reporter)
            assert got.status_code == 200, got.text
            [row] = [u for u in got.json()["units"] if u["unit_id"] == village] or [None]
            return row if row and (row["submitted"], row["approved"]) == (len(items), len(items)) else None

        await until(scored, "assessment to count every item behind the poison, and nothing forged")
        gone = await http.get(f"{stack['approval']}/v1/items/{forged_id}", headers=admin)
        assert gone.status_code == 404, "approval applied an item signed by a service that may not make it"

        parked = {}
        for service in ("intake", "approval", "escalation", "assessment"):
            got = await http.get(f"{stack[service]}/v1/parked", params={"limit": 1000}, headers=admin)
            assert got.status_code == 200, got.text
            parked[service] = [r for r in got.json()["parked"] if r["topic"] == ITEMS]
        # each consumer that applies ItemSubmitted set aside all three kinds of poison on every partition (the
        # session's broker and database are shared: other tests' records may be parked there too)
        for service in ("approval", "escalation", "assessment"):
            rows = {(r["partition"], r["offset"]): r for r in parked[service]
                    if (r["partition"], r["offset"]) in placed}
            assert set(rows) == set(placed), (service, sorted(set(placed) - set(rows)))
            assert all(r["reason"] and r["value_base64"] is not None for r in rows.values())
            assert {w for w, r in rows.items() if r["error_type"] == "ForbiddenProducer"} == forged_at, service
        # intake reads only RequestIssued there: it sets aside what is not an event at all
        assert unreadable_at <= {(r["partition"], r["offset"]) for r in parked["intake"]}
        for service in SERVICES:
            health = await http.get(f"{stack[service]}/healthz")
            assert health.status_code == 200, (service, health.text)

    conn = await asyncpg.connect(infra.owner_dsn)
    try:
        async def archived() -> bool:
            n = await conn.fetchval(
                "SELECT count(*) FROM archive.events WHERE type IN ('ItemSubmitted', 'ItemApproved')"
                " AND body::jsonb #>> '{data,item_id}' = ANY($1::text[])", items)
            return bool(n == 2 * len(items))

        await until(archived, "the archive to keep every item behind the poison and its sign-off")
        rows = await conn.fetch(
            "SELECT (body::jsonb #>> '{data,partition}')::int AS partition, (body::jsonb #>> '{data,offset}')::int"
            " AS offset, body::jsonb #>> '{data,refused}' AS refused FROM archive.events"
            " WHERE type = 'ArchiveMessageUnreadable' AND body::jsonb #>> '{data,topic}' = $1", ITEMS)
        kept = {(r["partition"], r["offset"]): r["refused"] for r in rows if (r["partition"], r["offset"]) in placed}
        # the archive keeps everything: what is not an event, and the forged one marked refused, on each partition
        # (the one without its fields is an envelope: kept as the event it claims to be, applied by no projection)
        assert {w for w, refused in kept.items() if refused == "true"} == forged_at
        assert {w for w, refused in kept.items() if refused != "true"} == unreadable_at
        in_escalation = await conn.fetchval(
            "SELECT count(*) FROM escalation.items WHERE item_id = ANY($1::text[]) AND approved_at IS NOT NULL", items)
        assert in_escalation == len(items), "escalation did not apply every item and sign-off behind the poison"
        assert not await conn.fetchval("SELECT count(*) FROM escalation.items WHERE item_id = $1", forged_id)
    finally:
        await conn.close()
