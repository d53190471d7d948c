"""A real single-node Apache Kafka broker (KRaft) run from Maven Central jars, no Docker."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from deploy.proc import SetupError, require_binary, run_checked, wait_for_port

POM = Path(__file__).parent / "kafka" / "pom.xml"

SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={log_dirs}
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=-1
"""

LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {log_file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka.server.KafkaServer
logger.kafka.level = INFO
logger.broker.name = kafka.server.BrokerServer
logger.broker.level = INFO
"""


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "baosong"


def ensure_jars(progress: bool = True) -> Path:
    """The broker's classpath, fetched once with mvn into a cache outside the repository."""
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()[:12]
    target = cache_dir() / f"kafka-{digest}"
    if (target / ".complete").exists():
        return target
    require_binary("java", "openjdk-17-jre-headless")
    require_binary("mvn", "maven")
    if progress:
        print(f"fetching the Kafka broker from Maven Central into {target} (once) …", flush=True)
    target.mkdir(parents=True, exist_ok=True)
    run_checked(
        ["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
         "-DincludeScope=runtime", f"-DoutputDirectory={target}"],
        what="mvn dependency:copy-dependencies (Kafka jars)",
    )
    (target / ".complete").write_text(digest)
    return target


@dataclass(frozen=True)
class LocalKafka:
    """One KRaft node; ``home`` holds its properties, its data and its logs."""

    home: Path
    port: int
    controller_port: int

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "server.log"

    def prepare(self) -> Path:
        """Write the configuration and format the storage (once); returns the properties file."""
        jars = ensure_jars()
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        data = self.home / "data"
        props = self.home / "server.properties"
        props.write_text(SERVER_PROPERTIES.format(port=self.port, controller_port=self.controller_port,
                                                  log_dirs=data))
        (self.home / "log4j2.properties").write_text(LOG4J2.format(log_file=self.log_file))
        if not (data / "meta.properties").exists():
            # An id starting with "-" would be read as an option (1 run in 64 failed so): start with a letter.
            cluster_id = "B" + base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()[1:]
            run_checked(
                ["java", "-cp", f"{jars}/*", "kafka.tools.StorageTool", "format", "--standalone",
                 "-t", cluster_id, "-c", str(props), "--ignore-formatted"],
                what="formatting Kafka storage",
            )
        return props

    def start(self) -> subprocess.Popen[bytes]:
        """Start the broker in its own session and wait until it accepts connections."""
        require_binary("java", "openjdk-17-jre-headless")
        props = self.prepare()
        jars = ensure_jars()
        out = (self.home / "logs" / "stdout.log").open("ab")
        proc = subprocess.Popen(
            ["java", "-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
             "-Djava.awt.headless=true", f"-Dkafka.logs.dir={self.home / 'logs'}",
             f"-Dlog4j2.configurationFile={self.home / 'log4j2.properties'}",
             "-cp", f"{jars}/*", "kafka.Kafka", str(props)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            wait_for_port(self.port, timeout_s=60, what="Kafka", log=self.log_file)
        except SetupError:
            proc.kill()
            raise
        return proc


async def create_topics(bootstrap: str, partitions: dict[str, int]) -> None:
    """Create Baosong's topics (idempotent); waits until the broker can serve metadata."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [NewTopic(name, n, 1) for name, n in partitions.items() if name not in existing]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):  # a concurrent creator won the race
                await admin.create_topics(wanted)
    finally:
        await admin.close()
