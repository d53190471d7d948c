"""Benchmark of escalation's due-deadline loop (not a test): N open deadlines due over a few minutes.

Starts a private PostgreSQL and Kafka broker (like the test suite), one escalation process, inserts N
open `late` clocks due evenly over SPREAD seconds, and consumes the BREACHES topic: the lag between
each deadline and its breach as consumed from Kafka (p50, p99, max), the service's peak RSS, lost and
doubled breach ids. Then the same again with the service SIGKILLed halfway and restarted at once.

    .venv/bin/python -m bench.escalation_bench [--n 100000] [--spread 120] [--lead 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer

from shared.topics import BREACHES
from tests.conftest import Infra, _local_processes, prepare  # the suite's private broker and database
from tests.integration.escalation.support import Escalation

COLUMNS = ["clock_id", "incident_id", "unit_id", "to_unit_id", "obligation", "kind", "clock_start",
           "deadline_at", "due_at", "policy", "opened_by"]


class Collector(threading.Thread):
    """Consumes BREACHES in its own thread and loop: breach id → (deadline, consumed at), and repeats."""

    def __init__(self, infra: Infra):
        super().__init__(daemon=True)
        self.infra, self.seen, self.repeats = infra, {}, Counter()  # type: ignore[var-annotated]
        self.stop_flag, self.ready = threading.Event(), threading.Event()

    def run(self) -> None:
        asyncio.run(self._consume())

    async def _consume(self) -> None:
        consumer = AIOKafkaConsumer(BREACHES, bootstrap_servers=self.infra.kafka_bootstrap,
                                    **self.infra.kafka_options(), group_id=f"bench-{uuid.uuid4()}",
                                    auto_offset_reset="latest", enable_auto_commit=False, fetch_max_wait_ms=50)
        await consumer.start()
        await consumer.seek_to_end()
        self.ready.set()
        try:
            while not self.stop_flag.is_set():
                for records in (await consumer.getmany(timeout_ms=100, max_records=5000)).values():
                    at = datetime.now(UTC)
                    for r in records:
                        e = json.loads(r.value)
                        if e["id"] in self.seen:
                            self.repeats[e["id"]] += 1
                        else:
                            self.seen[e["id"]] = (datetime.fromisoformat(e["data"]["deadline_at"]), at)
        finally:
            await consumer.stop()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def insert_clocks(dsn: str, n: int, first_due: datetime, spread_s: float, tag: str) -> set[str]:
    step = timedelta(seconds=spread_s / n)
    rows = []
    for i in range(n):
        due = first_due + step * i
        rows.append((str(uuid.uuid4()), f"{tag}-{i}", "bench-town", "bench-county", "written_report", "late",
                     due - timedelta(hours=2), due, due, "county-2h-10h@1", "bench"))
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table("clocks", schema_name="escalation", records=rows, columns=COLUMNS)
    finally:
        await conn.close()
    return {r[0] for r in rows}


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 1000) - 1] if len(values) > 1 else values[0]


async def run(infra: Infra, logs: Path, *, n: int, spread: float, lead: float, kill: bool) -> dict[str, float]:
    service = Escalation(infra, logs)
    try:
        return await _measure(infra, service, n=n, spread=spread, lead=lead, kill=kill)
    finally:
        service.stop()


async def _measure(infra: Infra, service: Escalation, *, n: int, spread: float, lead: float,
                   kill: bool) -> dict[str, float]:
    await asyncio.to_thread(service.start)
    collector = Collector(infra)
    collector.start()
    collector.ready.wait(30)
    first_due = datetime.now(UTC) + timedelta(seconds=lead)
    expected = await insert_clocks(infra.owner_dsn, n, first_due, spread, f"bench-{uuid.uuid4()}")
    peak, killed_at, restarted_in = 0.0, None, 0.0
    end = first_due + timedelta(seconds=spread)
    while len(expected & collector.seen.keys()) < n and datetime.now(UTC) < end + timedelta(seconds=120):
        assert service.proc is not None
        if kill and killed_at is None and datetime.now(UTC) >= first_due + timedelta(seconds=spread / 2):
            killed_at = time.monotonic()
            service.kill()
            await asyncio.to_thread(service.start)
            restarted_in = time.monotonic() - killed_at
        peak = max(peak, rss_mib(service.proc.pid))
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)  # late repeats, if any
    collector.stop_flag.set()
    collector.join(10)
    lags = [(consumed - deadline).total_seconds() for bid, (deadline, consumed) in collector.seen.items()
            if bid in expected]
    got = expected & collector.seen.keys()
    return {"deadlines": n, "breaches": len(got), "lost": n - len(got),
            "doubled_ids": len(collector.seen.keys() - expected), "republished": sum(collector.repeats.values()),
            "p50_s": pct(lags, 0.5), "p99_s": pct(lags, 0.99), "max_s": max(lags), "peak_rss_mib": peak,
            "restart_s": restarted_in}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--spread", type=float, default=120.0, help="seconds over which the deadlines fall due")
    parser.add_argument("--lead", type=float, default=20.0, help="seconds before the first deadline")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="baosong-bench-"))
    os.chmod(root, 0o755)
    try:
        with _local_processes(root) as (kafka, superuser):
            infra = prepare(kafka, superuser, root)
            results = {}
            for label, kill in (("steady", False), ("SIGKILL halfway", True)):
                results[label] = asyncio.run(run(infra, root / "logs", n=args.n, spread=args.spread,
                                                 lead=args.lead, kill=kill))
                print(label, json.dumps(results[label]), flush=True)
            print(f"\n{'':16}" + "".join(f"{k:>14}" for k in results["steady"]))
            for label, r in results.items():
                print(f"{label:16}" + "".join(f"{v:>14.3f}" if isinstance(v, float) else f"{v:>14}"
                                              for v in r.values()))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
