"""The archive as a real process on the real broker: read API, scope, as_of, and what it keeps of bad input."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.events import DeadlineBreached
from shared.signing import KeyRing
from shared.topics import AUDIT, REPORTS
from tests.conftest import Infra
from tests.integration.archive.kafka_io import eventually, producer, send
from tests.support.archive_events import T0, Story, envelope, unit
from tests.support.services import running_service

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def archive(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    logs: Path = tmp_path_factory.mktemp("archive-logs")
    with running_service(infra, "archive", logs, BAOSONG_HEAD_PUBLISH_INTERVAL_S="0.5") as url:
        yield url  # type: ignore[misc]


@pytest.fixture
async def kafka(infra: Infra) -> AsyncIterator[AIOKafkaProducer]:
    async with producer(infra) as p:
        yield p


def auth(infra: Infra, unit_id: str | None, role: str = "reporter") -> dict[str, str]:
    return {"Authorization": f"Bearer {infra.token(unit=unit_id, role=role)}"}


async def get(url: str, headers: dict[str, str], **params: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(url, headers=headers, params=params)


async def test_incident_as_of_history_timeline_knowledge_breaches_and_scope(
    infra: Infra, archive: str, kafka: AIOKafkaProducer,
) -> None:
    await send(kafka, unit("county-x-office", level="county"), unit("town-a-office", "county-x-office"),
               unit("town-b-office", "county-x-office"), unit("town-a-police", None, "town-a-office"))
    story = Story(unit_id="town-a-police", parent_id="town-a-office")
    everyone = auth(infra, None, "investigator")
    incident_url = f"{archive}/v1/incidents/{story.incident_id}"
    await send(kafka, story.submitted())

    async def projected() -> bool:
        return (await get(incident_url, everyone)).status_code == 200

    await eventually(projected, what="incident projected")  # the breach travels on another topic: order it
    await send(kafka, story.breached("late"))

    async def breach_projected() -> bool:
        got = await get(incident_url, everyone)
        return got.status_code == 200 and bool(got.json()["breaches"])

    await eventually(breach_projected, what="incident projected with its breach")
    before_approval = datetime.now(UTC)
    await asyncio.sleep(0.05)
    await send(kafka, story.approved(), story.forwarded(), story.acknowledged())

    async def acknowledged() -> bool:  # the last of the three (they may arrive in two batches)
        got = await get(f"{archive}/v1/reports/{story.report_id}", everyone)
        return got.status_code == 200 and got.json()["acknowledged_by"] == ["town-a-office"]

    await eventually(acknowledged, what="report forwarded and acknowledged in the read model")
    then = (await get(incident_url, everyone, as_of=before_approval.isoformat())).json()
    assert then["reports"][0]["status"] == "pending_approval"
    assert then["obligations"][0]["status"] == "late"
    now = (await get(incident_url, everyone)).json()
    assert now["reports"][0]["status"] == "forwarded"
    assert now["reports"][0]["acknowledged_by"] == ["town-a-office"]
    assert now["obligations"][0]["status"] == "met_after_late"
    report_then = await get(f"{archive}/v1/reports/{story.report_id}", everyone, as_of=before_approval.isoformat())
    assert report_then.json()["status"] == "pending_approval"

    history = (await get(f"{archive}/v1/reports/{story.report_id}/history", everyone)).json()["events"]
    assert [e["type"] for e in history] == ["ReportSubmitted", "ReportApproved", "ReportForwarded",
                                            "ReportAcknowledged"]
    assert [e["position"] for e in history] == sorted(e["position"] for e in history)
    assert all(len(e["hash"]) == 64 and e["recorded_at"] for e in history)
    assert history[0]["actor"] == "reporter@town-a-police"

    timeline = (await get(f"{incident_url}/timeline", everyone)).json()["entries"]
    assert [e["type"] for e in timeline] == ["ReportSubmitted", "DeadlineBreached", "ReportApproved",
                                             "ReportForwarded", "ReportAcknowledged"]
    assert timeline[0]["details"]["report_id"] == story.report_id  # details come from the stored events
    assert "report" not in timeline[0]["details"] and timeline[0]["details"]["title"]
    assert timeline[1]["details"]["kind"] == "late"
    knowledge = (await get(f"{incident_url}/knowledge", everyone)).json()["units"]
    assert knowledge["town-a-office"]["informed_by"]["type"] == "ReportForwarded"
    assert [a["action"] for a in knowledge["town-a-office"]["actions"]] == ["acknowledged"]
    assert [a["action"] for a in knowledge["town-a-police"]["actions"]] == ["submitted", "approved", "forwarded"]

    # scope: the unit itself, its superiors (main and department line) see it; a sibling does not
    for unit_id in ("town-a-police", "town-a-office", "county-x-office"):
        assert (await get(incident_url, auth(infra, unit_id))).status_code == 200, unit_id
    denied = await get(incident_url, auth(infra, "town-b-office"))
    assert denied.status_code == 403
    assert denied.headers["content-type"].startswith("application/problem+json")
    assert (await get(incident_url, {})).status_code == 401

    breaches = (await get(f"{archive}/v1/breaches", auth(infra, "county-x-office"),
                          incident_id=story.incident_id)).json()["breaches"]
    assert [(b["unit_id"], b["kind"]) for b in breaches] == [("town-a-police", "late")]
    assert (await get(f"{archive}/v1/breaches", auth(infra, "town-b-office"),
                      incident_id=story.incident_id)).json() == {"breaches": []}
    assert (await get(f"{archive}/v1/breaches", everyone, incident_id=story.incident_id,
                      since="2100-01-01T00:00:00+08:00")).json() == {"breaches": []}
    bad = await get(incident_url, everyone, as_of="2026-11-23T08:00:00")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "as_of"
    assert (await get(f"{archive}/v1/incidents/nope", everyone)).status_code == 404



async def test_breaches_of_items_and_requests_are_listed_without_an_incident_and_the_board_and_stream_take_them(
    infra: Infra, archive: str, kafka: AIOKafkaProducer, owner: asyncpg.Connection,
) -> None:
    await send(kafka, unit("county-w-office", level="county"), unit("town-w1-office", "county-w-office"))
    item, request = f"item-{uuid.uuid4()}", f"req-{uuid.uuid4()}"
    due = T0 + timedelta(days=2)
    late_item = envelope(DeadlineBreached(
        breach_id=f"br-{uuid.uuid4()}", item_id=item, unit_id="town-w1-office", obligation="routine_report",
        kind="late", deadline_at=due, detected_at=due + timedelta(seconds=1), policy="info-county@1"), subject=item)
    missed_request = envelope(DeadlineBreached(
        breach_id=f"br-{uuid.uuid4()}", request_id=request, unit_id="town-w1-office", obligation="request_reply",
        kind="request_missed", deadline_at=due, detected_at=due + timedelta(seconds=2), policy="info-county@1"),
        subject=request)
    await send(kafka, late_item, missed_request)
    county = auth(infra, "county-w-office", "duty_officer")

    async def listed() -> Any:
        got = await get(f"{archive}/v1/breaches", county, unit_id="town-w1-office")
        return got.status_code == 200 and len(got.json()["breaches"]) == 2 and got.json()["breaches"]

    found = await eventually(listed, what="both breaches listed")
    # two keys, two partitions: the archive may store them in either order
    listed_breaches = {b["breach_id"]: (b["incident_id"], b["item_id"], b["request_id"], b["kind"]) for b in found}
    assert listed_breaches == {late_item["data"]["breach_id"]: (None, item, None, "late"),
                               missed_request["data"]["breach_id"]: (None, None, request, "request_missed")}
    by_item = (await get(f"{archive}/v1/breaches", county, item_id=item)).json()["breaches"]
    by_request = (await get(f"{archive}/v1/breaches", county, request_id=request)).json()["breaches"]
    assert [b["item_id"] for b in by_item] == [item] and [b["request_id"] for b in by_request] == [request]
    assert (await get(f"{archive}/v1/breaches", auth(infra, "town-w1-office"), item_id=item)).json()["breaches"]

    board = await get(f"{archive}/v1/board", county)
    assert board.status_code == 200
    assert {late_item["data"]["breach_id"], missed_request["data"]["breach_id"]} <= {
        b["breach_id"] for b in board.json()["breaches"]}
    stats = await get(f"{archive}/v1/stats/units", county, period="2026-11")
    assert stats.status_code == 200
    positions = [r["position"] for r in await owner.fetch(
        "SELECT position FROM archive.events WHERE event_id = ANY($1::text[]) ORDER BY position",
        [late_item["id"], missed_request["id"]])]
    first = positions[0]
    streamed: list[dict[str, Any]] = []
    async with httpx.AsyncClient(timeout=30) as client, client.stream(
            "GET", f"{archive}/v1/streams/breaches", headers=county, params={"after": str(first - 1)}) as r:
        async for line in r.aiter_lines():
            if line.startswith("data: "):
                streamed.append(json.loads(line[6:]))
                if len(streamed) == 2:
                    break
    assert {(b["item_id"], b["request_id"]) for b in streamed} == {(item, None), (None, request)}
    assert await owner.fetchval("SELECT count(*) FROM archive.parked WHERE topic = 'archive.events'"
                                " AND \"offset\" = ANY($1::bigint[])", positions) == 0  # no read model set them aside


def charge(story: Story, unit_id: str) -> dict[str, Any]:
    """A breach of ``story``'s incident charged on ``unit_id`` (a unit none of its reports passed through)."""
    return envelope(DeadlineBreached(
        breach_id=f"br-{uuid.uuid4()}", incident_id=story.incident_id, unit_id=unit_id, obligation="written_report",
        kind="missed", deadline_at=T0 + timedelta(hours=10), detected_at=T0 + timedelta(hours=10, seconds=1),
        policy="county-2h-10h@1"), subject=story.incident_id)


