"""The whole path (a script, not a test): N concurrent clients post reports to a whole stack for a fixed time.

It starts its own stack (``./baosong up --detach`` in a temporary data home, on free ports, as a user would),
then, in one run, side by side:

- ``GET /healthz`` on intake with the same clients for the same time (the service's own ceiling, no work);
- ``POST /v1/reports`` (each a new incident of the demo tree's town-a-office): accepted/s, p50/p99 latency;
- how long each accepted report took to reach the archive (its ReportSubmitted's ``recorded_at`` minus the
  202's ``received_at``), and every consumer group's lag at the end of the load;
- CPU milliseconds per accepted report by process (intake, approval, escalation, archive, assessment, Kafka,
  PostgreSQL), from /proc;
- Kafka's own ceiling on the same broker: Apache Kafka's ProducerPerformance (acks=all, 1 KB records).

Usage: ./baosong bench whole [CLIENTS] [SECONDS]   (default 32 clients, 20 s)
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from bench.kafka_bench import CEILING_TOPIC, kafka_ceiling
from deploy.database import DATABASE, SERVICES
from deploy.kafka_local import ADMIN, create_topics
from deploy.postgres_local import SUPERUSER
from deploy.proc import free_port
from deploy.stack import DEFAULT_PORTS, StackConfig
from shared.auth import mint_token
from tests.support.reports import report

REPO = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Load:
    latencies_ms: list[float] = field(default_factory=list)
    accepted: dict[str, datetime] = field(default_factory=dict)  # report id → received_at
    refused: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


def cpu_ticks(pid: int) -> int:
    """User + system time of a process and its reaped children, in clock ticks (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return sum(int(f) for f in fields[11:15])


def postgres_pids(data_dir: Path) -> list[int]:
    """The postmaster and every backend it forked."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == postmaster:
            pids.append(int(stat.parent.name))
    return pids


def sample(cfg: StackConfig, pids: dict[str, int]) -> dict[str, int]:
    ticks = {name: cpu_ticks(pid) for name, pid in pids.items()}
    ticks["postgres"] = sum(cpu_ticks(p) for p in postgres_pids(cfg.postgres.data_dir))
    return ticks


async def drive(url: str, clients: int, seconds: float, call: str, token: str) -> Load:
    load = Load()
    stop_at = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30, limits=limits) as client:
        async def one_client() -> None:
            while time.perf_counter() < stop_at:
                t = time.perf_counter()
                if call == "healthz":
                    r = await client.get("/healthz")
                else:
                    r = await client.post("/v1/reports", json=report(title=f"压测 {uuid.uuid4().hex[:6]}"),
                                          headers={"Idempotency-Key": str(uuid.uuid4())})
                spent = (time.perf_counter() - t) * 1000
                if r.status_code in (200, 202):
                    load.latencies_ms.append(spent)
                    if call != "healthz":
                        answer = r.json()
                        load.accepted[answer["report_id"]] = datetime.fromisoformat(answer["received_at"])
                else:
                    load.refused += 1
        t0 = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        load.seconds = time.perf_counter() - t0
    return load


async def lags(cfg: StackConfig) -> dict[str, int]:
    """Each consumer group's total lag (records behind the end of the topics it reads)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=cfg.kafka.bootstrap, **cfg.kafka.credentials(ADMIN).client_options())
    await admin.start()
    try:
        groups = sorted(g for g, _ in await admin.list_consumer_groups() if g.startswith("baosong-"))
        behind: dict[str, int] = {}
        consumer = AIOKafkaConsumer(bootstrap_servers=cfg.kafka.bootstrap,
                                    **cfg.kafka.credentials(ADMIN).client_options())
        await consumer.start()
        try:
            for group in groups:
                offsets: dict[TopicPartition, object] = await admin.list_consumer_group_offsets(group)
                if not offsets:
                    continue
                ends = await consumer.end_offsets(list(offsets))
                behind[group] = sum(max(0, ends[tp] - meta.offset) for tp, meta in offsets.items())  # type: ignore[attr-defined]
        finally:
            await consumer.stop()
        return behind
    finally:
        await admin.close()


async def archived_after(cfg: StackConfig, accepted: dict[str, datetime], wait_s: float = 120) -> list[float]:
    """Seconds from each report's 202 to its ReportSubmitted in the archive (waiting up to ``wait_s``)."""
    conn = await asyncpg.connect(cfg.postgres.dsn(SUPERUSER, DATABASE))
    try:
        deadline = time.monotonic() + wait_s
        rows: list[asyncpg.Record] = []
        while time.monotonic() < deadline:
            rows = await conn.fetch(
                "SELECT body::jsonb -> 'data' ->> 'report_id' AS report_id, recorded_at FROM archive.events"
                " WHERE type = 'ReportSubmitted' AND body::jsonb -> 'data' ->> 'report_id' = ANY($1::text[])",
                list(accepted))
            if len(rows) == len(accepted):
                break
            await asyncio.sleep(1)
        return sorted((r["recorded_at"] - accepted[r["report_id"]]).total_seconds() for r in rows)
    finally:
        await conn.close()


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


def baosong(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(REPO / "baosong"), *args], cwd=REPO, env=env, check=True, stdout=sys.stderr)


