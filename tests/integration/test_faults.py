"""The fault suite: kill -9 of each service and of the broker, and a PostgreSQL restart, under a bounded load.

A private broker and database (this module kills and restarts them) and the five services as real
processes. Two clients submit reports through intake the way an agency's system would: each with its own
Idempotency-Key, retried with the same key until it gets 202. Every report's late deadline falls
seconds after it is submitted, so many fall while a service or the broker is down. A third client is a
village's information officer and approver: items posted the same way, each then signed off (retried
until approval takes it). Afterwards: accepted == archived, nothing doubled, each report once in
approval, exactly one late breach per incident (the clocks that were open fired after recovery), the
assessment service's scores count every accepted item and every sign-off exactly once, the chain
verifies, nothing parked.

``BAOSONG_FAULTS_ROUNDS=N`` repeats the faults N times (the long variant; ./baosong test runs one round).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from deploy.kafka_local import LocalKafka
from deploy.postgres_local import LocalPostgres
from deploy.proc import free_port
from services.archive.adapters.verify import verify_chain
from shared.periods import period_containing
from tests.conftest import Infra, prepare
from tests.support.reports import report
from tests.support.services import service_process, stop, wait_healthy
from tests.support.units import CONTRACT_UNITS, register_units

pytestmark = pytest.mark.integration

SERVICES = ("intake", "approval", "escalation", "archive", "assessment")
ROUNDS = int(os.environ.get("BAOSONG_FAULTS_ROUNDS", "1"))
LATE_AFTER_S = 12  # each report's late deadline, seconds after it is submitted
VILLAGE = "vil-faults"  # the items' writing unit: only this suite's items count for it


@dataclass
class Servers:
    root: Path
    pg: LocalPostgres
    kafka: LocalKafka
    kafka_proc: subprocess.Popen[bytes]
    infra: Infra


@dataclass
class Stack:
    servers: Servers
    logs: Path
    exits: ExitStack
    ports: dict[str, int] = field(default_factory=lambda: {s: free_port() for s in SERVICES})
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self, service: str) -> None:
        _, proc = self.exits.enter_context(service_process(self.servers.infra, service, self.logs,
                                                           port=self.ports[service]))
        self.procs[service] = proc

    def kill(self, service: str) -> None:
        stop(self.procs[service], kill=True)

    def all_healthy(self, timeout_s: float = 90) -> None:
        for service in SERVICES:
            wait_healthy(self.url(service), self.procs[service], self.logs / f"{service}-{self.ports[service]}.log",
                         timeout_s=timeout_s)


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    root = Path(tempfile.mkdtemp(prefix="baosong-faults-"))
    os.chmod(root, 0o755)
    pg = LocalPostgres(root / "postgres", free_port())
    pg.init()
    pg.start()
    kafka = LocalKafka(root / "kafka", free_port(), free_port())
    proc = kafka.start()
    try:
        s = Servers(root, pg, kafka, proc, prepare(kafka, pg.superuser_dsn, root))
        yield s
        proc = s.kafka_proc
    finally:
        with _quietly():
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


class _quietly:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


@pytest.fixture(scope="module")
def stack(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with ExitStack() as exits:
        s = Stack(servers, tmp_path_factory.mktemp("fault-logs"), exits)
        for service in SERVICES:
            s.start(service)
        register_units(s.url("intake"), servers.infra.token(unit=None, role="admin"),
                       [*CONTRACT_UNITS, (VILLAGE, "village", "town-a-office")])
        yield s


@dataclass
class Load:
    """Clients that submit reports and retry each with its own key until accepted."""

    url: str
    token: str
    logs: Path  # the services' logs: an unexpected answer is reported with intake's last traceback
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)  # key → 202 answer
    retries: int = 0
    running: bool = True

    async def client(self, pause_s: float) -> None:
        async with httpx.AsyncClient(timeout=5) as http:
            while self.running:
                key = str(uuid.uuid4())
                occurred = datetime.now(UTC) - timedelta(hours=2) + timedelta(seconds=LATE_AFTER_S)
                body = report(occurred_at=occurred.replace(microsecond=0).isoformat())
                await self._until_accepted(http, key, body)
                await asyncio.sleep(pause_s)

    async def _until_accepted(self, http: httpx.AsyncClient, key: str, body: dict[str, Any]) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                answer = await http.post(f"{self.url}/v1/reports", json=body, timeout=5,
                                         headers={"Authorization": f"Bearer {self.token}", "Idempotency-Key": key})
                if answer.status_code == 202:
                    self.accepted[key] = answer.json()
                    return
                # never a 4xx for a valid report, never a 500: only "unavailable, retry with the same key"
                assert answer.status_code in (502, 503, 504), f"{answer.text}\n{self._last_traceback()}"
            except httpx.HTTPError:
                pass
            self.retries += 1
            await asyncio.sleep(0.5)
        raise AssertionError(f"report {key} not accepted in 120 s")


    def _last_traceback(self) -> str:
        """Intake's last logged crash: its "unhandled error" line, or a traceback."""
        found = ""
        for log in sorted(self.logs.glob("intake-*.log")):
            text = log.read_text(errors="replace")
            crashes = [line for line in text.splitlines() if "unhandled error" in line]
            found = crashes[-1] if crashes else text[text.rfind("Traceback"):][:4000] if "Traceback" in text else found
        return found or "(nothing logged by intake)"


