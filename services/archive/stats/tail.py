"""An in-memory tail of the event store: loaded once, then only what was appended since.

The store is append-only and its positions are gap-free in commit order (appenders lock the
head), so reading ``position > last`` never misses or repeats an event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

import asyncpg

from services.archive.adapters.replay import events_after
from services.archive.domain.stored import StoredEvent

T = TypeVar("T")


class StoreTail(Generic[T]):
    """``convert`` makes each stored event what the reader keeps, or None to leave it out."""

    def __init__(self, types: list[str], convert: Callable[[StoredEvent], T | None]):
        self._types, self._convert = types, convert
        self._lock = asyncio.Lock()
        self.position = 0
        self.items: list[T] = []

    async def refresh(self, pool: asyncpg.Pool) -> list[T]:
        """Everything stored so far, in store order (a fresh list the caller may keep)."""
        async with self._lock:
            events = await events_after(pool, self.position, None, self._types)
            self.items += [item for e in events if (item := self._convert(e)) is not None]
            if events:
                self.position = events[-1].position
            return list(self.items)
