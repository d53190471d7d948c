"""``POST /v1/items`` on FastStream's in-memory broker and the real PostgreSQL: who may submit, the 422s
naming each field in Chinese and English, idempotency, the receipt, and a crash between publish and commit."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.intake.adapters.store import IntakeStore
from services.intake.submit_item import ItemIntake
from shared.db import Database
from shared.envelope import Envelope
from shared.events import UnitRegistered
from shared.signing import Signer
from shared.topics import ITEMS, REPORTS
from tests.conftest import Infra
from tests.unit.intake.conftest import App

ANSWER_KEYS = {"item_id", "received_at", "policy", "due_at", "receipt", "warnings"}


def item(app: App, **changes: Any) -> dict[str, Any]:
    return {"reporting_unit": app.u("town-a-office"), "kind": "news", "title": "城关镇推进秸秆禁烧",
            "body": "11月23日，城关镇组织干部分片包村巡查。", "author": {"name": "李明", "phone": "13800000000"},
            "happened_on": datetime.now(UTC).date().isoformat(), **changes}


async def post_item(app: App, body: Any, *, unit: str | None = None, role: str = "reporter",
                    key: str | None = None) -> httpx.Response:
    headers = app.auth(unit or app.u("town-a-office"), role)
    if key is not None:
        headers["Idempotency-Key"] = key
    return await app.client.post("/v1/items", json=body, headers=headers)


def published_items(app: App) -> list[dict[str, Any]]:
    return [json.loads(b) for b in app.published[ITEMS]]


async def test_a_valid_item_is_published_on_the_items_topic_and_answered_202(app: App) -> None:
    body = item(app)
    r = await post_item(app, body)
    assert r.status_code == 202, r.text
    answer = r.json()
    assert set(answer) == ANSWER_KEYS
    assert answer["policy"] == "info-county@1" and answer["warnings"] == []
    [event] = published_items(app)
    assert event["type"] == "ItemSubmitted" and event["partitionkey"] == answer["item_id"]
    assert event["data"]["item"] == {**body, "section": None, "request_id": None, "classification": "internal"}
    assert event["data"]["due_at"] == answer["due_at"]
    assert app.published[REPORTS] == []


async def test_only_the_units_own_submitters_may_submit_its_items(app: App) -> None:
    other = await post_item(app, item(app), unit=app.u("town-b-office"))
    assert other.status_code == 403
    assert other.headers["content-type"] == "application/problem+json"
    detail = other.json()["detail"]
    assert "不能代" in detail and "cannot report for" in detail
    for role in ("admin", "duty_officer", "investigator"):
        assert (await post_item(app, item(app), role=role)).status_code == 403, role
    assert published_items(app) == []


async def test_an_unregistered_unit_is_422_naming_reporting_unit(app: App) -> None:
    ghost = f"ghost-{uuid.uuid4().hex[:8]}"
    r = await post_item(app, item(app, reporting_unit=ghost), unit=ghost)
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert (error["field"], error["label"], error["type"]) == ("reporting_unit", "供稿单位", "unknown_unit")
    assert published_items(app) == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "标\u0000题"}, "title"),
    ({"body": "两车\ud800相撞"}, "body"),
    ({"author": {"name": "\udfff"}}, "author.name"),
    ({"happened_on": "0001-01-01"}, "happened_on"),
    ({"happened_on": "3000-01-01"}, "happened_on"),
    ({"title": "长" * 201}, "title"),
    ({"body": "长" * 50001}, "body"),
    ({"kind": "rumour"}, "kind"),
    ({"classification": "whisper"}, "classification"),
])
async def test_input_nothing_could_store_or_use_is_422_naming_the_field_in_both_languages(
        app: App, changes: dict[str, Any], field: str) -> None:
    r = await app.client.post("/v1/items", content=json.dumps(item(app, **changes)).encode(), headers={
        **app.auth(app.u("town-a-office")), "content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert " / " in r.json()["detail"]
    [error] = r.json()["errors"]
    assert error["field"] == field
    assert error["message"] and error["message_en"] and error["label"] != field
    assert published_items(app) == []


async def test_the_same_key_gives_the_same_answer_and_another_body_under_it_is_a_conflict(app: App) -> None:
    first = await post_item(app, item(app), key="k-1")
    again = await post_item(app, item(app), key="k-1")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert len(published_items(app)) == 1
    other = await post_item(app, item(app, title="另一条"), key="k-1")
    assert other.status_code == 409
    assert "Idempotency-Key" in other.json()["detail"]
    elsewhere = await post_item(app, item(app, reporting_unit=app.u("town-b-office")), unit=app.u("town-b-office"),
                                key="k-1")
    assert elsewhere.status_code == 202 and elsewhere.json()["item_id"] != first.json()["item_id"]


async def test_the_receipt_verifies_and_can_be_fetched_by_item_id(app: App) -> None:
    answer = (await post_item(app, item(app))).json()
    verified = await app.client.post("/v1/receipts/verify", json=answer, headers=app.auth(app.u("town-a-office")))
    assert verified.json()["genuine"] is True and verified.json()["id"] == answer["item_id"]
    fetched = await app.client.get(f"/v1/receipts/{answer['item_id']}", headers=app.auth(app.u("town-a-office")))
    assert fetched.json() == answer["receipt"]
    other = await app.client.get(f"/v1/receipts/{answer['item_id']}", headers=app.auth(app.u("town-b-office")))
    assert other.status_code == 404


async def test_an_item_past_its_due_time_is_accepted_with_a_warning(app: App) -> None:
    r = await post_item(app, item(app, happened_on="2026-01-05"))
    assert r.status_code == 202, r.text
    assert [w["type"] for w in r.json()["warnings"]] == ["past_due"]


class Crash(Exception):
    pass


async def test_a_crash_between_publish_and_commit_republishes_the_same_event_on_retry(infra: Infra) -> None:
    sent: list[bytes] = []
    crash = [True]

    async def publish(envelope: Envelope) -> None:
        sent.append(envelope.to_bytes())
        if crash[0]:
            raise Crash  # the broker has it; the process dies before the item is marked published

    db = Database(infra.service_dsn("intake"))
    async with db.connected():
        store = IntakeStore(db)
        unit = f"town-{uuid.uuid4().hex[:8]}"
        await store.put_unit(UnitRegistered(unit_id=unit, name="镇", level="town", kind="general_office"),
                             event_id=str(uuid.uuid4()), event_time=datetime.now(UTC))
        items = ItemIntake(store, publish, clock_skew=timedelta(minutes=2),
                           signer=Signer.from_pem(infra.receipt_signing_key))
        body = {"reporting_unit": unit, "kind": "brief", "title": "要情", "body": "正文", "author": {"name": "李明"}}
        with pytest.raises(Crash):
            await items.submit(body, unit_id=unit, actor="clerk", key="k")
        pending = await store.item_submission(unit, "k")
        assert pending is not None and not pending.published
        crash[0] = False
        answer = await items.submit(body, unit_id=unit, actor="clerk", key="k")
        assert len(sent) == 2 and sent[0] == sent[1]
        assert Envelope.from_bytes(sent[0]).data["item_id"] == answer["item_id"]
        assert await items.submit(body, unit_id=unit, actor="clerk", key="k") == answer and len(sent) == 2
        stored = await store.item_submission(unit, "k")
        assert stored is not None and stored.published


async def test_the_openapi_document_shows_the_item_its_example_and_the_answer(app: App) -> None:
    doc = (await app.client.get("/openapi.json")).json()
    operation = doc["paths"]["/v1/items"]["post"]
    body = operation["requestBody"]["content"]["application/json"]
    assert body["schema"]["properties"]["kind"]["enum"] == ["news", "brief", "long", "opinion", "newmedia"]
    assert body["examples"]["news"]["value"]["kind"] == "news"
    answer = operation["responses"]["202"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/ItemAccepted"}
    assert set(doc["components"]["schemas"]["ItemAccepted"]["properties"]) == ANSWER_KEYS
    assert {"bearer": []} in operation["security"]
