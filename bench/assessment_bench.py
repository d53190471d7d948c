"""Assessment benchmark (a script, not a test): scores, the board and the incident statistics at 100,000 items
and 100,000 incidents, beside the archive's in-memory fold of the same incidents, in one run.

Starts a private PostgreSQL cluster and KRaft broker, seeds one year (2025, Beijing time) straight into the
stores — the assessment's read models (what its consumers would have recorded) and the archive's event store
(the events themselves) — for 500 units: N items (90 % signed off, 20 % adopted, 1 % with a leader's
instruction) and N incidents (a report each; 75 % forwarded on time, 20 % late, 5 % missed), then starts the
real assessment and archive processes (as the stack runs them) and times over HTTP:

- ``/v1/scores`` for a month, a quarter and the year, and ``/v1/board`` (first call, then the median of 5);
- ``/v1/stats/units`` and ``/v1/stats/months`` (6) from assessment (SQL over its read models) and from the archive
  (its fold over every stored event, in memory: the first call reads the whole store), first call and warm;
- each process's resident memory (VmRSS) before and after; and checks both answer the same statistics.

Usage: ./baosong bench assessment [N]     (default N = 100000)
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from deploy.database import DATABASE, provision, service_role, service_roles  # noqa: E402
from deploy.kafka_local import LocalKafka, provision_kafka  # noqa: E402
from deploy.postgres_local import LocalPostgres  # noqa: E402
from deploy.proc import free_port  # noqa: E402
from services.archive.adapters.store import EventStore, Incoming  # noqa: E402
from shared.auth import create_keypair, mint_token  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.offset import CHINA  # noqa: E402
from shared.producers import create_producer_keys, private_key_path  # noqa: E402
from shared.topics import PARTITIONS  # noqa: E402
from tests.support.reports import report  # noqa: E402
from tests.support.waiting import until  # noqa: E402

UNITS = 500
YEAR_START = datetime(2025, 1, 1, tzinfo=CHINA)
YEAR_S = 365 * 24 * 3600
COUNTY = "b-county"
RUNS = 6  # the first call, then 5 whose median is shown
BATCH = 1000


def unit_ids() -> list[str]:
    return [COUNTY, *(f"b-unit-{i:03d}" for i in range(1, UNITS))]


def level_of(unit_id: str) -> str:
    return "county" if unit_id == COUNTY else ("village" if int(unit_id[-3:]) % 5 == 0 else "town")


def spread(i: int, n: int) -> datetime:
    """The i-th of n instants spread over 2025, Beijing time."""
    return YEAR_START + timedelta(seconds=YEAR_S * (i + 0.5) / n)


def uid() -> str:
    return str(uuid.uuid4())


async def seed_items(owner: asyncpg.Connection, n: int) -> None:
    units = unit_ids()
    subs, apps, adopts, instr = [], [], [], []
    for i in range(n):
        unit, at, item_id = units[1 + i % (UNITS - 1)], spread(i, n), f"item-{i}"
        body = json.dumps({"reporting_unit": unit, "kind": "news", "title": f"工作动态 {i}", "body": "正文"},
                          ensure_ascii=False)
        subs.append((item_id, uid(), unit, "news", "info-county@1", None, body, at, at))
        if i % 10:
            apps.append((item_id, uid(), unit, "news", at + timedelta(hours=1), at + timedelta(hours=1)))
        if i % 5 == 0:
            adopted = at + timedelta(days=1)
            adopts.append((uid(), uid(), item_id, unit, COUNTY, "要情快报", "2025年第1期", "county", adopted, adopted))
        if i % 100 == 0:
            given = at + timedelta(days=2)
            instr.append((uid(), uid(), item_id, unit, "county", given, given))
    await owner.copy_records_to_table("submissions", schema_name="assessment", records=subs, columns=[
        "item_id", "event_id", "unit_id", "kind", "policy", "request_id", "item", "at", "recorded_at"])
    await owner.copy_records_to_table("approvals", schema_name="assessment", records=apps, columns=[
        "item_id", "event_id", "unit_id", "kind", "at", "recorded_at"])
    await owner.copy_records_to_table("adoptions", schema_name="assessment", records=adopts, columns=[
        "adoption_id", "event_id", "item_id", "author_unit_id", "unit_id", "publication", "issue", "level", "at",
        "recorded_at"])
    await owner.copy_records_to_table("instructions", schema_name="assessment", records=instr, columns=[
        "instruction_id", "event_id", "item_id", "author_unit_id", "level", "at", "recorded_at"])


def envelope(kind: str, subject: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    return {"specversion": "1.0", "id": uid(), "source": "/baosong/bench", "type": kind, "subject": subject,
            "time": at.isoformat(), "datacontenttype": "application/json", "partitionkey": subject, "data": data}


def incident(i: int, n: int) -> list[dict[str, Any]]:
    """One incident's events: a report; forwarded on time (75 %), late (20 %) or never (missed, 5 %)."""
    units = unit_ids()
    unit, at, inc = units[1 + i % (UNITS - 1)], spread(i, n), f"inc-{i}"
    late, missed = at + timedelta(hours=2), at + timedelta(hours=10)
    ob = {"obligation": "written_report", "unit_id": unit, "to_unit_id": COUNTY, "late_at": late.isoformat(),
          "missed_at": missed.isoformat()}
    body = report(reporting_unit=unit, occurred_at=at.isoformat(), location={"unit_id": unit, "address": "某路段"})
    events = [envelope("ReportSubmitted", inc, at, {
        "report_id": f"rep-{i}", "incident_id": inc, "received_at": at.isoformat(), "report": body,
        "reportable": True, "grade": "IV", "policy": "county-2h-10h@1", "obligations": [ob]})]

    def forward(when: datetime) -> dict[str, Any]:
        return envelope("ReportForwarded", inc, when, {"report_id": f"rep-{i}", "incident_id": inc,
                                                       "from_unit_id": unit, "to_unit_id": COUNTY})

    def breach(kind: str, deadline: datetime) -> dict[str, Any]:
        return envelope("DeadlineBreached", inc, deadline, {
            "breach_id": f"br-{i}-{kind}", "incident_id": inc, "unit_id": unit, "obligation": "written_report",
            "kind": kind, "deadline_at": deadline.isoformat(), "detected_at": deadline.isoformat(),
            "policy": "county-2h-10h@1"})
    share = i % 20
    if share < 15:
        events.append(forward(at + timedelta(hours=1)))
    elif share < 19:
        events += [breach("late", late), forward(late + timedelta(hours=1))]
    else:
        events += [breach("late", late), breach("missed", missed)]
    return events


