"""Commissioned requests (约稿) through approval on the real broker and database."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.envelope import now_utc
from tests.integration.approval.item_support import Items, Villages, item_submitted, on_items_topic
from tests.integration.approval.support import Stack, await_for

pytestmark = pytest.mark.integration


def due(days: float) -> str:
    return (now_utc() + timedelta(days=days)).isoformat()


async def post(stack: Stack, unit: str | None, role: str, body: dict[str, Any],
               key: str | None = None) -> httpx.Response:
    headers = stack.headers(unit, role) | ({"Idempotency-Key": key} if key else {})
    async with httpx.AsyncClient(base_url=stack.approval, timeout=10) as client:
        return await client.post("/v1/requests", json=body, headers=headers)


async def test_an_editor_commissions_items_from_named_units(stack: Stack) -> None:
    tree = Villages.fresh()
    await Items(stack).units(tree)
    body = {"to_units": [tree.town, tree.county_dept, tree.town], "topic": "秋冬季森林防火工作情况",
            "due_at": due(7)}
    r = await post(stack, tree.county, "editor", body)
    assert r.status_code == 202, r.text
    answer = r.json()
    request_id = answer["request_id"]
    assert answer["to_units"] == [tree.town, tree.county_dept]
    assert (answer["unit_id"], answer["by"], answer["policy"]) == (tree.county, f"editor@{tree.county}",
                                                                  "info-county@1")
    assert datetime.fromisoformat(answer["due_at"]).utcoffset() == timedelta(hours=8)

    async def published() -> list[dict[str, Any]] | None:
        found = [body for body, _ in await on_items_topic(stack.infra, request_id)]
        return found or None

    (event,) = await await_for(published, what="RequestIssued keyed by the request id")
    assert (event["type"], event["subject"], event["id"]) == ("RequestIssued", request_id, answer["event_id"])
    assert event["data"]["to_units"] == [tree.town, tree.county_dept]


async def test_a_retried_request_with_its_idempotency_key_is_the_same_request(stack: Stack) -> None:
    tree = Villages.fresh()
    await Items(stack).units(tree)
    body = {"to_units": [tree.town], "topic": "防汛", "due_at": due(3)}
    first = await post(stack, tree.county, "editor", body, key="req-2026-11-01")
    again = await post(stack, tree.county, "editor", body, key="req-2026-11-01")
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json()["request_id"] == again.json()["request_id"]
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    other = await post(stack, tree.county, "editor", {**body, "topic": "抗旱"}, key="req-2026-11-01")
    assert other.status_code == 409


async def test_refused_requests(stack: Stack) -> None:
    tree = Villages.fresh()
    await Items(stack).units(tree)
    body = {"to_units": [tree.town], "topic": "防汛", "due_at": due(3)}
    assert (await post(stack, tree.county, "approver", body)).status_code == 403
    assert (await post(stack, tree.county, "principal", body)).status_code == 403

    unknown = await post(stack, tree.county, "editor", {**body, "to_units": [tree.town, "nowhere-1", "nowhere-2"]})
    assert unknown.status_code == 422
    assert unknown.json()["unknown_units"] == ["nowhere-1", "nowhere-2"]
    assert "nowhere-1" in unknown.json()["errors"][0]["message"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"due_at": due(-1)}, "due_at"),
        ({"due_at": due(400)}, "due_at"),
        ({"due_at": "2026-12-01T18:00:00"}, "due_at"),  # no offset
        ({"to_units": []}, "to_units"),
        ({"topic": ""}, "topic"),
    ]
    for change, field in cases:
        r = await post(stack, tree.county, "editor", {**body, **change})
        assert r.status_code == 422, (change, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], r.text


async def test_each_unit_sees_the_requests_it_issued_and_received_and_who_answered(stack: Stack) -> None:
    tree, items = Villages.fresh(), Items(stack)
    await items.units(tree)
    issued = await post(stack, tree.county, "editor", {"to_units": [tree.town, tree.county_dept], "topic": "防汛",
                                                       "due_at": due(3)})
    request_id = issued.json()["request_id"]
    item_id = await items.submit(item_submitted(tree.town, request_id=request_id))
    await items.wait_in_queue(tree.town, item_id)
    assert (await items.decide(item_id, tree.town)).status_code == 202

    r = await stack.get("/v1/requests", tree.town, "reporter")
    assert r.status_code == 200, r.text
    (received,) = [q for q in r.json()["received"] if q["request_id"] == request_id]
    assert (received["unit_id"], received["topic"], received["answered_units"]) == (tree.county, "防汛", [tree.town])
    county = (await stack.get("/v1/requests", tree.county, "editor")).json()
    (mine,) = [q for q in county["issued"] if q["request_id"] == request_id]
    assert mine["answered_units"] == [tree.town] and county["received"] == []
    assert (await stack.get("/v1/requests", tree.town, "editor", unit_id=tree.county)).status_code == 403
