"""A real single-node Apache Kafka broker (KRaft) run from Maven Central jars, no Docker."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import re
import secrets
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from deploy.kafka_acls import agency_grants, agency_topic, agency_user, create_acls, service_grants
from deploy.proc import SetupError, require_binary, run_checked, wait_for_port
from shared.kafka import SASL_MECHANISM, SECURITY_PROTOCOL, KafkaCredentials
from shared.producers import SERVICES

POM = Path(__file__).parent / "kafka" / "pom.xml"
TOOLS_POM = Path(__file__).parent / "kafka" / "tools-pom.xml"

SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:{controller_port}
listeners=BROKER://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=BROKER://127.0.0.1:{port}
inter.broker.listener.name=BROKER
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,BROKER:SASL_PLAINTEXT
sasl.enabled.mechanisms={mechanism}
sasl.mechanism.inter.broker.protocol={mechanism}
listener.name.broker.sasl.enabled.mechanisms={mechanism}
listener.name.broker.{mechanism_lower}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule \\
  required username="{admin}" password="{admin_password}";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule \\
  required username="{controller}" password="{controller_password}" user_{controller}="{controller_password}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:{admin};User:{controller}
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


def ensure_jars(progress: bool = True, pom: Path = POM, name: str = "kafka",
                what: str = "the Kafka broker") -> Path:
    """A classpath (by default the broker's) fetched once with mvn into a cache outside the repository."""
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:12]
    target = cache_dir() / f"{name}-{digest}"
    if (target / ".complete").exists():
        return target
    require_binary("java", "openjdk-17-jre-headless")
    require_binary("mvn", "maven")
    if progress:
        print(f"fetching {what} from Maven Central into {target} (once) …", flush=True)
    target.mkdir(parents=True, exist_ok=True)
    run_checked(
        ["mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
         "-DincludeScope=runtime", f"-DoutputDirectory={target}"],
        what=f"mvn dependency:copy-dependencies ({what})",
    )
    (target / ".complete").write_text(digest)
    return target


def ensure_tools_jars() -> Path:
    """Kafka's tools (``org.apache.kafka.tools.ProducerPerformance`` …), fetched like the broker."""
    return ensure_jars(pom=TOOLS_POM, name="kafka-tools", what="Kafka's tools")


#: A unit id that can be the last part of a topic name (no "." so that it never reads as another topic's).
VALID_UNIT_TOPIC: Final = re.compile(r"(?!dlq$)[A-Za-z0-9_-]{1,200}")  # "dlq" names the dead-letter topic
ADMIN: Final = "admin"
CONTROLLER: Final = "controller"
#: SCRAM users seeded when the storage is formatted: the super user and one per service. A service added
#: later (e.g. assessment) gets its user on the running broker of an older data home (``provision_kafka``).
SEEDED_USERS: Final = (ADMIN, *SERVICES)
#: The first service: its user has been seeded since the broker took SASL users.
FIRST_SERVICE: Final = SERVICES[0]


