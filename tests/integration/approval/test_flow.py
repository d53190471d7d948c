"""End to end on the real broker: sign-off, forwarding up the levels, dual reporting, receipts, history."""

from __future__ import annotations

import pytest

from tests.integration.approval.support import Stack, Topology, await_for, submitted

pytestmark = pytest.mark.integration


def hops(events: list[dict]) -> list[tuple]:
    """An archived history as (type, who/where) pairs, the way an investigator reads it."""
    out: list[tuple] = []
    for e in events:
        d = e["data"]
        if e["type"] == "ReportSubmitted":
            out.append(("ReportSubmitted", d["report"]["reporting_unit"]))
        elif e["type"] in ("ReportApproved", "ReportRejected"):
            out.append((e["type"], d["unit_id"], d["approver"], d["role"]))
        elif e["type"] == "ReportForwarded":
            out.append(("ReportForwarded", d["from_unit_id"], d["to_unit_id"], d["channel"]))
        elif e["type"] == "ReportAcknowledged":
            out.append(("ReportAcknowledged", d["unit_id"], d["by"]))
        else:
            out.append((e["type"], d.get("unit_id")))
    return out


async def test_grade_iii_climbs_town_county_prefecture_with_dual_reporting(stack: Stack) -> None:
    t = Topology.fresh()
    await stack.publish_units(t)
    report_id = await stack.submit(submitted(t.town, grade="III"))
    await stack.wait_in_queue(t.town, report_id)

    r = await stack.decide(report_id, t.town, "approver", comment="同意上报")
    assert r.status_code == 202, r.text
    assert r.json()["forwarded_to"] == [t.county, t.county_dept]

    at_county = await stack.wait_in_queue(t.county, report_id)
    assert (at_county["kind"], at_county["via"], at_county["from_unit_id"]) == ("sign_off", "main", t.town)
    copy = await stack.wait_in_queue(t.county_dept, report_id)
    assert (copy["kind"], copy["via"], copy["needs_sign_off"]) == ("inform", "department", False)
    assert (await stack.decide(report_id, t.county_dept, "approver")).status_code == 409  # a copy is not signed

    assert (await stack.receipt(report_id, t.county, "duty_officer")).status_code == 202
    r = await stack.decide(report_id, t.county, "principal", comment="县委办审核同意")
    assert r.status_code == 202, r.text
    assert r.json()["forwarded_to"] == [t.prefecture]
    assert (await stack.wait_in_queue(t.prefecture, report_id))["kind"] == "sign_off"
    r = await stack.decide(report_id, t.prefecture, "approver", comment="州委办签发")
    assert r.json()["forwarded_to"] == [t.province]
    at_province = await stack.wait_in_queue(t.province, report_id)
    assert at_province["kind"] == "inform"  # grade III's route ends at the province: read and acknowledge
    assert (await stack.decide(report_id, t.province, "principal")).status_code == 409

    async def all_archived() -> list[dict] | None:
        events = await stack.archived(report_id)
        return events if len(events) >= 9 else None

    events = await await_for(all_archived, what="the whole history in the archive")
    assert hops(events) == [
        ("ReportSubmitted", t.town),
        ("ReportApproved", t.town, f"approver@{t.town}", "approver"),
        ("ReportForwarded", t.town, t.county, "main"),
        ("ReportForwarded", t.town, t.county_dept, "department"),
        ("ReportAcknowledged", t.county, f"duty_officer@{t.county}"),
        ("ReportApproved", t.county, f"principal@{t.county}", "principal"),
        ("ReportForwarded", t.county, t.prefecture, "main"),
        ("ReportApproved", t.prefecture, f"approver@{t.prefecture}", "approver"),
        ("ReportForwarded", t.prefecture, t.province, "main"),
    ]
    assert all(e["data"]["final"] for e in events if e["type"] == "ReportApproved")


async def test_grade_iv_stops_at_the_prefecture(stack: Stack) -> None:
    t = Topology.fresh()
    await stack.publish_units(t)
    report_id = await stack.submit(submitted(t.other_town, grade="IV"))
    await stack.wait_in_queue(t.other_town, report_id)
    assert (await stack.decide(report_id, t.other_town, "approver")).json()["forwarded_to"] == [t.county]
    assert (await stack.wait_in_queue(t.county, report_id))["kind"] == "sign_off"
    assert (await stack.decide(report_id, t.county, "approver")).json()["forwarded_to"] == [t.prefecture]
    assert (await stack.wait_in_queue(t.prefecture, report_id))["kind"] == "inform"
    assert (await stack.decide(report_id, t.prefecture, "principal")).status_code == 409


