"""The PostgreSQL event store: batched, idempotent, gap-free, hash-chained appends.

One append is one transaction: lock the chain's tail (``archive.lock_head()``, a SECURITY DEFINER
function: the service role has no UPDATE on ``archive.head``), compute each new event's position and
hash, COPY the rows in. The database's own trigger (migration 002) checks that the rows extend the
tail (contiguous positions, each ``prev_hash`` the previous ``hash``) and advances it. Positions are
therefore gap-free and in commit order, and the chain cannot fork under concurrent writers.

A redelivered event (same id, same canonical body) is a no-op reporting its first position. The same
id with other content is a conflicting duplicate: logged at error level and recorded in the chain as
an ``ArchiveConflictingDuplicate`` event holding both bodies, while the batch's other events commit —
never silently dropped, and never a batch that fails forever.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import asyncpg

from services.archive.domain.anomalies import conflict_envelope
from services.archive.domain.chain import canonical_body, link_digest, recorded_text
from shared.db import Database
from shared.envelope import now_utc
from shared.logging import get_logger

log = get_logger(__name__)

Outcome = Literal["appended", "duplicate", "conflict"]


@dataclass(frozen=True)
class Incoming:
    """An event as consumed: its envelope (as a dict) and where Kafka held it."""

    envelope: dict[str, Any]
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    timestamp_ms: int | None = None


@dataclass(frozen=True)
class Appended:
    event_id: str
    position: int
    outcome: Outcome = "appended"

    @property
    def duplicate(self) -> bool:
        return self.outcome != "appended"


COLUMNS = ["position", "recorded_at", "body", "hash", "prev_hash",
           "kafka_topic", "kafka_partition", "kafka_offset", "stream_version", "event_id", "type", "stream"]


@dataclass
class _Batch:
    """The rows one transaction will COPY, chained from the locked tail."""

    position: int
    prev: bytes
    versions: dict[str, int]
    recorded_at: Any = field(default_factory=now_utc)
    stamp: str = ""
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    seen: dict[str, tuple[int, str]] = field(default_factory=dict)

    def add(self, item: Incoming, body: str) -> int:
        self.position += 1
        stream = item.envelope["subject"]
        self.versions[stream] = self.versions.get(stream, 0) + 1
        digest = link_digest(self.prev, self.position, self.stamp, body)
        self.rows.append((self.position, self.recorded_at, body, digest, self.prev, item.topic, item.partition,
                          item.offset, self.versions[stream], item.envelope["id"], item.envelope["type"], stream))
        self.seen[item.envelope["id"]] = (self.position, body)
        self.prev = digest
        return self.position


class EventStore:
    def __init__(self, db: Database):
        self._db = db

    async def append(self, batch: list[Incoming]) -> list[Appended]:
        """Append a batch in one transaction; a redelivered event reports its first position."""
        bodies = [canonical_body(item.envelope) for item in batch]  # before the lock: it needs no order
        async with self._db.pool.acquire() as conn, conn.transaction():
            head = await conn.fetchrow("SELECT position, hash FROM archive.lock_head()")
            assert head is not None, "archive.head is missing: run the archive's migrations"
            stored, versions = await _lookup(conn, batch)
            plan = _Batch(int(head["position"]), bytes(head["hash"]), versions)
            plan.stamp = recorded_text(plan.recorded_at)
            results: list[Appended] = []
            for item, body in zip(batch, bodies, strict=True):
                event_id = item.envelope["id"]
                earlier = stored.get(event_id) or plan.seen.get(event_id)
                if earlier is None:
                    results.append(Appended(event_id, plan.add(item, body)))
                elif earlier[1] == body:
                    results.append(Appended(event_id, earlier[0], "duplicate"))
                else:
                    await self._record_conflict(conn, plan, item, earlier, body)
                    results.append(Appended(event_id, earlier[0], "conflict"))
            if plan.rows:
                await conn.copy_records_to_table("events", schema_name="archive", records=plan.rows,
                                                 columns=COLUMNS)
            return results

    async def _record_conflict(self, conn: asyncpg.Connection, plan: _Batch, item: Incoming,
                               earlier: tuple[int, str], body: str) -> None:
        record = conflict_envelope(
            event_id=item.envelope["id"], first_position=earlier[0], stored_body=earlier[1], incoming_body=body,
            topic=item.topic, partition=item.partition, offset=item.offset, timestamp_ms=item.timestamp_ms)
        log.error("conflicting duplicate: event id already stored with other content",
                  event_id=item.envelope["id"], first_position=earlier[0], topic=item.topic,
                  partition=item.partition, offset=item.offset, record_id=record["id"])
        if record["id"] in plan.seen or await _stored(conn, [record["id"]]):
            return  # already recorded (a redelivery of the same conflicting message)
        plan.add(Incoming(record, item.topic, item.partition, item.offset, item.timestamp_ms),
                 canonical_body(record))


LOOKUP = ("SELECT event_id AS key, position, body, NULL::int AS version FROM archive.events"
          " WHERE event_id = ANY($1::text[])"
          " UNION ALL SELECT stream, NULL, NULL, max(stream_version) FROM archive.events"
          " WHERE stream = ANY($2::text[]) GROUP BY stream")


async def _lookup(conn: asyncpg.Connection,
                  batch: list[Incoming]) -> tuple[dict[str, tuple[int, str]], dict[str, int]]:
    """One round trip: the batch's ids already stored (position, body) and its streams' last versions."""
    streams = [*{item.envelope["subject"] for item in batch}, "archive"]
    stored: dict[str, tuple[int, str]] = {}
    versions: dict[str, int] = {}
    for r in await conn.fetch(LOOKUP, [item.envelope["id"] for item in batch], streams):
        if r["version"] is None:
            stored[r["key"]] = (r["position"], r["body"])
        else:
            versions[r["key"]] = r["version"]
    return stored, versions


async def _stored(conn: asyncpg.Connection, ids: list[str]) -> dict[str, tuple[int, str]]:
    rows = await conn.fetch(
        "SELECT event_id, position, body FROM archive.events WHERE event_id = ANY($1::text[])", ids)
    return {r["event_id"]: (r["position"], r["body"]) for r in rows}
