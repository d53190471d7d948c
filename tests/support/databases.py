"""A scratch database on the run's PostgreSQL, for tests that apply migrations to rows stored before them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

SERVICES = Path(__file__).resolve().parents[2] / "services"


def migration(service: str, name: str) -> str:
    """The SQL of ``services/<service>/adapters/migrations/<name>``."""
    return (SERVICES / service / "adapters" / "migrations" / name).read_text()


@contextlib.asynccontextmanager
async def scratch_database(superuser_dsn: str, name: str) -> AsyncIterator[tuple[asyncpg.Connection, str]]:
    """A new, empty database ``name`` (dropped first if a failed run left it): a superuser connection to it
    and its DSN. Dropped again afterwards."""
    admin = await asyncpg.connect(superuser_dsn)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name}")
        await admin.execute(f"CREATE DATABASE {name}")
        dsn = superuser_dsn.rsplit("/", 1)[0] + f"/{name}"
        conn = await asyncpg.connect(dsn)
        try:
            yield conn, dsn
        finally:
            await conn.close()
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name}")
        await admin.close()
