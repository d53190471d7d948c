"""The PostgreSQL event store: batched, idempotent, gap-free, hash-chained appends.

One append is one transaction: lock the chain's tail and read the batch's streams' last versions
(``archive.begin_append()``, a SECURITY DEFINER function: the service role has no UPDATE on
``archive.head``), compute each new event's position and hash, COPY the rows in. The database's own
trigger (migration 002) checks that the rows extend the tail (contiguous positions, each ``prev_hash``
the previous ``hash``) and advances it. Positions are therefore gap-free and in commit order, and the
chain cannot fork under concurrent writers.

A redelivered event (same id, same canonical body) is a no-op reporting its first position. The same
id with other content is a conflicting duplicate: logged at error level and recorded in the chain as
an ``ArchiveConflictingDuplicate`` event holding both bodies, while the batch's other events commit —
never silently dropped, and never a batch that fails forever.

Redeliveries are rare, so a batch is first appended without looking its ids up (optimistic): the
unique index on ``event_id`` refuses an id already stored, the transaction rolls back, and the batch
is appended again with the look-up, which sorts out duplicates and conflicts as above.

The optimistic append is pipelined: its rows go in COPYs of ``CHUNK`` events, and while PostgreSQL takes
one chunk in, Python canonicalises and chains the next (the two otherwise took turns on a 2-core machine:
Python ≈ 15 µs an event, PostgreSQL ≈ 25); the first chunk is canonicalised while the lock's round trip
is in flight. Still one transaction: nothing is visible, or acknowledged, before its commit.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import asyncpg

from services.archive.domain.anomalies import conflict_envelope
from services.archive.domain.chain import canonical_bytes, data_keys, legacy_body, link_digest, recorded_text
from shared.db import Database
from shared.envelope import now_utc
from shared.logging import get_logger

log = get_logger(__name__)

Outcome = Literal["appended", "duplicate", "conflict"]
EVENT_ID_UNIQUE = "events_event_id_key"
CHUNK = 250  # events per COPY of a pipelined append (same-run A/B in docs/archive.md)
YIELD_EVERY = 32  # events prepared between two turns of the event loop, which the COPY in flight needs


@dataclass(frozen=True)
class Incoming:
    """An event as consumed: its envelope (as a dict) and where Kafka held it."""

    envelope: dict[str, Any]
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    timestamp_ms: int | None = None
    body: bytes | None = None  # its canonical bytes, when the consumer already computed them


class Appended(NamedTuple):
    event_id: str
    position: int
    outcome: Outcome = "appended"


# What the lock decides first (position, recorded_at, hash, prev_hash, stream_version), then what
# each event brings.
COLUMNS = ["position", "recorded_at", "hash", "prev_hash", "stream_version", "body", "kafka_topic",
           "kafka_partition", "kafka_offset", "event_id", "type", "stream", "report_id", "incident_id"]


class _Event(NamedTuple):
    """An event prepared for the COPY: its canonical body and the columns it brings (as in COLUMNS)."""

    item: Incoming
    event_id: str
    stream: str
    body: bytes
    columns: tuple[Any, ...]  # body text … incident_id

    @property
    def text(self) -> str:
        return str(self.columns[0])


def _prepare(item: Incoming) -> _Event:
    env = item.envelope
    body = canonical_bytes(env) if item.body is None else item.body
    return _Event(item, env["id"], env["subject"], body, (body.decode(), item.topic, item.partition, item.offset,
                                                          env["id"], env["type"], env["subject"], *data_keys(env)))


@dataclass
class _Batch:
    """The rows one transaction will COPY, chained from the locked tail."""

    position: int
    prev: bytes
    versions: dict[str, int]
    recorded_at: Any = field(default_factory=now_utc)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    seen: dict[str, tuple[int, str]] = field(default_factory=dict)
    stamp: str = field(init=False)

    def __post_init__(self) -> None:
        self.stamp = recorded_text(self.recorded_at)

    def take_rows(self) -> list[tuple[Any, ...]]:
        rows, self.rows = self.rows, []
        return rows

    def add(self, event: _Event) -> int:
        self.position += 1
        version = self.versions[event.stream] = self.versions.get(event.stream, 0) + 1
        digest = link_digest(self.prev, self.position, self.stamp, event.body)
        self.rows.append((self.position, self.recorded_at, digest, self.prev, version, *event.columns))
        self.seen[event.event_id] = (self.position, event.text)
        self.prev = digest
        return self.position


class EventStore:
    def __init__(self, db: Database):
        self._db = db

    async def append(self, batch: list[Incoming]) -> list[Appended]:
        """Append a batch in one transaction; a redelivered event reports its first position."""
        try:
            return await self._append_optimistic(batch)
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name != EVENT_ID_UNIQUE:
                raise
            # a redelivery (that transaction rolled back): sort duplicates and conflicts out
            return await self._append_looked_up([_prepare(item) for item in batch])

    async def _append_optimistic(self, batch: list[Incoming]) -> list[Appended]:
        """Every event new: prepare and COPY chunk by chunk, each COPY running while the next chunk is
        prepared (the first while the lock's round trip is). An id stored before, or met twice in the batch,
        fails the unique index."""
        async with self._db.pool.acquire() as conn, conn.transaction():
            in_flight: asyncio.Future[Any] = asyncio.ensure_future(
                _begin(conn, {item.envelope["subject"] for item in batch}))
            try:
                await asyncio.sleep(0)  # sends the lock's query
                first = [_prepare(item) for item in batch[:CHUNK]]
                plan: _Batch = await in_flight
                results: list[Appended] = []
                for start in range(0, len(batch), CHUNK):
                    for n, item in enumerate(batch[start:start + CHUNK], 1):
                        event = first[n - 1] if start == 0 else _prepare(item)
                        results.append(Appended(event.event_id, plan.add(event)))
                        if n % YIELD_EVERY == 0:
                            await asyncio.sleep(0)  # the COPY in flight sends its rows and reads its answers
                    await in_flight
                    in_flight = asyncio.ensure_future(_copy(conn, plan.take_rows()))
                    await asyncio.sleep(0)  # it starts sending now, before the next chunk is prepared
                await in_flight
            except BaseException:
                await asyncio.gather(in_flight, return_exceptions=True)  # the connection is free for the rollback
                raise
            return results

    async def _append_looked_up(self, events: list[_Event]) -> list[Appended]:
        async with self._db.pool.acquire() as conn, conn.transaction():
            plan = await _begin(conn, {e.stream for e in events})
            stored = await _stored(conn, [e.event_id for e in events])
            results: list[Appended] = []
            for event in events:
                earlier = stored.get(event.event_id) or plan.seen.get(event.event_id)
                if earlier is None:
                    results.append(Appended(event.event_id, plan.add(event)))
                elif _same(earlier[1], event):
                    results.append(Appended(event.event_id, earlier[0], "duplicate"))
                else:
                    await self._record_conflict(conn, plan, event, earlier)
                    results.append(Appended(event.event_id, earlier[0], "conflict"))
            if plan.rows:
                await _copy(conn, plan.take_rows())
            return results

    async def _record_conflict(self, conn: asyncpg.Connection, plan: _Batch, event: _Event,
                               earlier: tuple[int, str]) -> None:
        item = event.item
        record = conflict_envelope(
            event_id=event.event_id, first_position=earlier[0], stored_body=earlier[1], incoming_body=event.text,
            topic=item.topic, partition=item.partition, offset=item.offset, timestamp_ms=item.timestamp_ms)
        log.error("conflicting duplicate: event id already stored with other content",
                  event_id=event.event_id, first_position=earlier[0], topic=item.topic,
                  partition=item.partition, offset=item.offset, record_id=record["id"])
        if record["id"] in plan.seen or await _stored(conn, [record["id"]]):
            return  # already recorded (a redelivery of the same conflicting message)
        plan.add(_prepare(Incoming(record, item.topic, item.partition, item.offset, item.timestamp_ms)))


async def _begin(conn: asyncpg.Connection, streams: set[str]) -> _Batch:
    """Lock the chain's tail and read the streams' last versions: the plan the batch's rows extend."""
    head = await conn.fetchrow("SELECT * FROM archive.begin_append($1::text[])", list(streams | {"archive"}))
    assert head is not None, "archive.head is missing: run the archive's migrations"
    return _Batch(int(head["position"]), bytes(head["hash"]),
                  dict(zip(head["streams"] or [], head["versions"] or [], strict=True)))


async def _copy(conn: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> str:
    return str(await conn.copy_records_to_table("events", schema_name="archive", records=rows, columns=COLUMNS))


def _same(stored: str, event: _Event) -> bool:
    """Whether a stored body is this event's: its canonical text, or the older canonical form it was
    stored in before orjson (so a redelivery of an old event is a duplicate, not a false conflict)."""
    if stored == event.text:
        return True
    try:
        return stored == legacy_body(event.item.envelope)
    except (TypeError, ValueError):
        return False


async def _stored(conn: asyncpg.Connection, ids: list[str]) -> dict[str, tuple[int, str]]:
    rows = await conn.fetch(
        "SELECT event_id, position, body FROM archive.events WHERE event_id = ANY($1::text[])", ids)
    return {r["event_id"]: (r["position"], r["body"]) for r in rows}
