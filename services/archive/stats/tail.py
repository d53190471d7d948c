"""An in-memory tail of the event store: loaded once, then only what was appended since.

The store is append-only and its positions are gap-free in commit order (appenders lock the
head), so reading ``position > last`` never misses or repeats an event.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Generic, TypeVar

import asyncpg

T = TypeVar("T")
Row = tuple[int, str, str, str | None, str]  # position, type, recorded_at, envelope time, data (JSON text)


class StoreTail(Generic[T]):
    def __init__(self, types: list[str], convert: Callable[[Row], T]):
        self._types, self._convert = types, convert
        self._lock = asyncio.Lock()
        self.position = 0
        self.items: list[T] = []

    async def refresh(self, pool: asyncpg.Pool) -> list[T]:
        """Everything stored so far, in store order (a fresh list the caller may keep)."""
        async with self._lock:
            rows = await pool.fetch(
                "SELECT position, type, recorded_at, b ->> 'time' AS time, (b -> 'data')::text AS data"
                " FROM archive.events, LATERAL (SELECT body::jsonb AS b) x"
                " WHERE type = ANY($1::text[]) AND position > $2 ORDER BY position",
                self._types, self.position)
            for r in rows:
                self.items.append(self._convert((r["position"], r["type"], r["recorded_at"].isoformat(),
                                                 r["time"], r["data"])))
            if rows:
                self.position = rows[-1]["position"]
            return list(self.items)


def as_dict(row: Row) -> dict[str, object]:
    position, type_, recorded_at, time, data = row
    return {"position": position, "type": type_, "recorded_at": recorded_at, "time": time, "data": json.loads(data)}