async def test_the_unit_charged_with_a_breach_reads_the_incident_within_its_clearance(
    infra: Infra, archive: str, kafka: AIOKafkaProducer,
) -> None:
    await send(kafka, unit("county-q-office", level="county"), unit("town-q1-office", "county-q-office"),
               unit("town-q2-office", "county-q-office"), unit("town-q3-office", "county-q-office"))
    plain, secret = (Story(unit_id="town-q1-office", parent_id="county-q-office") for _ in range(2))
    secret_submitted = secret.submitted()
    secret_submitted["data"]["report"]["classification"] = "secret"
    await send(kafka, plain.submitted(), secret_submitted)
    everyone = auth(infra, None, "investigator")

    async def projected() -> bool:
        return all([(await get(f"{archive}/v1/incidents/{s.incident_id}", everyone)).status_code == 200
                    for s in (plain, secret)])

    await eventually(projected, what="both incidents projected")
    charged, bystander = auth(infra, "town-q2-office"), auth(infra, "town-q3-office")
    plain_url = f"{archive}/v1/incidents/{plain.incident_id}"
    secret_url = f"{archive}/v1/incidents/{secret.incident_id}"
    assert (await get(plain_url, charged)).status_code == 403  # not charged yet: none of its business
    await send(kafka, charge(plain, "town-q2-office"), charge(secret, "town-q2-office"))

    async def charged_reads() -> bool:
        return (await get(plain_url, charged)).status_code == 200 and \
            (await get(secret_url, charged)).status_code == 200

    await eventually(charged_reads, what="the charged unit reads both incidents")
    seen = (await get(plain_url, charged)).json()
    assert seen["reports"][0]["title"] and [b["unit_id"] for b in seen["breaches"]] == ["town-q2-office"]
    assert (await get(f"{plain_url}/timeline", charged)).status_code == 200
    assert (await get(plain_url, bystander)).status_code == 403  # a sibling not charged still may not
    withheld = (await get(secret_url, charged)).json()  # classification still applies to the unit charged
    assert withheld["reports"][0]["withheld"] is True and "title" not in withheld["reports"][0]
    token = infra.token(unit="town-q2-office", role="reporter", clearance="secret")
    cleared = {"Authorization": f"Bearer {token}"}
    assert (await get(secret_url, cleared)).json()["reports"][0]["title"]


