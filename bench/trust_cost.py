"""What SASL/SCRAM and record signing cost (a script, not a test), as same-run ratios.

Two brokers run side by side on one PostgreSQL cluster: the stack's own (SASL/SCRAM on every listener,
ACLs) and a bench-only one with PLAINTEXT listeners (``bench/plaintext_kafka.py``). Three variants:

- **SASL + signing** — as ``./baosong up`` runs: each service logs in as itself, signs every record it
  publishes, and checks each consumed record's producer signature;
- **PLAINTEXT + signing** — the same services, signing and checking, logged in as nobody: the difference
  to the first is SASL's cost;
- **PLAINTEXT, unsigned** — nothing signed, nothing checked (``bench/unchecked_service.py``, bench only):
  the difference to the second is the signatures' cost.

Measured in interleaved rounds (the order rotating each round), medians of ``ROUNDS``:

- **intake's accept rate**: POST /v1/reports over HTTP at concurrency 8 (as ``bench/intake_submit.py``);
  each 202 waits for Kafka's acknowledgement (acks=all) of the signed (or unsigned) ReportSubmitted;
- **the archive's append rate from Kafka**: a backlog of events (a story of four per incident, each signed
  by the service that makes its type, or unsigned) published while the archive is stopped, then the
  archive started: events consumed, checked and appended to the chain per second, from the first stored
  to the last.

Usage: .venv/bin/python -m bench.trust_cost [REPORTS] [EVENTS] [ROUNDS]   (default: 200 3000 3)
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
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from bench.intake_submit import measure
from bench.plaintext_kafka import PlaintextKafka, create_topics
from deploy.kafka_local import LocalKafka
from deploy.postgres_local import LocalPostgres
from deploy.proc import free_port
from shared.producers import PRODUCER_OF, SERVICES, Signer, private_key_path
from shared.topics import PARTITIONS, REPORTS
from tests.conftest import Infra, prepare
from tests.support.archive_events import Story
from tests.support.reports import report
from tests.support.services import stop, wait_healthy
from tests.support.units import register_units

REPO = Path(__file__).resolve().parent.parent
CONCURRENCY = 8
MIN_EVENTS = 2000
SECURED, SIGNED_ONLY, OPEN = "SASL + signing", "PLAINTEXT + signing", "PLAINTEXT, unsigned"


@dataclass(frozen=True)
class Variant:
    """How the services reach Kafka (as themselves over SASL, or as nobody), whether they sign what they
    publish and check what they consume, and so which module runs them."""

    name: str
    bootstrap: str
    sasl: bool
    signing: bool

    def kafka_env(self, infra: Infra, service: str) -> dict[str, str]:
        full = infra.kafka_env(service)
        keep = {"BAOSONG_KAFKA_CREDENTIALS"} if self.sasl else set()
        keep |= {"BAOSONG_KAFKA_SIGNING_KEY", "BAOSONG_KAFKA_PRODUCER_KEYS"} if self.signing else set()
        return {"BAOSONG_KAFKA_BOOTSTRAP": self.bootstrap, **{k: v for k, v in full.items() if k in keep}}

    def command(self, service: str) -> list[str]:
        if self.signing:
            return [sys.executable, "-m", f"services.{service}"]
        return [sys.executable, "-m", "bench.unchecked_service", service]


@dataclass(frozen=True)
class Running:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path


@contextmanager
def brokers(root: Path) -> Iterator[tuple[LocalKafka, PlaintextKafka]]:
    """The stack's SASL broker and the bench's PLAINTEXT one, each on free ports under ``root``."""
    secured = LocalKafka(root / "kafka-sasl", free_port(), free_port())
    plain = PlaintextKafka(root / "kafka-plain", free_port(), free_port())
    procs = []
    try:
        procs.append(secured.start())
        procs.append(plain.start())
        yield secured, plain
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def service(infra: Infra, variant: Variant, name: str, logs: Path) -> Iterator[Running]:
    """Start one service of ``variant``; yields it as soon as it runs (not yet healthy)."""
    port = free_port()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("BAOSONG_")}  # no stack's settings
    env = {**inherited, "BAOSONG_SERVICE_NAME": name, "BAOSONG_PORT": str(port),
           **variant.kafka_env(infra, name), "BAOSONG_PG_DSN": infra.service_dsn(name),
           "BAOSONG_JWT_PUBLIC_KEY": str(infra.public_key), "BAOSONG_HEAD_SIGNING_KEY": str(infra.head_signing_key),
           "BAOSONG_HEADS_FILE": str(logs / f"heads-{port}.jsonl"),
           "BAOSONG_RECEIPT_SIGNING_KEY": str(infra.receipt_signing_key), "BAOSONG_LOG_LEVEL": "WARNING"}
    log = logs / f"{name}-{port}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(variant.command(name), cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        yield Running(f"http://127.0.0.1:{port}", proc, log)
    finally:
        stop(proc)


def backlog(infra: Infra, events: int, signed: bool) -> list[tuple[bytes, bytes, list[tuple[str, bytes]]]]:
    """(key, value, headers) of ``events`` events, four per incident, signed as their producers would."""
    signers = {name: Signer.load(name, private_key_path(infra.producer_keys, name)) for name in SERVICES}
    out: list[tuple[bytes, bytes, list[tuple[str, bytes]]]] = []
    i = 0
    while len(out) < events:
        story = Story(unit_id=f"town-{i % 50}")
        for event in (story.submitted(), story.approved(), story.forwarded(), story.acknowledged()):
            value = json.dumps(event, ensure_ascii=False).encode()
            headers = ([(k, v.encode()) for k, v in signers[PRODUCER_OF[event["type"]]].headers(value).items()]
                       if signed else [])
            out.append((event["subject"].encode(), value, headers))
        i += 1
    return out[:events]


async def publish(variant: Variant, infra: Infra, records: list[tuple[bytes, bytes, list[tuple[str, bytes]]]]) -> None:
    options = infra.kafka_options() if variant.sasl else {}
    producer = AIOKafkaProducer(bootstrap_servers=variant.bootstrap, acks="all", linger_ms=5, **options)
    await producer.start()
    try:
        pending = [await producer.send(REPORTS, value, key=key, headers=headers) for key, value, headers in records]
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def stored(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT coalesce((SELECT position FROM archive.head), 0)"))


async def until_stored(conn: asyncpg.Connection, archive: Running, at_least: int, timeout_s: float = 300) -> int:
    """Poll the chain's head (every 10 ms) until it reaches ``at_least``; the position then."""
    deadline = time.monotonic() + timeout_s
    while True:
        position = await stored(conn)
        if position >= at_least:
            return position
        if archive.proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the archive stored {position} of {at_least} (exit {archive.proc.poll()}): "
                               f"{archive.log}")
        await asyncio.sleep(0.01)


