"""Driving approval's work information from outside: units and signed ItemSubmitted on the real broker."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.envelope import Envelope, now_utc
from shared.events import ItemSubmitted, UnitRegistered
from shared.information import load_info_pack
from shared.item import Item
from shared.kafka import publish
from shared.topics import ITEMS, PARTITIONS
from tests.conftest import Infra
from tests.integration.approval.support import Stack, await_for

PACK = load_info_pack("info-county")


@dataclass
class Villages:
    """A fresh tree for one test: province ← prefecture ← county (← its department) ← town ← villages."""

    province: str
    prefecture: str
    county: str
    county_dept: str
    town: str
    village: str
    other_village: str
    units: list[UnitRegistered] = field(default_factory=list)

    @classmethod
    def fresh(cls) -> Villages:
        s = uuid.uuid4().hex[:8]
        t = cls(f"prov-{s}", f"pref-{s}", f"county-{s}", f"county-xcb-{s}", f"town-{s}", f"vil-{s}", f"vil2-{s}")
        t.units = [
            UnitRegistered(unit_id=t.province, name="省委办公厅", level="province", kind="general_office"),
            UnitRegistered(unit_id=t.prefecture, name="州委办", level="prefecture", kind="general_office",
                           parent_id=t.province),
            UnitRegistered(unit_id=t.county, name="县委办", level="county", kind="general_office",
                           parent_id=t.prefecture),
            UnitRegistered(unit_id=t.county_dept, name="县委宣传部", level="county", kind="department",
                           parent_id=t.county),
            UnitRegistered(unit_id=t.town, name="城关镇党政办", level="town", kind="general_office",
                           parent_id=t.county, department_parent_id=t.county_dept),
            UnitRegistered(unit_id=t.village, name="东村村委会", level="village", kind="other", parent_id=t.town),
            UnitRegistered(unit_id=t.other_village, name="西村村委会", level="village", kind="other",
                           parent_id=t.town),
        ]
        return t


def publications(level: str) -> list[str]:
    """The default pack's publications of units at ``level`` (the test's expectations come from the pack)."""
    return [p.name for p in PACK.publications if p.level == level]


def item_submitted(unit: str, **changes: Any) -> Envelope:
    """An ItemSubmitted as intake publishes it (keyed by the item id on baosong.items)."""
    item_id = f"itm-{uuid.uuid4()}"
    body: dict[str, Any] = {
        "reporting_unit": unit, "kind": "news", "title": "东村推进人居环境整治", "body": "本月清理沟渠三公里……",
        "author": {"name": "李明", "phone": "13800000000"}, "section": None, "request_id": None,
        "happened_on": date.today().isoformat(), "classification": "internal", **changes}
    received = now_utc()
    item = Item.model_validate(body)
    data = ItemSubmitted(item_id=item_id, received_at=received, item=item, policy=PACK.ref,
                         due_at=PACK.due_at(item.kind, happened_on=item.happened_on, received_at=received))
    return Envelope(id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"baosong:ItemSubmitted:{item_id}")),
                    source="/baosong/intake", type="ItemSubmitted", subject=item_id, time=received,
                    data=data.model_dump(mode="json"), partitionkey=item_id, correlationid=item_id,
                    actor=f"reporter@{unit}", actorunit=unit)


class Items:
    """Approval's item API over the stack's real process."""

    def __init__(self, stack: Stack):
        self.stack = stack

    async def units(self, tree: Villages) -> None:
        await self.stack.register(tree.units)

    async def submit(self, envelope: Envelope) -> str:
        await publish(self.stack.broker, ITEMS, envelope)
        return str(envelope.data["item_id"])

    async def queue(self, unit: str, role: str = "approver", **params: str) -> list[dict[str, Any]]:
        r = await self.stack.get("/v1/items", unit, role, **params)
        assert r.status_code == 200, r.text
        found: list[dict[str, Any]] = r.json()["items"]
        return found

    async def wait_in_queue(self, unit: str, item_id: str, role: str = "approver") -> dict[str, Any]:
        async def queued() -> dict[str, Any] | None:
            return next((i for i in await self.queue(unit, role) if i["item_id"] == item_id), None)

        return await await_for(queued, what=f"{item_id} in {unit}'s item queue")

    async def read(self, item_id: str, unit: str | None, role: str, clearance: str = "internal") -> httpx.Response:
        token = self.stack.infra.token(unit=unit, role=role, clearance=clearance)
        async with httpx.AsyncClient(base_url=self.stack.approval, timeout=10) as client:
            return await client.get(f"/v1/items/{item_id}", headers={"Authorization": f"Bearer {token}"})

    async def act(self, item_id: str, action: str, unit: str | None, role: str,
                  body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.stack.post(f"/v1/items/{item_id}/{action}", unit, role, body)

    async def decide(self, item_id: str, unit: str, role: str = "approver", decision: str = "approve",
                     comment: str = "同意报送") -> httpx.Response:
        return await self.act(item_id, "decisions", unit, role, {"decision": decision, "comment": comment})


async def on_items_topic(infra: Infra, key: str) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """Every record keyed ``key`` on baosong.items (its body and headers), from the beginning to the current end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap, enable_auto_commit=False,
                                **infra.kafka_options())
    await consumer.start()
    try:
        parts = [TopicPartition(ITEMS, p) for p in range(PARTITIONS[ITEMS])]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        found: list[tuple[dict[str, Any], dict[str, str]]] = []
        while [p for p in parts if await consumer.position(p) < ends[p]]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    if record.key == key.encode():
                        headers = {k: (v or b"").decode() for k, v in record.headers or ()}
                        found.append((json.loads(record.value or b"{}"), headers))
        return found
    finally:
        await consumer.stop()
