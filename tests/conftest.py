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
from deploy.kafka_local import LocalKafka, create_topics
from deploy.postgres_local import LocalPostgres
from deploy.proc import free_port
from shared.auth import create_keypair, mint_token
from shared.topics import PARTITIONS


@dataclass(frozen=True)
class Infra:
    """Where the run's real broker and database are, and how to mint tokens for them."""

    kafka_bootstrap: str
    superuser_dsn: str
    keys: Path
    service_passwords: Mapping[str, str]

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
def _local_processes(root: Path) -> Iterator[tuple[str, str]]:
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
        yield kafka.bootstrap, pg.superuser_dsn
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        pg.stop()


@contextmanager
def _containers() -> Iterator[tuple[str, str]]:  # pragma: no cover - needs a Docker engine
    """The same two servers from testcontainers, where a Docker engine answers."""
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    with KafkaContainer().with_kraft() as kafka, PostgresContainer("postgres:15", driver=None) as pg:
        dsn = pg.get_connection_url().rsplit("/", 1)[0] + "/postgres"
        yield kafka.get_bootstrap_server(), dsn


def prepare(bootstrap: str, superuser_dsn: str, root: Path) -> Infra:
    """Topics, the database with each service's role and password, and the stack's signing keys (tokens,
    the archive's heads, intake's receipts) in ``root/keys``: what ``up`` prepares, for servers just started."""
    asyncio.run(create_topics(bootstrap, PARTITIONS))
    passwords = {role: secrets.token_urlsafe(32) for role in service_roles()}
    asyncio.run(provision(superuser_dsn, passwords))
    keys = root / "keys"
    for name in ("jwt", "archive", "receipts"):
        create_keypair(keys / f"{name}.pem", keys / f"{name}.pub.pem")
    return Infra(kafka_bootstrap=bootstrap, superuser_dsn=superuser_dsn, keys=keys, service_passwords=passwords)


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    root = Path(tempfile.mkdtemp(prefix="baosong-test-"))
    os.chmod(root, 0o755)
    servers = _containers() if os.environ.get("BAOSONG_TEST_INFRA") == "containers" else _local_processes(root)
    try:
        with servers as (bootstrap, superuser_dsn):
            yield prepare(bootstrap, superuser_dsn, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
