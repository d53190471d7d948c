"""Session-wide real infrastructure: one Kafka broker and one PostgreSQL cluster for the whole run.

Both run on free ports in their own temporary directories, so the suite can run beside a
``./baosong up`` stack. ``BAOSONG_TEST_INFRA=containers`` uses testcontainers instead, where a
Docker engine answers; the local processes are the default and what CI runs.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy.database import DATABASE, login_dsn, provision, service_role, service_roles
from deploy.kafka_local import ADMIN, LocalKafka, provision_kafka
from deploy.postgres_local import LocalPostgres
from deploy.proc import free_port
from shared.auth import create_keypair, mint_token
from shared.kafka import KafkaAccess, KafkaCredentials
from shared.producers import PRODUCER_OF, ProducerKeys, Signer, create_producer_keys, private_key_path
from shared.topics import PARTITIONS


@dataclass(frozen=True)
class Infra:
    """Where the run's real broker and database are, and how to mint tokens for them."""

    kafka_bootstrap: str
    superuser_dsn: str
    keys: Path
    service_passwords: Mapping[str, str]
    kafka_credentials: Path
    """The broker's SASL users, ``<principal>.json`` (admin: the super user; one per service)."""

    @property
    def producer_keys(self) -> Path:
        return self.keys / "producers"

    def kafka_user(self, principal: str = ADMIN) -> KafkaCredentials:
        return KafkaCredentials.read(self.kafka_credentials / f"{principal}.json")

    def kafka_options(self, principal: str = ADMIN) -> dict[str, str]:
        """An aiokafka client's keyword arguments to log in as ``principal`` (default: the super user)."""
        return self.kafka_user(principal).client_options()

    def kafka_env(self, service: str) -> dict[str, str]:
        """The environment a service process needs to reach the broker as itself."""
        return {"BAOSONG_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
                "BAOSONG_KAFKA_CREDENTIALS": str(self.kafka_credentials / f"{service}.json"),
                "BAOSONG_KAFKA_SIGNING_KEY": str(private_key_path(self.producer_keys, service)),
                "BAOSONG_KAFKA_PRODUCER_KEYS": str(self.producer_keys)}

    def kafka_access(self, service: str) -> KafkaAccess:
        return KafkaAccess(self.kafka_bootstrap, self.kafka_user(service),
                           Signer.load(service, private_key_path(self.producer_keys, service)),
                           ProducerKeys.load(self.producer_keys))

    def signed_headers(self, event_type: str, value: bytes, producer: str | None = None) -> list[tuple[str, bytes]]:
        """The headers the service that makes ``event_type`` (or ``producer``, a forger) would sign ``value``
        with (tests acting for it); ``producer=""``: none."""
        producer = PRODUCER_OF[event_type] if producer is None else producer
        if not producer:
            return []
        signer = Signer.load(producer, private_key_path(self.producer_keys, producer))
        return [(k, v.encode()) for k, v in signer.headers(value).items()]

    @property
    def owner_dsn(self) -> str:
        """The ``baosong`` database as its owner (for tests that inspect or tamper)."""
        return self.superuser_dsn.rsplit("/", 1)[0] + f"/{DATABASE}"

    def service_dsn(self, service: str) -> str:
        """The service's own role, with its password (every login needs one)."""
        role = service_role(service)
        return login_dsn(self.owner_dsn, role, self.service_passwords[role])

    @property
    def public_key(self) -> Path:
        return self.keys / "jwt.pub.pem"

    @property
    def head_signing_key(self) -> Path:
        """The archive's key for published heads (public half: ``archive.pub.pem``)."""
        return self.keys / "archive.pem"

    @property
    def receipt_signing_key(self) -> Path:
        """Intake's key for receipts (public half: ``receipts.pub.pem``)."""
        return self.keys / "receipts.pem"

    def token(self, *, unit: str | None, role: str, subject: str | None = None, clearance: str = "internal") -> str:
        return mint_token((self.keys / "jwt.pem").read_bytes(), subject=subject or f"{role}@{unit}",
                          unit=unit, roles=[role], clearance=clearance)


@contextmanager
def _local_processes(root: Path) -> Iterator[tuple[LocalKafka, str]]:
    """A private PostgreSQL cluster and a KRaft broker, both on free ports under ``root``."""
    pg = LocalPostgres(root / "postgres", free_port())
    pg.init()
    pg.start()
    kafka = LocalKafka(root / "kafka", free_port(), free_port())
    try:
        proc = kafka.start()
    except BaseException:
        pg.stop()
        raise
    try:
        yield kafka, pg.superuser_dsn
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        pg.stop()


@contextmanager
def _containers(root: Path) -> Iterator[tuple[LocalKafka, str]]:  # pragma: no cover - needs a Docker engine
    """PostgreSQL from testcontainers, where a Docker engine answers; Kafka stays the local SASL broker
    (the container image's broker has no SASL users or ACLs, and the suite checks both)."""
    from testcontainers.postgres import PostgresContainer

    kafka = LocalKafka(root / "kafka", free_port(), free_port())
    proc = kafka.start()
    try:
        with PostgresContainer("postgres:15", driver=None) as pg:
            yield kafka, pg.get_connection_url().rsplit("/", 1)[0] + "/postgres"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def prepare(kafka: LocalKafka, superuser_dsn: str, root: Path) -> Infra:
    """Topics and ACLs, the database with each service's role and password, and the stack's keys (tokens,
    the archive's heads, intake's receipts, each service's record signing) in ``root/keys``: what ``up``
    prepares, for servers just started."""
    asyncio.run(provision_kafka(kafka, PARTITIONS))
    passwords = {role: secrets.token_urlsafe(32) for role in service_roles()}
    asyncio.run(provision(superuser_dsn, passwords))
    keys = root / "keys"
    for name in ("jwt", "archive", "receipts"):
        create_keypair(keys / f"{name}.pem", keys / f"{name}.pub.pem")
    create_producer_keys(keys / "producers")
    return Infra(kafka_bootstrap=kafka.bootstrap, superuser_dsn=superuser_dsn, keys=keys,
                 service_passwords=passwords, kafka_credentials=kafka.credentials_file(ADMIN).parent)


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    root = Path(tempfile.mkdtemp(prefix="baosong-test-"))
    os.chmod(root, 0o755)
    servers = _containers(root) if os.environ.get("BAOSONG_TEST_INFRA") == "containers" else _local_processes(root)
    try:
        with servers as (kafka, superuser_dsn):
            yield prepare(kafka, superuser_dsn, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