async def archive_rate(infra: Infra, variant: Variant, events: int, logs: Path) -> float:
    """Publish a backlog, start the archive, time it from the first event stored to the last; events/s."""
    await publish(variant, infra, backlog(infra, events, signed=variant.signing))
    conn = await asyncpg.connect(infra.owner_dsn)
    try:
        before = await stored(conn)
        with service(infra, variant, "archive", logs) as archive:
            first = await until_stored(conn, archive, before + 1)
            started = time.perf_counter()
            now = await until_stored(conn, archive, before + events)
            elapsed = time.perf_counter() - started
        assert now == before + events, f"{now - before} events stored, {events} published"
        refused = await conn.fetchval("SELECT count(*) FROM archive.events WHERE type = 'ArchiveMessageUnreadable'")
        assert refused == 0, f"{refused} events stored as unreadable or refused: the rates would not compare"
        return (before + events - first) / elapsed
    finally:
        await conn.close()


async def intake_rate(client: httpx.AsyncClient, reports: int) -> float:
    async def submit() -> int:
        answer = await client.post("/v1/reports", json=report(), headers={"Idempotency-Key": str(uuid.uuid4())})
        return answer.status_code

    _, rate = await measure(reports, CONCURRENCY, submit)
    return rate


def interleaved(rounds: int, variants: tuple[Variant, ...]) -> Iterator[Variant]:
    """Each round every variant, the order rotating, so a drift of the machine favours none."""
    for r in range(rounds):
        k = r % len(variants)
        yield from variants[k:] + variants[:k]