async def test_grade_ii_waits_for_the_principal(stack: Stack) -> None:
    t = Topology.fresh()
    await stack.publish_units(t)
    report_id = await stack.submit(submitted(t.other_town, grade="II"))
    await stack.wait_in_queue(t.other_town, report_id)

    r = await stack.decide(report_id, t.other_town, "approver", comment="拟同意，请主要领导审签")
    assert r.status_code == 202, r.text
    assert (r.json()["state"], r.json()["forwarded_to"]) == ("awaiting_principal", [])
    item = await stack.item(t.other_town, report_id)
    assert item is not None and item["state"] == "awaiting_principal"
    assert [d["final"] for d in item["decisions"]] == [False]
    assert (await stack.decide(report_id, t.other_town, "approver")).status_code == 409
    assert await stack.item(t.county, report_id) is None

    r = await stack.decide(report_id, t.other_town, "principal", comment="同意")
    assert r.status_code == 202 and r.json()["forwarded_to"] == [t.county]
    assert (await stack.decide(report_id, t.other_town, "principal")).status_code == 409
    await stack.wait_in_queue(t.county, report_id)

    async def approvals() -> list[dict] | None:
        found = [e for e in await stack.archived(report_id) if e["type"] == "ReportApproved"]
        return found if len(found) == 2 else None

    first, second = await await_for(approvals, what="both approvals archived")
    assert (first["data"]["role"], first["data"]["final"]) == ("approver", False)
    assert (second["data"]["role"], second["data"]["final"]) == ("principal", True)


async def test_reject_needs_a_reason_and_the_corrected_report_replaces_it(stack: Stack) -> None:
    t = Topology.fresh()
    await stack.publish_units(t)
    report_id = await stack.submit(submitted(t.other_town, grade="IV"))
    await stack.wait_in_queue(t.other_town, report_id)

    r = await stack.decide(report_id, t.other_town, "approver", decision="reject")
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["comment"]
    r = await stack.decide(report_id, t.other_town, "approver", decision="reject", comment="伤亡人数不清，请核实后重报")
    assert r.status_code == 202, r.text
    assert (await stack.decide(report_id, t.other_town, "principal")).status_code == 409
    assert await stack.item(t.other_town, report_id) is None

    corrected = await stack.submit(submitted(t.other_town, grade="IV", supersedes_report_id=report_id))
    item = await stack.wait_in_queue(t.other_town, corrected)
    assert item["supersedes_report_id"] == report_id
    assert (await stack.decide(corrected, t.other_town, "approver")).json()["forwarded_to"] == [t.county]

    async def rejected() -> list[dict] | None:
        return [e for e in await stack.archived(report_id) if e["type"] == "ReportRejected"] or None

    (event,) = await await_for(rejected, what="the rejection archived")
    assert event["data"]["comment"] == "伤亡人数不清，请核实后重报"
    assert event["data"]["approver"] == f"approver@{t.other_town}"


async def test_receipts_are_recorded_once_and_the_sender_sees_them(stack: Stack) -> None:
    t = Topology.fresh()
    await stack.publish_units(t)
    report_id = await stack.submit(submitted(t.town, grade="IV"))
    await stack.wait_in_queue(t.town, report_id)
    await stack.decide(report_id, t.town, "principal")
    await stack.wait_in_queue(t.county_dept, report_id)

    first = await stack.receipt(report_id, t.county_dept, "reporter")
    assert first.status_code == 202 and first.json()["duplicate"] is False
    again = await stack.receipt(report_id, t.county_dept, "approver")
    assert again.status_code == 202 and again.json()["duplicate"] is True
    assert again.json()["acknowledged_at"] == first.json()["acknowledged_at"]
    assert await stack.item(t.county_dept, report_id) is None  # acknowledged: no longer waiting there

    seen = await stack.get(f"/v1/reports/{report_id}/receipts", t.town, "reporter")
    assert seen.status_code == 200
    by_receiver = {f["to_unit_id"]: f for f in seen.json()["forwards"]}
    assert by_receiver[t.county_dept]["acknowledged"] is True
    assert by_receiver[t.county_dept]["acknowledged_by"] == f"reporter@{t.county_dept}"
    assert by_receiver[t.county]["acknowledged"] is False
    outsider = await stack.get(f"/v1/reports/{report_id}/receipts", t.other_town, "principal")
    assert outsider.status_code == 403

    async def acks() -> list[dict] | None:
        return [e for e in await stack.archived(report_id) if e["type"] == "ReportAcknowledged"] or None

    assert len(await await_for(acks, what="the receipt archived")) == 1
