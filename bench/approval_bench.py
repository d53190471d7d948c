"""Approval benchmark (a script, not a test): how fast approval takes reports in and signs them off.

Starts a private PostgreSQL cluster, a KRaft broker and one real approval process (as the stack
runs it), then measures, side by side with PostgreSQL's own ceiling for one durable transaction
at a time (the shape of one decision: a transaction, then an acknowledged publish):
  - intake: ReportSubmitted events published to Kafka → rows in the reporting unit's queue, per second;
  - sign-off: sequential POST /decisions (transaction + outbox + publish with acks=all), latency and rate;
  - relay: time until every forward of those decisions is on Kafka (outbox rows stamped sent).

Usage: .venv/bin/python bench/approval_bench.py [N]     (default N = 300)
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from deploy.database import DATABASE, provision, service_role, service_roles  # noqa: E402
from deploy.kafka_local import LocalKafka, provision_kafka  # noqa: E402
from deploy.postgres_local import LocalPostgres  # noqa: E402
from deploy.proc import free_port  # noqa: E402
from shared.auth import create_keypair, mint_token  # noqa: E402
from shared.kafka import KafkaAccess, make_broker, publish  # noqa: E402
from shared.producers import ProducerKeys, Signer, create_producer_keys, private_key_path  # noqa: E402
from shared.topics import PARTITIONS, REPORTS, UNITS  # noqa: E402
from tests.integration.approval.support import Topology, submitted, unit_event  # noqa: E402


async def wait_count(conn: asyncpg.Connection, sql: str, n: int, timeout_s: float = 300) -> float:
    start = time.perf_counter()
    while await conn.fetchval(sql) < n:
        if time.perf_counter() - start > timeout_s:
            raise TimeoutError(sql)
        await asyncio.sleep(0.02)
    return time.perf_counter() - start


def start_approval(root: Path, port: int, kafka: LocalKafka, approval_dsn: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BAOSONG_PORT": str(port), "BAOSONG_KAFKA_BOOTSTRAP": kafka.bootstrap,
           "BAOSONG_KAFKA_CREDENTIALS": str(kafka.credentials_file("approval")),
           "BAOSONG_KAFKA_SIGNING_KEY": str(private_key_path(root / "producers", "approval")),
           "BAOSONG_KAFKA_PRODUCER_KEYS": str(root / "producers"),
           "BAOSONG_PG_DSN": approval_dsn,
           "BAOSONG_JWT_PUBLIC_KEY": str(root / "jwt.pub.pem"), "BAOSONG_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "services.approval"], cwd=REPO, env=env,
                            stdout=(root / "approval.log").open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


async def pg_ceiling(dsn: str, n: int) -> float:
    """Transactions per second PostgreSQL itself commits here, one small insert each."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TEMP TABLE t (id int PRIMARY KEY, body text)")
        start = time.perf_counter()
        for i in range(n):
            async with conn.transaction():
                await conn.execute("INSERT INTO t VALUES ($1, $2)", i, "x" * 200)
        return n / (time.perf_counter() - start)
    finally:
        await conn.close()


async def run(n: int, root: Path) -> None:
    pg = LocalPostgres(root / "pg", free_port())
    pg.init()
    pg.start()
    kafka = LocalKafka(root / "kafka", free_port(), free_port())
    kproc = kafka.start()
    approval: subprocess.Popen[bytes] | None = None
    try:
        await provision_kafka(kafka, PARTITIONS)
        create_producer_keys(root / "producers")
        await provision(pg.superuser_dsn, pg.passwords(service_roles()))
        owner = pg.superuser_dsn.rsplit("/", 1)[0] + f"/{DATABASE}"
        create_keypair(root / "jwt.pem", root / "jwt.pub.pem")
        port = free_port()
        approval = start_approval(root, port, kafka, pg.dsn(service_role("approval"), DATABASE))
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            while True:
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
            # the bench stands in for intake: it publishes units and reports as intake, signed with its key
            broker = make_broker(KafkaAccess(kafka.bootstrap, kafka.credentials("intake"),
                                             Signer.load("intake", private_key_path(root / "producers", "intake")),
                                             ProducerKeys.load(root / "producers")), client_id="bench")
            await broker.start()
            conn = await asyncpg.connect(owner)
            t = Topology.fresh()
            for unit in t.units:
                await publish(broker, UNITS, unit_event(unit))
            await wait_count(conn, "SELECT count(*) FROM approval.units", len(t.units))

            events = [submitted(t.town, grade="IV") for _ in range(n)]
            start = time.perf_counter()
            for e in events:
                await publish(broker, REPORTS, e)
            await wait_count(conn, "SELECT count(*) FROM approval.queue WHERE via = 'submitted'", n)
            intake_rate = n / (time.perf_counter() - start)

            token = mint_token((root / "jwt.pem").read_bytes(), subject="bench", unit=t.town, roles=["approver"])
            headers = {"Authorization": f"Bearer {token}"}
            latencies = []
            start = time.perf_counter()
            for e in events:
                t0 = time.perf_counter()
                r = await client.post(f"/v1/reports/{e.data['report_id']}/decisions", headers=headers,
                                      json={"decision": "approve", "comment": "同意"})
                latencies.append(time.perf_counter() - t0)
                assert r.status_code == 202, r.text
            decide_rate = n / (time.perf_counter() - start)
            relay_s = await wait_count(conn, "SELECT count(*) FROM approval.outbox WHERE sent_at IS NOT NULL", 3 * n)
            await conn.close()
            await broker.stop()
        ceiling = await pg_ceiling(owner, n)
        q = statistics.quantiles(latencies, n=20)
        print(f"approval, N={n} reports, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        print(f"  intake   ReportSubmitted → queue            {intake_rate:8.0f} reports/s")
        print(f"  sign-off POST /decisions (sequential)       {decide_rate:8.0f} decisions/s"
              f"   p50 {statistics.median(latencies) * 1000:.1f} ms  p95 {q[18] * 1000:.1f} ms")
        print(f"  relay    outbox left unsent after the last answer drained in {relay_s * 1000:.0f} ms")
        print(f"  peer     PostgreSQL, one durable transaction at a time {ceiling:8.0f} tx/s")
    finally:
        if approval is not None and approval.poll() is None:
            os.killpg(approval.pid, signal.SIGTERM)
            approval.wait(timeout=30)
        kproc.send_signal(signal.SIGTERM)
        kproc.wait(timeout=60)
        pg.stop()


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory(prefix="approval-bench-") as tmp:
        os.chmod(tmp, 0o755)
        asyncio.run(run(size, Path(tmp)))