@dataclass(frozen=True)
class LocalKafka:
    """One KRaft node; ``home`` holds its properties, its data, its credentials and its logs.

    Both listeners take SASL only: the client listener SCRAM-SHA-512 (users kept in the metadata log,
    the first ones seeded by ``kafka-storage format --add-scram``), the controller listener PLAIN
    (KRaft controllers cannot use SCRAM; its one user is static in the owner-only properties file).
    The StandardAuthorizer denies whatever no ACL allows; ``admin`` and ``controller`` are super users.
    """

    home: Path
    port: int
    controller_port: int

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def controller_bootstrap(self) -> str:
        return f"127.0.0.1:{self.controller_port}"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "server.log"

    def credentials_file(self, principal: str) -> Path:
        return self.home / "credentials" / f"{principal}.json"

    def credentials(self, principal: str) -> KafkaCredentials:
        """The principal's SASL user, created (random password, 0600 file) on first use."""
        path = self.credentials_file(principal)
        if not path.exists():
            KafkaCredentials(principal, secrets.token_urlsafe(24)).write(path)
        return KafkaCredentials.read(path)

    def prepare(self) -> Path:
        """Write the configuration and format the storage (once); returns the properties file."""
        jars = ensure_jars()
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        data = self.home / "data"
        props = self.home / "server.properties"
        admin, controller = self.credentials(ADMIN), self.credentials(CONTROLLER)
        props.touch(mode=0o600)
        props.chmod(0o600)
        props.write_text(SERVER_PROPERTIES.format(
            port=self.port, controller_port=self.controller_port, log_dirs=data,
            mechanism=SASL_MECHANISM, mechanism_lower=SASL_MECHANISM.lower(),
            admin=admin.username, admin_password=admin.password,
            controller=controller.username, controller_password=controller.password))
        (self.home / "log4j2.properties").write_text(LOG4J2.format(log_file=self.log_file))
        if (data / "meta.properties").exists() and not self.credentials_file(FIRST_SERVICE).exists():
            raise SetupError(f"the Kafka log in {data} was formatted before the broker took SASL users; move "
                             f"{self.home} aside (the archive keeps every event in PostgreSQL) and run up again")
        if not (data / "meta.properties").exists():
            # An id starting with "-" would be read as an option (1 run in 64 failed so): start with a letter.
            cluster_id = "B" + base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()[1:]
            scram = [arg for user in SEEDED_USERS for arg in ("--add-scram", self._scram_entry(user))]
            run_checked(
                ["java", "-cp", f"{jars}/*", "kafka.tools.StorageTool", "format", "--standalone",
                 "-t", cluster_id, "-c", str(props), "--ignore-formatted", *scram],
                what="formatting Kafka storage",
            )
        return props

    def _scram_entry(self, user: str) -> str:
        return f"{SASL_MECHANISM}=[name={user},password={self.credentials(user).password}]"

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

    def add_scram_user(self, user: str) -> KafkaCredentials:
        """Create (or keep) a SCRAM user on the running broker, as the super user (``kafka-configs``)."""
        credentials = self.credentials(user)
        admin = self.credentials(ADMIN)
        config = self.home / "credentials" / "admin-client.properties"
        config.touch(mode=0o600)
        config.write_text(
            f"security.protocol={SECURITY_PROTOCOL}\nsasl.mechanism={SASL_MECHANISM}\n"
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{admin.username}" password="{admin.password}";\n')
        run_checked(
            ["java", "-Xms32m", "-XX:TieredStopAtLevel=1", "-cp", f"{ensure_jars()}/*", "kafka.admin.ConfigCommand",
             "--bootstrap-server", self.bootstrap, "--command-config", str(config),
             "--alter", "--entity-type", "users", "--entity-name", user,
             "--add-config", f"{SASL_MECHANISM}=[password={credentials.password}]"],
            what=f"adding the Kafka user {user}",
        )
        return credentials


async def create_topics(bootstrap: str, admin_user: KafkaCredentials, partitions: dict[str, int]) -> None:
    """Create Baosong's topics as the super user (idempotent); waits until the broker can serve metadata."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000, **admin_user.client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [NewTopic(name, n, 1) for name, n in partitions.items() if name not in existing]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):  # a concurrent creator won the race
                await admin.create_topics(wanted)
    finally:
        await admin.close()


async def provision_kafka(kafka: LocalKafka, partitions: dict[str, int]) -> None:
    """Baosong's topics, a user for each service added since the storage was formatted, and the services'
    ACLs on a running broker (all idempotent)."""
    admin = kafka.credentials(ADMIN)
    for service in SERVICES:
        if not kafka.credentials_file(service).exists():
            await asyncio.to_thread(kafka.add_scram_user, service)
    await create_topics(kafka.bootstrap, admin, partitions)
    await create_acls(kafka.bootstrap, admin, service_grants())


AGENCY_PARTITIONS: Final = 1  # one agency's reports, in the order it sent them


def add_agency(kafka: LocalKafka, unit_id: str) -> dict[str, str]:
    """An agency's SASL user that may write only its own ingress topic ``baosong.ingress.reports.<unit>``
    (created here); what an agency's system needs to connect (``./baosong kafka-user --unit UNIT``)."""
    if not VALID_UNIT_TOPIC.fullmatch(unit_id):
        raise SetupError(f"unit id {unit_id!r} cannot name a Kafka topic: use letters, digits, '-' and '_'")
    topic = agency_topic(unit_id)
    credentials = kafka.add_scram_user(agency_user(unit_id))
    admin = kafka.credentials(ADMIN)
    asyncio.run(create_topics(kafka.bootstrap, admin, {topic: AGENCY_PARTITIONS}))
    asyncio.run(create_acls(kafka.bootstrap, admin, agency_grants(unit_id)))
    return {"bootstrap": kafka.bootstrap, "security_protocol": SECURITY_PROTOCOL, "sasl_mechanism": SASL_MECHANISM,
            "username": credentials.username, "password": credentials.password, "topic": topic}
