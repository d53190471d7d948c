"""The transactional outbox: events are written with the state they describe, then relayed to Kafka.

``enqueue`` runs inside the caller's transaction, so a decision and its events commit together or
not at all. ``Relay.flush`` publishes unsent rows in order, waits for Kafka's acknowledgement of
all of them, and stamps them sent; rows are locked (``SKIP LOCKED``) so two instances never relay the
same row at once. A crash between publishing and stamping republishes an event with the same id:
a duplicate consumers recognise, never a second fact. A background loop retries what a failed
flush left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable

from faststream.kafka import KafkaBroker

from services.approval.adapters.store import Conn
from shared.db import Database
from shared.envelope import Envelope
from shared.kafka import publish_all
from shared.logging import get_logger

log = get_logger(__name__)


async def enqueue(conn: Conn, topic: str, envelopes: Iterable[Envelope]) -> None:
    for envelope in envelopes:
        await conn.execute(
            "INSERT INTO approval.outbox (event_id, topic, key, body) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (event_id) DO NOTHING",
            envelope.id, topic, envelope.partitionkey, envelope.model_dump_json())


class Relay:
    def __init__(self, db: Database, broker: KafkaBroker, *, batch: int = 200, interval_s: float = 1.0):
        self._db, self._broker, self._batch, self._interval = db, broker, batch, interval_s
        self._lock = asyncio.Lock()

    async def flush(self) -> int:
        """Publish every unsent event (in order); the number published."""
        total = 0
        async with self._lock:
            while True:
                async with self._db.pool.acquire() as conn, conn.transaction():
                    rows = await conn.fetch(
                        "SELECT seq, topic, body FROM approval.outbox WHERE sent_at IS NULL"
                        " ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED", self._batch)
                    await publish_all(self._broker,
                                      [(r["topic"], Envelope.model_validate_json(r["body"])) for r in rows])
                    if rows:
                        await conn.execute("UPDATE approval.outbox SET sent_at = now() WHERE seq = ANY($1::bigint[])",
                                           [r["seq"] for r in rows])
                total += len(rows)
                if len(rows) < self._batch:
                    return total

    async def try_flush(self) -> None:
        """Flush now; on failure the background loop retries (the events are durable in the outbox)."""
        try:
            await self.flush()
        except Exception as exc:  # the loop retries; nothing is lost
            log.warning("outbox flush failed; will retry", error=str(exc))

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.try_flush()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        task = asyncio.create_task(self._loop(), name="approval-outbox-relay")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
