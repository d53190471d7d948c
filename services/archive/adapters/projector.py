"""Keeps the read models current: folds new events into each projection, checkpoint in the same transaction.

Why reading ``position > checkpoint`` in order never skips an event that commits late: positions are
assigned under the lock on ``archive.head`` (``lock_head()``), held until the appending transaction
commits, so position N+1 cannot commit before N. Whatever a reader sees is a gap-free prefix of the
chain. Projections run beside the append (not inside its transaction) so appends stay at COPY speed;
the read models trail the store by one projector step (milliseconds; the consumer wakes it).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any

import asyncpg

from services.archive.adapters.replay import events_after
from services.archive.domain.projections import PROJECTIONS, Malformed, Projection, fold_all
from services.archive.domain.stored import StoredEvent, encode_json, parse_json
from shared.consumer import ConsumerState, Parked, Record
from shared.db import Database
from shared.envelope import now_utc
from shared.logging import get_logger
from shared.parking import park_on

log = get_logger(__name__)
Doc = dict[str, Any]
STEP_EVENTS = 2000  # events read and folded per transaction (a projector step, a rebuild's catch-up)


async def load_docs(conn: asyncpg.Connection, table: str, keys: Iterable[str]) -> dict[str, Doc]:
    rows = await conn.fetch(f"SELECT key, doc::text AS doc FROM {table} WHERE key = ANY($1::text[])", list(keys))
    return {r["key"]: parse_json(r["doc"]) for r in rows}


async def save_docs(conn: asyncpg.Connection, table: str, docs: dict[str, Doc]) -> None:
    if docs:
        await conn.execute(
            f"INSERT INTO {table} (key, doc) SELECT k, d::json FROM unnest($1::text[], $2::text[]) AS t(k, d)"
            " ON CONFLICT (key) DO UPDATE SET doc = EXCLUDED.doc",
            list(docs), [encode_json(d).decode() for d in docs.values()])


async def apply_events(conn: asyncpg.Connection, projection: Projection, table: str,
                       events: list[StoredEvent]) -> list[Malformed]:
    """Fold ``events`` into the stored documents of ``table``: load those they touch, fold, write back.
    The events it could not fold (skipped)."""
    keys = {k for e in events if (k := projection.key(e)) is not None}
    if not keys:
        return []  # nothing of this projection's in these events: no round trip
    docs = await load_docs(conn, table, keys)
    touched: set[str] = set()
    skipped: list[Malformed] = []
    fold_all(projection, docs, events, skipped.append, touched)
    await save_docs(conn, table, {k: docs[k] for k in touched if k in docs})
    return skipped


def skip_malformed(exc: Malformed) -> None:
    """A malformed event is logged and skipped instead of stopping the read models (in a rebuild)."""
    log.warning("malformed event skipped by projection", error=str(exc))


async def park_malformed(conn: asyncpg.Connection, skipped: list[Malformed]) -> None:
    """Set the events a projection skipped aside in ``archive.parked`` (consumer ``projector-<name>``, offset
    = the event's position), in the step's transaction; logged once at ERROR. They stay in the store:
    after a fix, ``./baosong projections rebuild`` folds them."""
    for exc in skipped:
        record = Record(topic="archive.events", partition=0, offset=exc.position, value=exc.event_type.encode())
        parked_id = await park_on(conn, "archive.parked", Parked(
            consumer=f"projector-{exc.projection}", record=record, reason=str(exc), error_type="Malformed",
            attempts=1, parked_at=now_utc()))
        log.error("event set aside by a read model (parked)", parked_id=parked_id, position=exc.position,
                  projection=exc.projection, reason=str(exc))


class Projector:
    def __init__(self, db: Database, projections: Iterable[Projection] = PROJECTIONS.values(),
                 batch: int = STEP_EVENTS):
        self._db, self._projections, self._batch = db, list(projections), batch
        self._wake = asyncio.Event()
        self.state = ConsumerState("archive-projector")  # replaced by the service's tracked state

    async def lag(self) -> int | None:
        """Events stored but not yet folded into every read model."""
        lag: int | None = await self._db.pool.fetchval(
            "SELECT (SELECT position FROM archive.head) - min(position) FROM archive.checkpoints"
            " WHERE projection = ANY($1::text[])", [p.name for p in self._projections])
        return lag

    def wake(self) -> None:
        """Called after an append: new events are there to fold."""
        self._wake.set()

    async def catch_up(self) -> int:
        """Fold every committed event into every projection; the number of events read."""
        total = 0
        while n := await self.step():
            total += n
        return total

    async def step(self) -> int:
        """One transaction: lock the checkpoints, fold the next events, write documents and checkpoints."""
        async with self._db.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch("SELECT projection, position FROM archive.checkpoints"
                                    " WHERE projection = ANY($1::text[]) ORDER BY projection FOR UPDATE",
                                    [p.name for p in self._projections])
            checkpoints = {r["projection"]: r["position"] for r in rows}
            start = min(checkpoints.values(), default=0)
            events = await events_after(conn, start, self._batch)
            if not events:
                return 0
            for projection in self._projections:
                after = checkpoints[projection.name]
                skipped = await apply_events(conn, projection, projection.table,
                                             [e for e in events if e.position > after])
                await park_malformed(conn, skipped)
            await conn.execute("UPDATE archive.checkpoints SET position = greatest(position, $1)"
                               " WHERE projection = ANY($2::text[])",
                               events[-1].position, [p.name for p in self._projections])
            return len(events)

    async def run(self, idle_s: float = 1.0) -> None:
        """Forever: catch up, then wait for a wake-up (or ``idle_s``, for appends by other instances)."""
        while True:
            self._wake.clear()
            try:
                await self.catch_up()
                self.state.recovered()
            except Exception as exc:  # no failure may end the loop: it says so (/healthz) and tries again
                if self.state.failing_since is None:
                    log.exception("projector step failed; retrying")
                self.state.failing(exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=idle_s)