@dataclass
class ItemLoad:
    """A village's information officer and approver: each item posted with its own key until accepted, then
    signed off until approval has taken the decision (a 409 after a lost answer: the item says approved)."""

    intake: str
    approval: str
    reporter: dict[str, str]
    approver: dict[str, str]
    accepted: dict[str, str] = field(default_factory=dict)  # key → item id
    signed: set[str] = field(default_factory=set)
    running: bool = True

    async def client(self, pause_s: float) -> None:
        async with httpx.AsyncClient(timeout=5) as http:
            while self.running:
                key = str(uuid.uuid4())
                body = {"reporting_unit": VILLAGE, "kind": "news", "title": f"故障演练中的工作动态 {key[:8]}",
                        "body": "本村开展人居环境整治。", "author": {"name": "李明", "phone": "13800000000"}}
                answer = await _until(http, "post", f"{self.intake}/v1/items", (202,), json=body,
                                      headers={**self.reporter, "Idempotency-Key": key})
                item_id = answer.json()["item_id"]
                self.accepted[key] = item_id
                await self._sign(http, item_id)
                await asyncio.sleep(pause_s)

    async def _sign(self, http: httpx.AsyncClient, item_id: str) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            answer = await _until(http, "post", f"{self.approval}/v1/items/{item_id}/decisions", (202, 404, 409),
                                  json={"decision": "approve", "comment": "同意报送"}, headers=self.approver)
            if answer.status_code == 409:  # taken before a lost answer, or the unit not yet known to approval
                item = await _until(http, "get", f"{self.approval}/v1/items/{item_id}", (200,), headers=self.approver)
                if item.json()["state"] == "approved":
                    answer = item
            if answer.status_code in (200, 202):
                self.signed.add(item_id)
                return
            await asyncio.sleep(0.5)
        raise AssertionError(f"item {item_id} not signed off in 120 s")


async def _until(http: httpx.AsyncClient, method: str, url: str, wanted: tuple[int, ...],
                 **kwargs: Any) -> httpx.Response:
    """The first answer in ``wanted``, retrying while the service is down or unavailable (never a 500)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            answer = await http.request(method, url, **kwargs)
            if answer.status_code in wanted:
                return answer
            assert answer.status_code in (502, 503, 504), f"{method} {url}: {answer.status_code} {answer.text}"
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.5)
    raise AssertionError(f"{method} {url}: no answer in {wanted} in 120 s")


async def _scores(url: str, token: str, months: set[str]) -> tuple[int, int]:
    """The village's (submitted, approved) over ``months``, as assessment answers them."""
    submitted = approved = 0
    async with httpx.AsyncClient(timeout=10) as http:
        for month in months:
            got = await http.get(f"{url}/v1/scores", params={"period": month},
                                 headers={"Authorization": f"Bearer {token}"})
            assert got.status_code == 200, got.text
            for row in got.json()["units"]:
                if row["unit_id"] == VILLAGE:
                    submitted, approved = submitted + row["submitted"], approved + row["approved"]
    return submitted, approved


async def _restart(stack: Stack, service: str, figures: dict[str, Any]) -> None:
    stack.kill(service)
    await asyncio.sleep(1)
    started = time.monotonic()
    await asyncio.to_thread(stack.start, service)
    figures.setdefault("recovery_s", {}).setdefault(service, []).append(round(time.monotonic() - started, 1))


async def _restart_broker(stack: Stack, figures: dict[str, Any]) -> None:
    s = stack.servers
    os.killpg(s.kafka_proc.pid, signal.SIGKILL)
    s.kafka_proc.wait(timeout=10)
    await asyncio.sleep(1)
    started = time.monotonic()
    s.kafka_proc = await asyncio.to_thread(s.kafka.start)
    await asyncio.to_thread(stack.all_healthy)
    figures.setdefault("recovery_s", {}).setdefault("kafka", []).append(round(time.monotonic() - started, 1))


async def _restart_postgres(stack: Stack, figures: dict[str, Any]) -> None:
    pg = stack.servers.pg
    await asyncio.to_thread(pg.stop)
    await asyncio.sleep(1)
    started = time.monotonic()
    await asyncio.to_thread(pg.start)
    await asyncio.to_thread(stack.all_healthy)
    figures.setdefault("recovery_s", {}).setdefault("postgres", []).append(round(time.monotonic() - started, 1))


