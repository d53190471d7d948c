"""Kafka benchmark (a script, not a test): how fast the project's producer path puts events on the broker,
beside Kafka's own ceiling, Apache Kafka's ProducerPerformance tool, on one private KRaft broker started here
(SASL/SCRAM, as ``./baosong up`` runs it).

- Kafka's ceiling: ``org.apache.kafka.tools.ProducerPerformance`` from the kafka-tools jar (fetched once with
  mvn into ``~/.cache/baosong``, deploy/kafka/tools-pom.xml), acks=all, idempotent, records of our events'
  mean size, into a topic with as many partitions as ``baosong.reports``.
- Ours, pipelined: ``shared.kafka.publish_all`` in batches of 1000 (each record signed with intake's key, keyed
  by incident) into ``baosong.reports``.
- Ours, one at a time: ``shared.kafka.publish`` awaiting each acknowledgement, as intake does before it answers
  a report with 202.

Usage: ./baosong bench kafka [N]     (default: 100000; installs the `bench` extra if needed)
   or: .venv/bin/python -m bench.kafka_bench [N]
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from deploy.kafka_local import ADMIN, LocalKafka, create_topics, ensure_tools_jars
from deploy.proc import free_port
from shared.envelope import Envelope
from shared.kafka import SASL_MECHANISM, SECURITY_PROTOCOL, KafkaAccess, make_broker, publish, publish_all
from shared.producers import ProducerKeys, Signer
from shared.topics import PARTITIONS, REPORTS
from tests.support.archive_events import Story

CEILING_TOPIC = "bench.ceiling"
BATCH = 1000
ONE_AT_A_TIME = 1000  # records published awaiting each acknowledgement
#: ProducerPerformance's summary: "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, …"
SUMMARY = re.compile(r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency")


def events(n: int) -> list[Envelope]:
    """n ReportSubmitted events (intake's), each of its own incident."""
    out: list[Envelope] = []
    while len(out) < n:
        out.append(Envelope.model_validate(Story().submitted()))
    return out


def producer_config(kafka: LocalKafka, folder: Path) -> Path:
    admin = kafka.credentials(ADMIN)
    path = folder / "producer.properties"
    path.touch(mode=0o600)
    path.write_text(
        f"security.protocol={SECURITY_PROTOCOL}\nsasl.mechanism={SASL_MECHANISM}\n"
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{admin.username}" password="{admin.password}";\n'
        "acks=all\nenable.idempotence=true\n")
    return path


def kafka_ceiling(kafka: LocalKafka, folder: Path, n: int, record_size: int) -> dict[str, float]:
    done = subprocess.run(
        ["java", "-Xmx512m", "-cp", f"{ensure_tools_jars()}/*", "org.apache.kafka.tools.ProducerPerformance",
         "--topic", CEILING_TOPIC, "--num-records", str(n), "--record-size", str(record_size), "--throughput", "-1",
         "--producer-props", f"bootstrap.servers={kafka.bootstrap}",
         "--producer.config", str(producer_config(kafka, folder))],
        capture_output=True, text=True, check=True, timeout=1800)
    found = SUMMARY.findall(done.stdout)
    if not found:
        raise RuntimeError(f"no summary from ProducerPerformance: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    sent, per_s, mb_s, avg_ms = found[-1]
    return {"records": float(sent), "per_s": float(per_s), "mb_s": float(mb_s), "avg_ms": float(avg_ms)}


async def ours(kafka: LocalKafka, n: int) -> dict[str, dict[str, float]]:
    key = Ed25519PrivateKey.generate()
    # logged in as the super user, like the peer: the same broker work per record, and no wait for new ACLs
    access = KafkaAccess(kafka.bootstrap, kafka.credentials(ADMIN), Signer("intake", key),
                         ProducerKeys({"intake": key.public_key()}))
    broker = make_broker(access, client_id="bench")
    await broker.start()
    try:
        work = events(n)
        size = statistics.fmean(len(e.to_bytes()) for e in work)
        t = time.perf_counter()
        for offset in range(0, n, BATCH):
            await publish_all(broker, [(REPORTS, e) for e in work[offset:offset + BATCH]])
        spent = time.perf_counter() - t
        pipelined = {"records": float(n), "per_s": n / spent, "mb_s": n * size / spent / 2**20,
                     "avg_ms": float("nan")}
        latencies = []
        for e in work[:ONE_AT_A_TIME]:
            t = time.perf_counter()
            await publish(broker, REPORTS, e)
            latencies.append(time.perf_counter() - t)
        k = len(latencies)
        single = {"records": float(k), "per_s": k / sum(latencies), "mb_s": k * size / sum(latencies) / 2**20,
                  "avg_ms": statistics.fmean(latencies) * 1000}
    finally:
        await broker.stop()
    return {"size": {"bytes": size}, "pipelined": pipelined, "single": single}


async def main(n: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="kafka-bench-"))
    ensure_tools_jars()
    kafka = LocalKafka(root / "kafka", free_port(), free_port())
    proc = kafka.start()
    try:
        await create_topics(kafka.bootstrap, kafka.credentials(ADMIN),
                            {REPORTS: PARTITIONS[REPORTS], CEILING_TOPIC: PARTITIONS[REPORTS]})
        mine = await ours(kafka, n)  # ours first: any warm-up of the fresh broker is ours to pay
        size = round(mine["size"]["bytes"])
        print(f"  ours: {json.dumps(mine)}", file=sys.stderr, flush=True)
        ceiling = await asyncio.to_thread(kafka_ceiling, kafka, root, n, size)
        print(f"  Kafka ProducerPerformance: {json.dumps(ceiling)}", file=sys.stderr, flush=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        shutil.rmtree(root, ignore_errors=True)
    print()
    print(f"| producer ({PARTITIONS[REPORTS]} partitions, acks=all, SASL/SCRAM, {size} B records) | records"
          " | records/s | MB/s | avg latency ms | ÷ Kafka's ceiling |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = (("Kafka ProducerPerformance (the ceiling)", ceiling),
            (f"ours, publish_all in batches of {BATCH} (signed)", mine["pipelined"]),
            ("ours, publish one at a time awaiting the ack (as a 202)", mine["single"]))
    for label, row in rows:
        latency = "–" if math.isnan(row["avg_ms"]) else f"{row['avg_ms']:.1f}"
        print(f"| {label} | {row['records']:,.0f} | {row['per_s']:,.0f} | {row['mb_s']:.2f} | {latency}"
              f" | {row['per_s'] / ceiling['per_s']:.2f} |")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
