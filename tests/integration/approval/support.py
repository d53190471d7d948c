"""Driving approval from outside: publish units and reports to the real broker, call its API, read Kafka."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka import KafkaBroker

from shared.envelope import Envelope, now_utc
from shared.events import ReportSubmitted, UnitRegistered
from shared.kafka import publish
from shared.report import Report
from shared.topics import PARTITIONS, REPORTS, UNITS
from tests.conftest import Infra
from tests.support.reports import report
from tests.support.services import running_service
from tests.support.waiting import until

T = TypeVar("T")


@dataclass
class Topology:
    """A fresh set of units for one test: province ← prefecture ← county ← towns, plus departments."""

    province: str
    prefecture: str
    county: str
    county_dept: str
    town: str
    other_town: str
    units: list[UnitRegistered] = field(default_factory=list)

    @classmethod
    def fresh(cls) -> Topology:
        s = uuid.uuid4().hex[:8]
        t = cls(f"prov-{s}", f"pref-{s}", f"county-{s}", f"county-ajj-{s}", f"town-{s}", f"town2-{s}")
        t.units = [
            UnitRegistered(unit_id=t.province, name="省委办公厅", level="province", kind="general_office"),
            UnitRegistered(unit_id=t.prefecture, name="州委办", level="prefecture", kind="general_office",
                           parent_id=t.province),
            UnitRegistered(unit_id=t.county, name="县委办", level="county", kind="general_office",
                           parent_id=t.prefecture),
            UnitRegistered(unit_id=t.county_dept, name="县应急管理局", level="county", kind="department",
                           parent_id=t.county),
            UnitRegistered(unit_id=t.town, name="城关镇党政办", level="town", kind="general_office",
                           parent_id=t.county, department_parent_id=t.county_dept),
            UnitRegistered(unit_id=t.other_town, name="河口镇党政办", level="town", kind="general_office",
                           parent_id=t.county),
        ]
        return t


def submitted(unit: str, *, grade: str | None = "IV", reportable: bool = True, actor: str | None = None,
              **changes: Any) -> Envelope:
    """A ReportSubmitted event as intake would publish it (the fields intake's classification adds)."""
    report_id, incident_id = f"rpt-{uuid.uuid4()}", f"inc-{uuid.uuid4()}"
    body = report(reporting_unit=unit, location={"unit_id": unit, "address": "307国道K12处"}, **changes)
    body["incident_id"] = incident_id
    data = ReportSubmitted(report_id=report_id, incident_id=incident_id, received_at=now_utc(),
                           report=Report.model_validate(body), reportable=reportable,
                           grade=grade, policy="county-2h-10h@1")  # type: ignore[arg-type]
    return Envelope(id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"baosong:ReportSubmitted:{report_id}")),
                    source="/baosong/intake", type="ReportSubmitted", subject=incident_id, time=data.received_at,
                    data=data.model_dump(mode="json"), partitionkey=incident_id, correlationid=report_id,
                    actor=actor or f"reporter@{unit}", actorunit=unit)


def unit_event(unit: UnitRegistered) -> Envelope:
    return Envelope(id=str(uuid.uuid4()), source="/baosong/intake", type="UnitRegistered", subject=unit.unit_id,
                    time=now_utc(), data=unit.model_dump(mode="json"), partitionkey=unit.unit_id)


async def await_for(probe: Callable[[], Awaitable[T | None]], *, timeout_s: float = 15, what: str = "") -> T:
    return await until(probe, what, timeout_s)


class Stack:
    """The real approval and archive processes, a producer, and helpers over their APIs."""

    def __init__(self, infra: Infra, logs: Path, broker: KafkaBroker):
        self.infra, self.logs, self.broker = infra, logs, broker
        self._approval = ExitStack()
        self.approval = ""

    def start_approval(self) -> None:
        self.approval = self._approval.enter_context(running_service(self.infra, "approval", self.logs))

    def stop_approval(self) -> None:
        self._approval.close()
        self._approval = ExitStack()

    def headers(self, unit: str | None, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.infra.token(unit=unit, role=role)}"}

    async def publish_units(self, topology: Topology) -> None:
        await self.register(topology.units)

    async def register(self, units: list[UnitRegistered]) -> None:
        """Publish the units and wait until approval knows them all."""
        for unit in units:
            await publish(self.broker, UNITS, unit_event(unit))
        ids = [u.unit_id for u in units]

        async def known() -> bool:
            conn = await asyncpg.connect(self.infra.owner_dsn)
            try:
                return bool(await conn.fetchval(
                    "SELECT count(*) = $2 FROM approval.units WHERE unit_id = ANY($1::text[])", ids, len(ids)))
            finally:
                await conn.close()

        await await_for(known, what="approval to know the units")

    async def submit(self, envelope: Envelope) -> str:
        await publish(self.broker, REPORTS, envelope)
        return str(envelope.data["report_id"])

    async def get(self, path: str, unit: str | None, role: str, **params: str) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.approval, timeout=10) as client:
            return await client.get(path, params=params, headers=self.headers(unit, role) if role else None)

    async def post(self, path: str, unit: str | None, role: str, body: dict[str, Any] | None = None) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.approval, timeout=10) as client:
            return await client.post(path, json=body, headers=self.headers(unit, role) if role else None)

    async def queue(self, unit: str, role: str = "approver") -> list[dict[str, Any]]:
        r = await self.get("/v1/approvals", unit, role)
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        return items

    async def item(self, unit: str, report_id: str) -> dict[str, Any] | None:
        return next((i for i in await self.queue(unit) if i["report_id"] == report_id), None)

    async def wait_in_queue(self, unit: str, report_id: str) -> dict[str, Any]:
        return await await_for(lambda: self.item(unit, report_id), what=f"{report_id} in {unit}'s queue")

    async def decide(self, report_id: str, unit: str | None, role: str, decision: str = "approve",
                     **extra: Any) -> httpx.Response:
        return await self.post(f"/v1/reports/{report_id}/decisions", unit, role, {"decision": decision, **extra})

    async def receipt(self, report_id: str, unit: str | None, role: str) -> httpx.Response:
        return await self.post(f"/v1/reports/{report_id}/receipts", unit, role)

    async def archived(self, report_id: str) -> list[dict[str, Any]]:
        """The archive's stored events of one report, in position order."""
        conn = await asyncpg.connect(self.infra.owner_dsn)
        try:
            rows = await conn.fetch("SELECT type, body FROM archive.events WHERE report_id = $1"
                                    " ORDER BY position", report_id)
        finally:
            await conn.close()
        return [json.loads(r["body"]) for r in rows]


async def on_kafka(infra: Infra, report_id: str) -> list[dict[str, Any]]:
    """Every event of one report on the reports topic, read from the beginning to the current end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap, enable_auto_commit=False,
                                **infra.kafka_options())
    await consumer.start()
    try:
        parts = [TopicPartition(REPORTS, p) for p in range(PARTITIONS[REPORTS])]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        found: list[dict[str, Any]] = []
        while [p for p in parts if await consumer.position(p) < ends[p]]:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    body = json.loads(record.value or b"{}")
                    if body.get("data", {}).get("report_id") == report_id:
                        found.append(body)
        return found
    finally:
        await consumer.stop()