async def test_unreadable_messages_and_conflicting_duplicates_are_kept_and_consumption_goes_on(
    infra: Infra, archive: str, kafka: AIOKafkaProducer, owner: asyncpg.Connection,
) -> None:
    story = Story()
    original = story.submitted()
    altered = {**original, "data": {**original["data"], "grade": "III"}}
    garbage = b"\xff not json \x00"
    await send(kafka, original)
    await kafka.send_and_wait(REPORTS, garbage, key=story.incident_id.encode())
    await send(kafka, altered, story.approved())

    async def all_there() -> Any:
        return await owner.fetchval("SELECT count(*) FROM archive.events WHERE stream = $1 AND type ="
                                    " 'ReportApproved'", story.incident_id)

    await eventually(all_there, what="the event after the bad ones archived")
    raw = await owner.fetch("SELECT raw FROM archive.unreadable")
    assert garbage in [bytes(r["raw"]) for r in raw]
    conflict = await owner.fetchrow("SELECT * FROM archive.conflicts WHERE event_id = $1", original["id"])
    assert json.loads(conflict["incoming_body"])["data"]["grade"] == "III"
    assert json.loads(conflict["stored_body"])["data"]["grade"] == "IV"


async def test_the_chain_head_is_published_to_the_audit_topic(
    infra: Infra, archive: str, kafka: AIOKafkaProducer, owner: asyncpg.Connection,
) -> None:
    await send(kafka, Story().submitted())
    consumer = AIOKafkaConsumer(AUDIT, bootstrap_servers=infra.kafka_bootstrap, auto_offset_reset="earliest",
                                **infra.kafka_options(),
                                group_id=None)
    await consumer.start()
    try:
        async def a_head() -> Any:
            batch = await consumer.getmany(timeout_ms=500)
            heads = [json.loads(m.value) for msgs in batch.values() for m in msgs]
            return [h for h in heads if h["type"] == "ChainHeadPublished"]

        heads = await eventually(a_head, what="a ChainHeadPublished event")
    finally:
        await consumer.stop()
    head = heads[-1]["data"]
    stored = await owner.fetchval("SELECT hash FROM archive.events WHERE position = $1", head["position"])
    assert bytes(stored).hex() == head["hash"]
    assert KeyRing.from_pems([infra.keys / "archive.pub.pem"]).refusal(head) is None  # signed by the archive