def summary(what: str, rates: dict[str, list[float]]) -> list[str]:
    """One line per variant (median and rounds), then the ratios: with / without."""
    median = {name: statistics.median(got) for name, got in rates.items()}
    lines = [f"{what}"]
    lines += [f"  {name:<22} {median[name]:8.1f} /s   (rounds {', '.join(f'{r:.0f}' for r in got)})"
              for name, got in rates.items()]
    lines += [f"  ratio {a} / {b}: {median[a] / median[b]:.3f}"
              for a, b in ((SECURED, OPEN), (SECURED, SIGNED_ONLY), (SIGNED_ONLY, OPEN))]
    return lines


async def run(infra: Infra, variants: tuple[Variant, ...], reports: int, events: int, rounds: int,
              logs: Path) -> None:
    appended: dict[str, list[float]] = {v.name: [] for v in variants}
    for variant in interleaved(rounds, variants):
        appended[variant.name].append(await archive_rate(infra, variant, events, logs))
        print(f"  archive {variant.name}: {appended[variant.name][-1]:.0f} events/s", flush=True)

    accepted: dict[str, list[float]] = {v.name: [] for v in variants}
    token = infra.token(unit="town-a-office", role="reporter")
    async with AsyncExitStack() as stack:
        clients = {}
        for variant in variants:
            intake = stack.enter_context(service(infra, variant, "intake", logs))
            await asyncio.to_thread(wait_healthy, intake.url, intake.proc, intake.log)
            await asyncio.to_thread(register_units, intake.url, infra.token(unit=None, role="admin"))
            clients[variant.name] = await stack.enter_async_context(
                httpx.AsyncClient(base_url=intake.url, headers={"Authorization": f"Bearer {token}"}, timeout=30))
        for variant in variants:  # warm-up: connections, caches
            await intake_rate(clients[variant.name], 20)
        for variant in interleaved(rounds, variants):
            accepted[variant.name].append(await intake_rate(clients[variant.name], reports))
            print(f"  intake {variant.name}: {accepted[variant.name][-1]:.0f} reports/s", flush=True)

    print(f"\n{rounds} interleaved rounds, medians")
    print("\n".join(summary(f"intake accept ({reports} reports, concurrency {CONCURRENCY})", accepted)))
    print("\n".join(summary(f"archive append from Kafka ({events} events)", appended)))


def main(reports: int, events: int, rounds: int) -> None:
    if events < MIN_EVENTS:  # timed from the first batch stored to the last: it needs several batches
        raise SystemExit(f"EVENTS must be at least {MIN_EVENTS} (the archive appends up to 500 per batch)")
    root = Path(tempfile.mkdtemp(prefix="baosong-trust-cost-"))
    root.chmod(0o755)  # PostgreSQL's account must reach its folder
    logs = root / "logs"
    logs.mkdir()
    pg = LocalPostgres(root / "postgres", free_port())
    pg.init()
    pg.start()
    try:
        with brokers(root) as (secured, plain):
            infra = prepare(secured, pg.superuser_dsn, root)
            asyncio.run(create_topics(plain.bootstrap, PARTITIONS))
            variants = (Variant(SECURED, secured.bootstrap, sasl=True, signing=True),
                        Variant(SIGNED_ONLY, plain.bootstrap, sasl=False, signing=True),
                        Variant(OPEN, plain.bootstrap, sasl=False, signing=False))
            asyncio.run(run(infra, variants, reports, events, rounds, logs))
    finally:
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [200, 3000, 3][len(args):]))
