"""A service's PostgreSQL pool, opened in its lifespan (never at import)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg


class Database:
    def __init__(self, dsn: str, *, max_size: int = 8):
        self._dsn, self._max_size = dsn, max_size
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the database pool is not open: use it inside Database.connected()")
        return self._pool

    @asynccontextmanager
    async def connected(self) -> AsyncIterator[None]:
        self._pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=self._max_size)
        try:
            yield
        finally:
            pool, self._pool = self._pool, None
            await pool.close()

    async def ping(self) -> bool:
        try:
            return bool(await self.pool.fetchval("SELECT true"))
        except (RuntimeError, OSError, asyncpg.PostgresError):
            return False
