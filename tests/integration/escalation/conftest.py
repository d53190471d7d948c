"""Fixtures of escalation's integration tests: a Kafka producer, a watcher of what escalation publishes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from shared.topics import BREACHES, DEADLINES
from tests.conftest import Infra
from tests.integration.escalation.support import Kafka, Watcher


@pytest.fixture(scope="session")
async def kafka(infra: Infra) -> AsyncIterator[Kafka]:
    k = Kafka(infra)
    await k.producer.start()
    yield k
    await k.producer.stop()


@pytest.fixture(scope="package")
async def watcher(infra: Infra) -> AsyncIterator[Watcher]:
    """Stopped when escalation's tests end: its consumer thread (aiokafka) draws on the global ``random``,
    which the Hypothesis tests that run later took for a strategy using it (a deprecation warning)."""
    w = Watcher(infra, BREACHES, DEADLINES)
    await w.start()
    yield w
    await w.stop()


@pytest.fixture(scope="session")
async def owner_db(infra: Infra) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(infra.owner_dsn)
    yield conn
    await conn.close()


async def wait_units(db: asyncpg.Connection, *unit_ids: str, within: float = 15) -> None:
    """Until escalation's directory holds every unit (units and reports are separate topics)."""
    for _ in range(int(within / 0.1)):
        n = await db.fetchval("SELECT count(*) FROM escalation.units WHERE unit_id = ANY($1::text[])", list(unit_ids))
        if n == len(unit_ids):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"units {unit_ids} not in escalation's directory in {within}s")


async def applied(db: asyncpg.Connection, *event_ids: str, within: float = 15) -> None:
    """Until escalation has applied (recorded) every event, before a test moves the clock past it."""
    for _ in range(int(within / 0.05)):
        n = await db.fetchval("SELECT count(*) FROM escalation.seen WHERE event_id = ANY($1::text[])", list(event_ids))
        if n == len(event_ids):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"events {event_ids} not applied by escalation in {within}s")
