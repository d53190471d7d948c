"""Drive a real escalation process: publish report/unit events, move its clock, watch what it publishes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from deploy.proc import free_port
from shared.envelope import CONTENT_TYPE, Envelope
from shared.events import (
    ItemApproved,
    ItemRejected,
    ItemSubmitted,
    ReportForwarded,
    ReportSubmitted,
    RequestIssued,
    UnitRegistered,
)
from shared.item import Item
from shared.report import Report
from tests.conftest import Infra
from tests.support.reports import report
from tests.support.services import REPO, stop, wait_healthy


def now() -> datetime:
    return datetime.now(UTC)


class ServiceClock:
    """The process's shifted "now" (BAOSONG_CLOCK_FILE): ``set(t)`` makes the service's now equal ``t``."""

    def __init__(self, path: Path):
        self.path = path
        path.write_text("0")

    def set(self, target: datetime) -> None:
        self.path.write_text(str((target - now()).total_seconds()))

    def now(self) -> datetime:
        return now() + timedelta(seconds=float(self.path.read_text()))


class Escalation:
    """One ``python -m services.escalation`` process; ``kill()`` is SIGKILL, ``start()`` starts it again."""

    def __init__(self, infra: Infra, log_dir: Path, **env: str):
        self.infra, self.log_dir, self.env = infra, log_dir, env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        port = free_port()
        env = {**os.environ, "BAOSONG_SERVICE_NAME": "escalation", "BAOSONG_PORT": str(port),
               **self.infra.kafka_env("escalation"),
               "BAOSONG_PG_DSN": self.infra.service_dsn("escalation"),
               "BAOSONG_JWT_PUBLIC_KEY": str(self.infra.public_key), **self.env}
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"escalation-{port}.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "services.escalation"], cwd=REPO, env=env,
                                     stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_healthy(f"http://127.0.0.1:{port}", self.proc, log)

    def kill(self) -> None:
        assert self.proc is not None
        stop(self.proc, kill=True)

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


class Kafka:
    def __init__(self, infra: Infra):
        self.infra = infra
        self.producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", **infra.kafka_options())

    async def publish(self, topic: str, *envelopes: Envelope, signed_by: str | None = None) -> None:
        """As the super user, each event signed by the service that makes it (or by ``signed_by``; "": unsigned)."""
        for e in envelopes:
            value = e.to_bytes()
            await self.producer.send(topic, value, key=e.partitionkey.encode(), headers=[
                ("content-type", CONTENT_TYPE.encode()),
                *self.infra.signed_headers(e.type, value, signed_by)])
        await self.producer.flush()


class Watcher:
    """Every event published on ``topics`` since the start of the run, collected by a consumer that runs
    in its own thread and event loop (so a busy test never delays what it sees)."""

    def __init__(self, infra: Infra, *topics: str):
        self.infra, self.topics = infra, topics
        self.events: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def start(self) -> None:
        self._thread.start()
        await asyncio.to_thread(self._ready.wait, 30)

    async def _run(self) -> None:
        consumer = AIOKafkaConsumer(*self.topics, bootstrap_servers=self.infra.kafka_bootstrap,
                                    **self.infra.kafka_options(), group_id=f"watch-{uuid.uuid4()}",
                                    auto_offset_reset="earliest", enable_auto_commit=False, fetch_max_wait_ms=100)
        await consumer.start()
        self._ready.set()
        try:
            while not self._stop.is_set():
                batches = await consumer.getmany(timeout_ms=100)
                for records in batches.values():
                    for record in records:
                        try:
                            event = json.loads(record.value)
                        except ValueError:
                            continue
                        if isinstance(event, dict) and "type" in event:  # not other tests' junk records
                            event["_consumed_at"] = now()
                            event["_record"] = (record.value, list(record.headers))  # to check who signed it
                            self.events.append(event)
        finally:
            await consumer.stop()

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.to_thread(self._thread.join, 30)

    def matching(self, pred: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        return [e for e in self.events if pred(e)]

    async def wait_for(self, pred: Callable[[dict[str, Any]], bool], *, count: int = 1,
                       within: float = 10) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            found = self.matching(pred)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.05)
        recent = [(e["type"], e["data"].get("incident_id"), e["_consumed_at"].isoformat()) for e in self.events[-5:]]
        raise AssertionError(f"{count} matching events not seen in {within}s; saw {len(self.matching(pred))};"
                             f" last consumed at {now().isoformat()}: {recent}")


def breaches_of(incident_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["type"] == "DeadlineBreached" and e["data"].get("incident_id") == incident_id


def unit_registered(unit_id: str, *, level: str = "town", kind: str = "general_office",
                    parent_id: str | None = None, department_parent_id: str | None = None) -> Envelope:
    data = UnitRegistered(unit_id=unit_id, name=unit_id, level=level, kind=kind,  # type: ignore[arg-type]
                          parent_id=parent_id, department_parent_id=department_parent_id)
    return Envelope(id=str(uuid.uuid4()), source="/tests", type="UnitRegistered", subject=unit_id, time=now(),
                    data=data.model_dump(mode="json"), partitionkey=unit_id)


def report_submitted(incident_id: str, *, unit: str, occurred_at: datetime, reporter: str | None = None,
                     received_at: datetime | None = None, discovered_at: datetime | None = None,
                     reportable: bool = True, grade: str | None = "IV", channel: str = "written",
                     kind: str = "initial", report_id: str | None = None, policy: str | None = None,
                     reopen_reason: str = "") -> Envelope:
    body = report(kind=kind, reporting_unit=reporter or unit, channel=channel,
                  reopen=bool(reopen_reason), reopen_reason=reopen_reason,
                  occurred_at=occurred_at.isoformat(),
                  discovered_at=discovered_at.isoformat() if discovered_at else None,
                  location={"unit_id": unit, "address": "test"},
                  incident_id=None if kind == "initial" else incident_id)
    received = received_at or now()
    data = ReportSubmitted(report_id=report_id or str(uuid.uuid4()), incident_id=incident_id, received_at=received,
                           report=Report.model_validate(body), reportable=reportable,
                           grade=grade if reportable else None, policy=policy)  # type: ignore[arg-type]
    return Envelope(id=str(uuid.uuid4()), source="/tests", type="ReportSubmitted", subject=incident_id,
                    time=received, data=data.model_dump(mode="json"), partitionkey=incident_id)


def report_forwarded(incident_id: str, report_id: str, *, from_unit: str, to_unit: str, at: datetime,
                     channel: str = "main", report_channel: str = "written") -> Envelope:
    data = ReportForwarded(report_id=report_id, incident_id=incident_id, from_unit_id=from_unit, to_unit_id=to_unit,
                           channel=channel, report_channel=report_channel)  # type: ignore[arg-type]
    return Envelope(id=str(uuid.uuid4()), source="/tests", type="ReportForwarded", subject=incident_id, time=at,
                    data=data.model_dump(mode="json"), partitionkey=incident_id)



def item_submitted(item_id: str, *, unit: str, at: datetime, due_at: datetime | None = None, kind: str = "news",
                   request_id: str | None = None, policy: str = "info-county@1") -> Envelope:
    """As intake states a submitted item (keyed by item id)."""
    item = Item(reporting_unit=unit, kind=kind, title="测试信息", body="正文", author={"name": "信息员"},  # type: ignore[arg-type]
                request_id=request_id)
    data = ItemSubmitted(item_id=item_id, received_at=at, item=item, policy=policy, due_at=due_at)
    return Envelope(id=str(uuid.uuid4()), source="/tests", type="ItemSubmitted", subject=item_id, time=at,
                    data=data.model_dump(mode="json"), partitionkey=item_id)


def item_decided(item_id: str, *, unit: str, at: datetime, approve: bool = True, final: bool = True) -> Envelope:
    """As approval states a sign-off (``final``: the last step) or a rejection, at ``at``."""
    data = (ItemApproved(item_id=item_id, unit_id=unit, approver=f"approver@{unit}", role="approver", final=final)
            if approve else ItemRejected(item_id=item_id, unit_id=unit, approver=f"approver@{unit}", role="approver",
                                         comment="不予签发"))
    return Envelope(id=str(uuid.uuid4()), source="/tests", type=type(data).__name__, subject=item_id, time=at,
                    data=data.model_dump(mode="json"), partitionkey=item_id)


def request_issued(request_id: str, *, to_units: list[str], due_at: datetime, at: datetime,
                   unit: str = "wi-county-office") -> Envelope:
    """An editor's commissioned request (约稿), keyed by request id."""
    data = RequestIssued(request_id=request_id, unit_id=unit, to_units=to_units, topic="冬季安全生产",
                         due_at=due_at, by=f"editor@{unit}", issued_at=at)
    return Envelope(id=str(uuid.uuid4()), source="/tests", type="RequestIssued", subject=request_id, time=at,
                    data=data.model_dump(mode="json"), partitionkey=request_id)
