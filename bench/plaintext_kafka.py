"""BENCH ONLY: the same KRaft broker as ``deploy.kafka_local.LocalKafka`` with its security taken out —
PLAINTEXT listeners, no SASL users, no authorizer — to measure what SASL costs (``bench/trust_cost.py``).

Nothing outside ``bench/`` imports this, and ``bench`` is not an installed package: ``./baosong up``
cannot start such a broker. The configuration is derived from the production one by dropping its
security lines, so both brokers differ in nothing else.
"""

from __future__ import annotations

import base64
import uuid
from pathlib import Path
from typing import Final

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from deploy.kafka_local import LOG4J2, SERVER_PROPERTIES, LocalKafka, ensure_jars
from deploy.proc import run_checked

#: The production properties' security settings (each may continue on lines ending in a backslash).
SECURITY_KEYS: Final = ("sasl.", "listener.name.", "authorizer.", "allow.everyone.", "super.users")


def without_security(properties: str) -> str:
    """``properties`` with every security setting dropped and every listener PLAINTEXT."""
    kept, continued = [], False
    for line in properties.splitlines():
        dropped = continued or line.startswith(SECURITY_KEYS)
        continued = dropped and line.endswith("\\")
        if not dropped:
            kept.append(line.replace("SASL_PLAINTEXT", "PLAINTEXT"))
    return "\n".join(kept) + "\n"


class PlaintextKafka(LocalKafka):
    """A broker anyone on the host can read and write: for the benchmark's comparison only."""

    def prepare(self) -> Path:
        jars = ensure_jars()
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        data, props = self.home / "data", self.home / "server.properties"
        props.write_text(without_security(SERVER_PROPERTIES).format(
            port=self.port, controller_port=self.controller_port, log_dirs=data))
        (self.home / "log4j2.properties").write_text(LOG4J2.format(log_file=self.log_file))
        if not (data / "meta.properties").exists():
            cluster_id = "B" + base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()[1:]
            run_checked(["java", "-cp", f"{jars}/*", "kafka.tools.StorageTool", "format", "--standalone",
                         "-t", cluster_id, "-c", str(props), "--ignore-formatted"],
                        what="formatting the benchmark's PLAINTEXT Kafka storage")
        return props


async def create_topics(bootstrap: str, partitions: dict[str, int]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, n, 1) for name, n in partitions.items()])
    finally:
        await admin.close()
