"""Emergency skips, phone reports, restarts and redelivery, on the real broker and database."""

from __future__ import annotations

import asyncpg
import pytest

from services.approval.domain import facts
from shared.envelope import now_utc
from shared.topics import REPORTS
from tests.integration.approval.support import Stack, Topology, await_for, on_kafka, submitted

pytestmark = pytest.mark.integration


async def test_emergency_skip_notifies_the_skipped_level(stack: Stack) -> None:
    t = Topology.fresh()
    await stack.publish_units(t)
    report_id = await stack.submit(submitted(t.other_town, grade="II"))
    await stack.wait_in_queue(t.other_town, report_id)

    r = await stack.decide(report_id, t.other_town, "principal", comment="情况紧急，越级上报", emergency=True)
    assert r.status_code == 202, r.text
    assert r.json()["forwarded_to"] == [t.county, t.prefecture]
    notice = await stack.wait_in_queue(t.county, report_id)
    assert (notice["kind"], notice["via"], notice["needs_sign_off"]) == ("notice", "skip_notice", False)
    assert (await stack.decide(report_id, t.county, "principal")).status_code == 409
    assert (await stack.wait_in_queue(t.prefecture, report_id))["kind"] == "sign_off"

    async def forwards() -> list[dict] | None:
        found = [e["data"] for e in await stack.archived(report_id) if e["type"] == "ReportForwarded"]
        return found if len(found) == 2 else None

    got = await await_for(forwards, what="both forwards archived")
    assert {(f["to_unit_id"], f["channel"], f["emergency"]) for f in got} == {
        (t.county, "skip_notice", False), (t.prefecture, "main", True)}


async def test_emergency_skip_is_refused_where_the_pack_forbids_it(stack: Stack) -> None:
    t = Topology.fresh()
    await stack.publish_units(t)
    report_id = await stack.submit(submitted(t.other_town, grade="III"))
    await stack.wait_in_queue(t.other_town, report_id)
    r = await stack.decide(report_id, t.other_town, "principal", emergency=True)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["emergency"]
    item = await stack.item(t.other_town, report_id)
    assert item is not None and item["state"] == "pending"  # nothing was recorded


async def test_phone_report_is_forwarded_at_once_and_owes_the_written_one(stack: Stack) -> None:
    t = Topology.fresh()
    await stack.publish_units(t)
    phone = submitted(t.town, grade="III", channel="phone", actor=f"principal@{t.town}")
    report_id = await stack.submit(phone)
    at_county = await stack.wait_in_queue(t.county, report_id)
    assert at_county["report_channel"] == "phone"
    assert await stack.item(t.town, report_id) is None

    async def history() -> list[dict] | None:
        events = await stack.archived(report_id)
        return events if len(events) >= 5 else None

    events = await await_for(history, what="the phone report's history")
    assert [e["type"] for e in events] == ["ReportSubmitted", "ReportApproved", "ReportForwarded",
                                           "ReportForwarded", "WrittenReportOwed"]
    approved = events[1]["data"]
    assert (approved["approver"], approved["role"], approved["final"]) == (f"principal@{t.town}", "phone", True)
    assert {e["data"]["report_channel"] for e in events if e["type"] == "ReportForwarded"} == {"phone"}
    assert events[4]["data"]["to_unit_id"] == t.county

    written = await stack.submit(submitted(t.town, grade="III", phone_report_id=report_id))
    assert (await stack.wait_in_queue(t.town, written))["phone_report_id"] == report_id


async def test_a_restart_keeps_the_queues(stack: Stack) -> None:
    t = Topology.fresh()
    await stack.publish_units(t)
    report_id = await stack.submit(submitted(t.other_town, grade="IV"))
    await stack.wait_in_queue(t.other_town, report_id)
    stack.stop_approval()
    stack.start_approval()
    assert await stack.item(t.other_town, report_id) is not None
    r = await stack.decide(report_id, t.other_town, "approver")
    assert r.status_code == 202 and r.json()["forwarded_to"] == [t.county]
    await stack.wait_in_queue(t.county, report_id)


async def test_redelivered_events_never_forward_twice(stack: Stack) -> None:
    t = Topology.fresh()
    await stack.publish_units(t)
    phone = submitted(t.town, grade="IV", channel="phone")
    report_id = await stack.submit(phone)
    await stack.wait_in_queue(t.county, report_id)
    await stack.submit(phone)  # the same event again, as a redelivery brings it
    written = submitted(t.other_town, grade="IV")
    await stack.submit(written)
    await stack.submit(written)
    await stack.wait_in_queue(t.other_town, written.data["report_id"])
    stack.stop_approval()  # a restart re-reads from the committed offsets
    stack.start_approval()
    later = await stack.submit(submitted(t.other_town, grade="IV"))
    await stack.wait_in_queue(t.other_town, later)  # everything before it on the topic was handled

    sent = [e for e in await on_kafka(stack.infra, report_id) if e["type"] != "ReportSubmitted"]
    assert sorted((e["type"], e["data"].get("to_unit_id")) for e in sent) == sorted([
        ("ReportApproved", None), ("ReportForwarded", t.county), ("ReportForwarded", t.county_dept),
        ("WrittenReportOwed", t.county)])
    queued = [i for i in await stack.queue(t.other_town) if i["report_id"] == written.data["report_id"]]
    assert len(queued) == 1


async def test_an_event_left_unsent_by_a_crash_is_relayed_from_the_outbox(stack: Stack) -> None:
    """A crash after the commit and before the publish leaves a row unsent: the relay publishes it."""
    t = Topology.fresh()
    await stack.publish_units(t)
    event = submitted(t.town, grade="IV")
    report_id = str(event.data["report_id"])
    left_behind = facts.acknowledged(
        facts.Context(report_id=report_id, incident_id=event.subject, policy="county-2h-10h@1",
                      actor=f"duty@{t.county}", actor_unit=t.county, time=now_utc()),
        unit_id=t.county, by=f"duty@{t.county}")
    conn = await asyncpg.connect(stack.infra.owner_dsn)
    try:
        await conn.execute("INSERT INTO approval.outbox (event_id, topic, key, body) VALUES ($1, $2, $3, $4)",
                           left_behind.id, REPORTS, left_behind.partitionkey, left_behind.model_dump_json())

        async def relayed() -> bool:
            return bool(await conn.fetchval("SELECT sent_at IS NOT NULL FROM approval.outbox WHERE event_id = $1",
                                            left_behind.id))

        await await_for(relayed, what="the relay to publish the left-behind event")
    finally:
        await conn.close()
    on_topic = await on_kafka(stack.infra, report_id)
    assert [e["id"] for e in on_topic] == [left_behind.id]