async def test_kill_9_of_each_part_under_load_loses_and_doubles_nothing(stack: Stack, tmp_path: Path) -> None:
    infra = stack.servers.infra
    load = Load(stack.url("intake"), infra.token(unit="town-a-office", role="reporter"), stack.logs)
    items = ItemLoad(stack.url("intake"), stack.url("approval"),
                     {"Authorization": f"Bearer {infra.token(unit=VILLAGE, role='reporter')}"},
                     {"Authorization": f"Bearer {infra.token(unit=VILLAGE, role='approver')}"})
    clients = [asyncio.create_task(load.client(pause_s=0.2)) for _ in range(2)]
    clients.append(asyncio.create_task(items.client(pause_s=0.2)))
    figures: dict[str, Any] = {"faults": 0}
    started = time.monotonic()
    months = {period_containing(datetime.now(UTC), "month").name}
    try:
        await asyncio.sleep(2)
        for _ in range(ROUNDS):
            for service in SERVICES:
                await _restart(stack, service, figures)
                figures["faults"] += 1
                await asyncio.sleep(2)
            await _restart_broker(stack, figures)
            await _restart_postgres(stack, figures)
            figures["faults"] += 2
            await asyncio.sleep(2)
    finally:
        load.running = items.running = False
        await asyncio.gather(*clients)
    months.add(period_containing(datetime.now(UTC), "month").name)  # the load may straddle a month's end
    figures["load_s"] = round(time.monotonic() - started, 1)
    accepted = {a["report_id"]: a["incident_id"] for a in load.accepted.values()}
    item_ids = set(items.accepted.values())
    figures.update(accepted=len(accepted), client_retries=load.retries, items=len(item_ids),
                   items_signed=len(items.signed))
    assert len(accepted) >= 20
    assert len(item_ids) >= 5 and items.signed == item_ids

    owner = await asyncpg.connect(infra.owner_dsn)
    try:
        async def settled() -> bool:
            archived = await owner.fetchval(
                "SELECT count(DISTINCT report_id) FROM archive.events WHERE type = 'ReportSubmitted'"
                " AND report_id = ANY($1::text[])", list(accepted))
            breached = await owner.fetchval(
                "SELECT count(DISTINCT incident_id) FROM archive.events WHERE type = 'DeadlineBreached'"
                " AND incident_id = ANY($1::text[])", list(accepted.values()))
            return bool(archived == len(accepted) and breached == len(accepted))

        drain = time.monotonic()
        deadline = drain + 90 + LATE_AFTER_S
        while not await settled():
            assert time.monotonic() < deadline, "not every accepted report was archived and breached in time"
            await asyncio.sleep(0.5)
        figures["drain_s"] = round(time.monotonic() - drain, 1)
        expected = (len(item_ids), len(items.signed))
        while (scored := await _scores(stack.url("assessment"), infra.token(unit=None, role="investigator"),
                                       months)) != expected:
            assert all(got <= want for got, want in zip(scored, expected, strict=True)), (
                f"assessment doubled: scores {scored}, expected {expected}")
            assert time.monotonic() < deadline, f"assessment lost: scores {scored}, expected {expected}"
            await asyncio.sleep(0.5)
        figures["items_scored"] = list(scored)
        item_events = await owner.fetch(
            "SELECT type, count(*) AS n, count(DISTINCT body::jsonb #>> '{data,item_id}') AS items"
            " FROM archive.events WHERE type IN ('ItemSubmitted', 'ItemApproved')"
            " AND body::jsonb #>> '{data,item_id}' = ANY($1::text[]) GROUP BY type", list(item_ids))
        assert {r["type"]: (r["n"], r["items"]) for r in item_events} == {
            "ItemSubmitted": (len(item_ids), len(item_ids)), "ItemApproved": (len(item_ids), len(item_ids))}

        submitted = await owner.fetch(
            "SELECT report_id, count(*) AS n FROM archive.events WHERE type = 'ReportSubmitted'"
            " AND report_id = ANY($1::text[]) GROUP BY report_id", list(accepted))
        assert {r["report_id"] for r in submitted} == set(accepted), "lost"
        assert all(r["n"] == 1 for r in submitted), "doubled ReportSubmitted"
        late = await owner.fetch(
            "SELECT incident_id, count(*) AS n FROM archive.events WHERE type = 'DeadlineBreached'"
            " AND body::jsonb #>> '{data,kind}' = 'late' AND incident_id = ANY($1::text[]) GROUP BY incident_id",
            list(accepted.values()))
        assert len(late) == len(accepted) and all(r["n"] == 1 for r in late), "a late breach missing or doubled"
        in_approval = await owner.fetchval("SELECT count(*) FROM approval.reports WHERE report_id = ANY($1::text[])",
                                           list(accepted))
        assert in_approval == len(accepted)
        parked = {s: await owner.fetchval(f"SELECT count(*) FROM {s}.parked") for s in SERVICES}
        assert parked == dict.fromkeys(SERVICES, 0), f"valid records were set aside: {parked}"
        verdict = await verify_chain(infra.owner_dsn)
        assert verdict.intact, verdict
        figures["events"] = await owner.fetchval("SELECT count(*) FROM archive.events")
    finally:
        await owner.close()
    figures.update(lost=0, doubled=0)
    (tmp_path / "faults.json").write_text(json.dumps(figures, indent=2))
    print("fault suite:", json.dumps(figures))