async def measure(cfg: StackConfig, clients: int, seconds: float) -> None:
    token = mint_token(cfg.private_key.read_bytes(), subject="bench", unit="town-a-office", roles=["reporter"],
                       ttl_s=3600)
    pids = {name: pid for name, pid in json.loads(cfg.run_file.read_text())["pids"].items()}
    url = cfg.url("intake")
    await drive(url, clients, 3, "report", token)  # warm-up
    health = await drive(url, clients, seconds, "healthz", token)
    before = sample(cfg, pids)
    reports = await drive(url, clients, seconds, "report", token)
    after = sample(cfg, pids)
    behind = await lags(cfg)
    to_archive = await archived_after(cfg, reports.accepted)
    accepted = max(len(reports.latencies_ms), 1)
    cpu_ms = {name: (after[name] - before[name]) * 1000 / TICKS / accepted for name in after}
    await create_topics(cfg.kafka.bootstrap, cfg.kafka.credentials(ADMIN), {CEILING_TOPIC: 6})
    with tempfile.TemporaryDirectory() as folder:
        ceiling = kafka_ceiling(cfg.kafka, Path(folder), 200_000, 1024)

    print(f"\n{clients} clients, {seconds:.0f} s each, one machine ({os.cpu_count()} cores)\n")
    print("| path | per second | p50 ms | p99 ms | refused |")
    print("|---|---|---|---|---|")
    for name, load in (("GET /healthz (intake's ceiling)", health), ("POST /v1/reports (accepted)", reports)):
        print(f"| {name} | {load.rate:,.0f} | {pct(load.latencies_ms, 50):.1f} | {pct(load.latencies_ms, 99):.1f}"
              f" | {load.refused} |")
    print(f"| Kafka ProducerPerformance, 1 KB, acks=all | {ceiling['per_s']:,.0f} | — | — | — |")
    print(f"\nPOST / healthz rate: {reports.rate / max(health.rate, 1e-9):.2f}")
    if to_archive:
        print(f"202 → archived: p50 {pct(to_archive, 50):.2f} s, p99 {pct(to_archive, 99):.2f} s,"
              f" max {to_archive[-1]:.2f} s ({len(to_archive)} of {len(reports.accepted)} archived)")
    print("\n| process | CPU ms per accepted report |\n|---|---|")
    for name, ms in sorted(cpu_ms.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {ms:.2f} |")
    print(f"| **total** | **{sum(cpu_ms.values()):.2f}** |")
    print("\n| consumer group | lag at the end of the load |\n|---|---|")
    for group, n in behind.items():
        print(f"| {group} | {n} |")


def main(clients: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory(prefix="baosong-whole-") as home:
        Path(home).chmod(0o711)  # PostgreSQL's account (as root) must reach its cluster inside
        env = {**os.environ, "BAOSONG_HOME": home}
        env.update({f"BAOSONG_{name.upper()}_PORT": str(free_port()) for name in DEFAULT_PORTS})
        env.pop("BAOSONG_DEMO", None)
        cfg = StackConfig.from_env(env)
        print(f"starting a stack in {home} ({', '.join(SERVICES)}) …", file=sys.stderr, flush=True)
        baosong(env, "up", "--detach")
        try:
            asyncio.run(measure(cfg, clients, seconds))
        finally:
            baosong(env, "down")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 32, float(args[1]) if len(args) > 1 else 20.0)
