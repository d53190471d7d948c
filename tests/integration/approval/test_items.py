"""Work information through approval on the real broker and database: a village item signed off, adopted by
the town, forwarded (转报), adopted by the county, instructed on (批示) — and every refusal on the way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from tests.integration.approval.item_support import Items, Villages, item_submitted, on_items_topic, publications
from tests.integration.approval.support import Stack, await_for

pytestmark = pytest.mark.integration


@pytest.fixture
async def items(stack: Stack) -> Items:
    return Items(stack)


@pytest.fixture
async def tree(items: Items) -> AsyncIterator[Villages]:
    t = Villages.fresh()
    await items.units(t)
    yield t


async def test_village_item_signed_adopted_by_town_forwarded_adopted_by_county_and_instructed(
        items: Items, tree: Villages) -> None:
    item_id = await items.submit(item_submitted(tree.village))
    waiting = await items.wait_in_queue(tree.village, item_id)
    assert (waiting["needs_sign_off"], waiting["via"], waiting["policy"]) == (True, "submitted", "info-county@1")
    assert waiting["waiting_for"]["roles"] == ["approver", "principal"]

    signed = await items.decide(item_id, tree.village)
    assert signed.status_code == 202, signed.text
    assert (signed.json()["state"], signed.json()["final"], signed.json()["forwarded_to"]) == (
        "approved", True, [tree.town])
    assert (await items.decide(item_id, tree.village, "principal")).status_code == 409

    arrived = await items.wait_in_queue(tree.town, item_id, "editor")
    assert (arrived["via"], arrived["from_unit_id"], arrived["needs_receipt"]) == ("main", tree.village, True)
    receipt = await items.act(item_id, "receipts", tree.town, "editor")
    again = await items.act(item_id, "receipts", tree.town, "duty_officer")
    assert (receipt.status_code, again.status_code) == (202, 202)
    assert (receipt.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert again.json()["acknowledged_at"] == receipt.json()["acknowledged_at"]

    (town_pub,) = publications("town")
    issue = {"publication": town_pub, "issue": "2026年第12期"}
    adopted = await items.act(item_id, "adoptions", tree.town, "editor", issue)
    assert adopted.status_code == 202, adopted.text
    assert (adopted.json()["level"], adopted.json()["author_unit_id"], adopted.json()["unit_id"]) == (
        "town", tree.village, tree.town)
    assert (await items.act(item_id, "adoptions", tree.town, "editor", issue)).status_code == 409

    forwarded = await items.act(item_id, "forwardings", tree.town, "editor")
    assert forwarded.status_code == 202, forwarded.text
    assert (forwarded.json()["to_unit_id"], forwarded.json()["by"]) == (tree.county, f"editor@{tree.town}")
    assert (await items.act(item_id, "forwardings", tree.town, "editor")).status_code == 409

    county_pub = publications("county")[0]
    at_county = await items.act(item_id, "adoptions", tree.county, "editor",
                                {"publication": county_pub, "issue": "2026年第45期"})
    assert at_county.status_code == 202, at_county.text
    instruction = await items.act(item_id, "instructions", tree.county, "principal",
                                  {"level": "county", "text": "经验做法很好，请在全县推广。"})
    assert instruction.status_code == 202, instruction.text
    assert (instruction.json()["author_unit_id"], instruction.json()["unit_id"]) == (tree.village, tree.county)

    read = await items.read(item_id, tree.county, "editor")
    assert read.status_code == 200, read.text
    doc = read.json()
    assert (doc["state"], doc["title"], doc["reporting_unit"]) == ("approved", "东村推进人居环境整治", tree.village)
    assert [(s["state"], s["decision"]["approver"]) for s in doc["steps"]] == [
        ("approved", f"approver@{tree.village}")]
    assert [(r["unit_id"], r["from_unit_id"], r["by"]) for r in doc["reached"]] == [
        (tree.town, tree.village, None), (tree.county, tree.town, f"editor@{tree.town}")]
    assert doc["reached"][0]["acknowledged_by"] == f"editor@{tree.town}"
    assert [(a["unit_id"], a["publication"], a["level"]) for a in doc["adoptions"]] == [
        (tree.town, town_pub, "town"), (tree.county, county_pub, "county")]
    assert [(i["level"], i["by"]) for i in doc["instructions"]] == [("county", f"principal@{tree.county}")]

    expected = ["ItemApproved", "ItemForwarded", "ItemAcknowledged", "ItemAdopted", "ItemForwarded",
                "ItemAdopted", "InstructionGiven"]

    async def published() -> list[tuple[dict[str, Any], dict[str, str]]] | None:
        found = [r for r in await on_items_topic(items.stack.infra, item_id) if r[0]["type"] != "ItemSubmitted"]
        return found if len(found) >= len(expected) else None

    records = await await_for(published, what="the item's events on baosong.items")
    assert [body["type"] for body, _ in records] == expected
    assert {headers["baosong-producer"] for _, headers in records} == {"approval"}
    assert len({body["id"] for body, _ in records}) == len(expected)
    approved = records[0][0]
    assert (approved["data"]["final"], approved["policy"], approved["subject"]) == (True, "info-county@1", item_id)
    assert records[1][0]["data"]["by"] is None and records[1][0]["causationid"] == approved["id"]


async def test_a_signed_item_goes_to_the_department_parent_too_and_only_receivers_acknowledge(
        items: Items, tree: Villages) -> None:
    item_id = await items.submit(item_submitted(tree.town))
    await items.wait_in_queue(tree.town, item_id)
    signed = await items.decide(item_id, tree.town, "principal")
    assert signed.json()["forwarded_to"] == [tree.county, tree.county_dept]
    copy = await items.wait_in_queue(tree.county_dept, item_id, "editor")
    assert copy["via"] == "department"
    assert (await items.act(item_id, "receipts", tree.town, "approver")).status_code == 403  # the writer itself
    assert (await items.act(item_id, "receipts", tree.prefecture, "editor")).status_code == 403  # not reached
    assert (await items.act(item_id, "receipts", tree.county_dept, "editor")).status_code == 202
    # the department's parent is the county, which the item already reached
    assert (await items.act(item_id, "forwardings", tree.county_dept, "editor")).status_code == 409


async def test_a_rejected_item_goes_nowhere(items: Items, tree: Villages) -> None:
    item_id = await items.submit(item_submitted(tree.village))
    await items.wait_in_queue(tree.village, item_id)
    no_reason = await items.decide(item_id, tree.village, decision="reject", comment=" ")
    assert no_reason.status_code == 422 and [e["field"] for e in no_reason.json()["errors"]] == ["comment"]
    rejected = await items.decide(item_id, tree.village, decision="reject", comment="数据需核实后重报")
    assert rejected.status_code == 202 and rejected.json()["state"] == "rejected"
    assert (await items.decide(item_id, tree.village)).status_code == 409
    assert (await items.act(item_id, "receipts", tree.town, "editor")).status_code == 403
    doc = (await items.read(item_id, tree.village, "reporter")).json()
    assert (doc["state"], doc["reached"], doc["steps"][0]["state"]) == ("rejected", [], "rejected")

    async def published() -> list[str] | None:
        types = [b["type"] for b, _ in await on_items_topic(items.stack.infra, item_id)]
        return types if "ItemRejected" in types else None

    assert await await_for(published, what="ItemRejected") == ["ItemSubmitted", "ItemRejected"]


async def test_refusals_name_the_right_status(items: Items, tree: Villages) -> None:
    item_id = await items.submit(item_submitted(tree.village))
    await items.wait_in_queue(tree.village, item_id)
    county_pub = publications("county")[0]

    # 403: wrong role or wrong unit for a decision
    assert (await items.decide(item_id, tree.village, "reporter")).status_code == 403
    assert (await items.decide(item_id, tree.village, "editor")).status_code == 403
    assert (await items.decide(item_id, tree.other_village, "approver")).status_code == 403
    assert (await items.decide(item_id, tree.town, "principal")).status_code == 403
    # before sign-off the item reached nobody
    assert (await items.act(item_id, "adoptions", tree.town, "editor",
                            {"publication": "工作简报", "issue": "1"})).status_code == 403
    assert (await items.decide(item_id, tree.village)).status_code == 202
    await items.wait_in_queue(tree.town, item_id, "editor")

    # 403: an editor's actions by other roles, and by units the item has not reached
    adopt = {"publication": county_pub, "issue": "第1期"}
    assert (await items.act(item_id, "adoptions", tree.town, "principal", adopt)).status_code == 403
    assert (await items.act(item_id, "adoptions", tree.county, "editor", adopt)).status_code == 403
    assert (await items.act(item_id, "forwardings", tree.town, "approver")).status_code == 403
    assert (await items.act(item_id, "forwardings", tree.county, "editor")).status_code == 403
    instruct = {"level": "county", "text": "阅"}
    assert (await items.act(item_id, "instructions", tree.town, "editor", instruct)).status_code == 403
    assert (await items.act(item_id, "instructions", tree.county, "principal", instruct)).status_code == 403
    assert (await items.read(item_id, tree.other_village, "approver")).status_code == 403
    assert (await items.stack.get("/v1/items", tree.town, "editor", unit_id=tree.county)).status_code == 403

    # 422: a publication the adopting unit's level does not have lists the valid ones, in both languages
    wrong = await items.act(item_id, "adoptions", tree.town, "editor", adopt)
    assert wrong.status_code == 422
    problem = wrong.json()
    assert problem["publications"] == publications("town")
    assert [e["field"] for e in problem["errors"]] == ["publication"]
    assert all(name in problem["errors"][0]["message"] and name in problem["errors"][0]["message_en"]
               for name in publications("town"))
    bad_bodies: list[tuple[str, dict[str, Any], str]] = [
        ("decisions", {"decision": "maybe"}, "decision"),
        ("adoptions", {"publication": "", "issue": "1"}, "publication"),
        ("adoptions", {"publication": "工作简报"}, "issue"),
        ("instructions", {"level": "town", "text": "阅"}, "level"),
        ("instructions", {"level": "county", "text": "a\u0000b"}, "text"),
    ]
    for action, body, field in bad_bodies:
        r = await items.act(item_id, action, tree.town, "editor" if action != "instructions" else "principal", body)
        assert r.status_code == 422, (action, body, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], r.text

    # 404 for an item approval does not know, on every endpoint, once it applied every item accepted before the
    # request (one still arriving gets 409 + Retry-After: tests/integration/test_incident_links.py)
    unknown = "itm-never-submitted"
    for action, role, body in [("decisions", "approver", {"decision": "approve"}), ("receipts", "editor", None),
                               ("adoptions", "editor", adopt), ("forwardings", "editor", None),
                               ("instructions", "principal", instruct)]:
        r = await items.act(unknown, action, tree.county, role, body)
        assert r.status_code == 404, (action, r.text)
        assert "every item accepted before" in r.json()["detail"] and "已处理此前受理的全部信息" in r.json()["detail"]
    assert (await items.read(unknown, tree.county, "editor")).status_code == 404

    # 409: a second instruction of the same level by the same principal
    assert (await items.act(item_id, "instructions", tree.town, "principal", instruct)).status_code == 202
    assert (await items.act(item_id, "instructions", tree.town, "principal", instruct)).status_code == 409


async def test_a_unit_without_a_parent_cannot_forward(items: Items, stack: Stack) -> None:
    tree = Villages.fresh()
    top = tree.units[2].model_copy(update={"parent_id": None})  # a county registered as the top of its tree
    await stack.register([top, tree.units[4].model_copy(update={"department_parent_id": None})])
    item_id = await items.submit(item_submitted(tree.town))
    await items.wait_in_queue(tree.town, item_id)
    assert (await items.decide(item_id, tree.town)).json()["forwarded_to"] == [tree.county]
    r = await items.act(item_id, "forwardings", tree.county, "editor")
    assert r.status_code == 422 and "no parent" in r.json()["detail"]


async def test_a_reader_below_the_items_classification_gets_a_stub(items: Items, tree: Villages) -> None:
    item_id = await items.submit(item_submitted(tree.village, classification="secret", title="涉密信息"))
    queued = await items.wait_in_queue(tree.village, item_id)
    assert queued["withheld"] is True and "title" not in queued
    stub = (await items.read(item_id, tree.village, "approver")).json()
    assert stub["withheld"] is True and "title" not in stub and "body" not in stub
    assert stub["item_id"] == item_id and stub["classification"] == "secret"
    cleared = (await items.read(item_id, tree.village, "approver", clearance="secret")).json()
    assert cleared["title"] == "涉密信息" and "withheld" not in cleared


async def test_a_malformed_item_record_is_parked_and_the_next_applied(items: Items, tree: Villages,
                                                                    stack: Stack) -> None:
    good = item_submitted(tree.village)
    no_item = good.model_copy(update={"id": f"{good.id}-broken", "data": {"item_id": "itm-broken"}})
    unstorable = item_submitted(tree.village, title="标题\u0000含NUL")
    await items.submit(no_item)
    await items.submit(unstorable)
    item_id = await items.submit(good)
    await items.wait_in_queue(tree.village, item_id)

    conn = await asyncpg.connect(stack.infra.owner_dsn)
    try:
        async def parked() -> list[str] | None:
            rows = await conn.fetch("SELECT value FROM approval.parked WHERE consumer = 'approval-items'")
            found = [bytes(r["value"]).decode() for r in rows]
            return found if sum(no_item.id in v or unstorable.id in v for v in found) == 2 else None

        assert await await_for(parked, what="both bad item records parked")
    finally:
        await conn.close()


async def test_a_redelivered_item_is_queued_once(items: Items, tree: Villages) -> None:
    event = item_submitted(tree.other_village)
    item_id = await items.submit(event)
    await items.submit(event)
    later = await items.submit(item_submitted(tree.other_village))
    await items.wait_in_queue(tree.other_village, later)
    assert [i["item_id"] for i in await items.queue(tree.other_village)].count(item_id) == 1
