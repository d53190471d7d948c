"""Archive fixtures on the session's real PostgreSQL: the store as the service role, the owner's connection."""

from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.archive.adapters.store import EventStore
from shared.db import Database
from tests.conftest import Infra


@pytest.fixture
async def db(infra: Infra) -> AsyncIterator[Database]:
    database = Database(infra.service_dsn("archive"))
    async with database.connected():
        yield database


@pytest.fixture
def store(db: Database) -> EventStore:
    return EventStore(db)


@pytest.fixture
async def owner(infra: Infra) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(infra.owner_dsn)
    try:
        yield conn
    finally:
        await conn.close()
