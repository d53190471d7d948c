"""Session-wide real infrastructure: one Kafka broker and one PostgreSQL cluster for the whole run.

Both run on free ports in their own temporary directories, so the suite can run beside a
``./baosong up`` stack. ``BAOSONG_TEST_INFRA=containers`` uses testcontainers instead, where a
Docker engine answers; the local processes are the default and what CI runs.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy.database import DATABASE, provision, service_role
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
        """The service's own role (trust auth on loopback: only the user name changes)."""
        scheme, rest = self.owner_dsn.split("://", 1)
        return f"{scheme}://{service_role(service)}@{rest.split('@', 1)[1]}"

    @property
    def public_key(self) -> Path:
        return self.keys / "jwt.pub.pem"

    def token(self, *, unit: str | None, role: str, subject: str | None = None) -> str:
        return mint_token((self.keys / "jwt.pem").read_bytes(), subject=subject or f"{role}@{unit}",
                          unit=unit, roles=[role])


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


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    root = Path(tempfile.mkdtemp(prefix="baosong-test-"))
    os.chmod(root, 0o755)
    servers = _containers(root) if os.environ.get("BAOSONG_TEST_INFRA") == "containers" else _local_processes(root)
    try:
        with servers as (kafka, superuser_dsn):
            asyncio.run(provision_kafka(kafka, PARTITIONS))
            asyncio.run(provision(superuser_dsn))
            keys = root / "keys"
            create_keypair(keys / "jwt.pem", keys / "jwt.pub.pem")
            create_producer_keys(keys / "producers")
            yield Infra(kafka_bootstrap=kafka.bootstrap, superuser_dsn=superuser_dsn, keys=keys,
                        kafka_credentials=kafka.credentials_file(ADMIN).parent)
    finally:
        shutil.rmtree(root, ignore_errors=True)