def read_model_rows(events: list[dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    """What assessment-incidents records of these events (the bench stands in for the consumer)."""
    rows: dict[str, list[tuple[Any, ...]]] = {"incident_reports": [], "written_duties": [], "incident_forwards": [],
                                              "incident_breaches": []}
    for e in events:
        d, at = e["data"], datetime.fromisoformat(e["time"])
        if e["type"] == "ReportSubmitted":
            [ob] = d["obligations"]
            rows["incident_reports"].append((d["report_id"], e["id"], d["report"]["reporting_unit"], at))
            rows["written_duties"].append((d["incident_id"], ob["unit_id"], e["id"], ob["to_unit_id"],
                                           datetime.fromisoformat(ob["late_at"])))
        elif e["type"] == "ReportForwarded":
            rows["incident_forwards"].append((e["id"], d["incident_id"], d["from_unit_id"], d["to_unit_id"], at))
        else:
            rows["incident_breaches"].append((d["breach_id"], e["id"], d["incident_id"], d["unit_id"], d["kind"],
                                              datetime.fromisoformat(d["deadline_at"])))
    return rows


async def seed_incidents(owner: asyncpg.Connection, archive: EventStore, n: int) -> int:
    stored = 0
    for first in range(0, n, BATCH):
        events = [e for i in range(first, min(n, first + BATCH)) for e in incident(i, n)]
        await archive.append([Incoming(e) for e in events])
        for table, records in read_model_rows(events).items():
            await owner.copy_records_to_table(table, schema_name="assessment", records=records)
        stored += len(events)
    return stored


async def seed_units(owner: asyncpg.Connection, archive: EventStore) -> None:
    units = [{"unit_id": u, "name": f"单位{u[-3:]}", "level": level_of(u), "kind": "general_office",
              "parent_id": None if u == COUNTY else COUNTY} for u in unit_ids()]
    events = [envelope("UnitRegistered", u["unit_id"], YEAR_START - timedelta(days=1), u) for u in units]
    await archive.append([Incoming(e) for e in events])
    await owner.copy_records_to_table("units", schema_name="assessment", columns=[
        "event_id", "unit_id", "name", "level", "kind", "parent_id", "recorded_at"], records=[
        (e["id"], u["unit_id"], u["name"], u["level"], u["kind"], u["parent_id"], YEAR_START - timedelta(days=1))
        for e, u in zip(events, units, strict=True)])


def start(service: str, root: Path, kafka: LocalKafka, pg: LocalPostgres, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BAOSONG_SERVICE_NAME": service, "BAOSONG_PORT": str(port),
           "BAOSONG_KAFKA_BOOTSTRAP": kafka.bootstrap,
           "BAOSONG_KAFKA_CREDENTIALS": str(kafka.credentials_file(service)),
           "BAOSONG_KAFKA_SIGNING_KEY": str(private_key_path(root / "producers", service)),
           "BAOSONG_KAFKA_PRODUCER_KEYS": str(root / "producers"),
           "BAOSONG_PG_DSN": pg.dsn(service_role(service), DATABASE),
           "BAOSONG_JWT_PUBLIC_KEY": str(root / "jwt.pub.pem"), "BAOSONG_LOG_LEVEL": "WARNING",
           "BAOSONG_HEAD_SIGNING_KEY": str(root / "head.pem"), "BAOSONG_HEADS_FILE": str(root / "heads.jsonl")}
    return subprocess.Popen([sys.executable, "-m", f"services.{service}"], cwd=REPO, env=env,
                            stdout=(root / f"{service}.log").open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def healthy(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
            try:
                if (await client.get(f"{url}/healthz", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise TimeoutError(f"{url} not healthy in {timeout_s} s")


def timed(url: str, headers: dict[str, str], runs: int = RUNS) -> tuple[float, float, Any]:
    """Milliseconds of the first call and the median of the others, and the last answer."""
    times, answer = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        got = httpx.get(url, headers=headers, timeout=600)
        times.append((time.perf_counter() - t0) * 1000)
        assert got.status_code == 200, got.text
        answer = got.json()
    return times[0], statistics.median(times[1:]), answer


async def units_projected(owner: asyncpg.Connection) -> None:
    """The archive's unit directory (a projection of the stored UnitRegistered events) is complete."""
    async def complete() -> bool:
        return bool(await owner.fetchval("SELECT count(*) FROM archive.proj_units") >= UNITS)
    await until(complete, "the archive to project the units", timeout_s=300, every_s=0.5)


async def run(n: int, root: Path) -> None:
    pg = LocalPostgres(root / "pg", free_port())
    pg.init()
    pg.start()
    kafka = LocalKafka(root / "kafka", free_port(), free_port())
    kproc = kafka.start()
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        await provision_kafka(kafka, PARTITIONS)
        create_producer_keys(root / "producers")
        await provision(pg.superuser_dsn, pg.passwords(service_roles()))
        create_keypair(root / "jwt.pem", root / "jwt.pub.pem")
        create_keypair(root / "head.pem", root / "head.pub.pem")
        owner = await asyncpg.connect(pg.superuser_dsn.rsplit("/", 1)[0] + f"/{DATABASE}")
        archive_db = Database(pg.dsn(service_role("archive"), DATABASE))
        t0 = time.perf_counter()
        async with archive_db.connected():
            store = EventStore(archive_db)
            await seed_units(owner, store)
            await seed_items(owner, n)
            events = await seed_incidents(owner, store, n)
        await owner.execute("VACUUM ANALYZE")
        print(f"seeded {n:,} items and {n:,} incidents ({events:,} archived events) in "
              f"{time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
        urls = {}
        for service in ("assessment", "archive"):
            port = free_port()
            procs[service], urls[service] = start(service, root, kafka, pg, port), f"http://127.0.0.1:{port}"
        for service, url in urls.items():
            await healthy(url, procs[service])
        await units_projected(owner)
        await owner.close()
        rss_before = {s: rss_mib(p.pid) for s, p in procs.items()}
        token = mint_token((root / "jwt.pem").read_bytes(), subject="bench", unit=None, roles=["admin"])
        headers = {"Authorization": f"Bearer {token}"}
        a, r = urls["assessment"], urls["archive"]
        lines = [f"assessment bench: {n:,} items, {n:,} incidents ({events:,} archived events), {UNITS} units, "
                 f"2025; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", "",
                 "| call | first ms | then ms (median of 5) |", "|---|---:|---:|"]
        for name, path in (("assessment /v1/scores?period=2025-11", "/v1/scores?period=2025-11"),
                           ("assessment /v1/scores?period=2025-Q4", "/v1/scores?period=2025-Q4"),
                           ("assessment /v1/scores?period=2025", "/v1/scores?period=2025"),
                           ("assessment /v1/board?period=2025-11", "/v1/board?period=2025-11")):
            first, then, _ = timed(a + path, headers)
            lines.append(f"| {name} | {first:,.0f} | {then:,.0f} |")
        answers = {}
        for service, url in (("archive", r), ("assessment", a)):
            for name, path in (("stats/units", "/v1/stats/units?period=2025-11"),
                               ("stats/months (6)", "/v1/stats/months?until=2025-11&count=6")):
                first, then, answers[(service, name)] = timed(url + path, headers)
                how = "in-memory fold" if service == "archive" else "SQL over read models"
                lines.append(f"| {service} /v1/{name} ({how}) | {first:,.0f} | {then:,.0f} |")
        async with archive_db.connected():  # one more event: the archive's cached figures are computed again
            await EventStore(archive_db).append([Incoming(e) for e in incident(n, n + 1)[:1]])
        async with httpx.AsyncClient(timeout=600) as client:
            t1 = time.perf_counter()
            assert (await client.get(r + "/v1/stats/units?period=2025-11", headers=headers)).status_code == 200
        lines.append(f"| archive /v1/stats/units after one new event (in-memory fold) | "
                     f"{(time.perf_counter() - t1) * 1000:,.0f} | — |")
        rss_after = {s: rss_mib(p.pid) for s, p in procs.items()}
        same = all(answers[("archive", k)] == answers[("assessment", k)] for k in ("stats/units", "stats/months (6)"))
        lines += ["", "| process | RSS after start MiB | RSS after the calls MiB |", "|---|---:|---:|",
                  *(f"| {s} | {rss_before[s]:,.0f} | {rss_after[s]:,.0f} |" for s in procs), "",
                  f"archive and assessment answer the same /v1/stats/units and /v1/stats/months: {same}"]
        print("\n".join(lines))
        if not same:
            raise SystemExit("the archive's and the assessment's statistics differ")
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=30)
        kproc.send_signal(signal.SIGTERM)
        kproc.wait(timeout=60)
        pg.stop()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    root = Path(tempfile.mkdtemp(prefix="assessment-bench-"))
    os.chmod(root, 0o755)
    try:
        asyncio.run(run(n, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
