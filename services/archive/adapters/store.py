"""The PostgreSQL event store: batched, idempotent, gap-free, hash-chained appends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from services.archive.domain.chain import canonical_body, link_hash
from shared.db import Database
from shared.envelope import now_utc


@dataclass(frozen=True)
class Incoming:
    """An event as consumed: its envelope (as a dict) and where Kafka held it."""

    envelope: dict[str, Any]
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None


class ConflictingDuplicate(Exception):
    """An event id already stored with different content: never silently dropped."""

    def __init__(self, event_id: str, position: int):
        super().__init__(f"event {event_id} is already stored at position {position} with different content")
        self.event_id, self.position = event_id, position


@dataclass(frozen=True)
class Appended:
    event_id: str
    position: int
    duplicate: bool


COLUMNS = ["position", "recorded_at", "body", "hash", "prev_hash",
           "kafka_topic", "kafka_partition", "kafka_offset", "stream_version"]


class EventStore:
    def __init__(self, db: Database):
        self._db = db

    async def append(self, batch: list[Incoming]) -> list[Appended]:
        """Append a batch in one transaction; a redelivered event reports its first position."""
        bodies = [(item, canonical_body(item.envelope)) for item in batch]
        async with self._db.pool.acquire() as conn, conn.transaction():
            head = await conn.fetchrow("SELECT position, hash FROM archive.head FOR UPDATE")
            assert head is not None, "archive.head is missing: run the archive's migrations"
            ids = [item.envelope["id"] for item, _ in bodies]
            stored = {r["event_id"]: r for r in await conn.fetch(
                "SELECT event_id, position, body FROM archive.events WHERE event_id = ANY($1::text[])", ids)}
            streams = {item.envelope["subject"] for item, _ in bodies}
            versions: dict[str, int] = {r["stream"]: r["v"] for r in await conn.fetch(
                "SELECT stream, max(stream_version) AS v FROM archive.events"
                " WHERE stream = ANY($1::text[]) GROUP BY stream", list(streams))}
            position, prev = int(head["position"]), bytes(head["hash"])
            recorded_at = now_utc()
            rows: list[tuple[Any, ...]] = []
            results: list[Appended] = []
            seen: dict[str, tuple[int, str]] = {}
            for item, body in bodies:
                event_id = item.envelope["id"]
                earlier = stored.get(event_id)
                if earlier is not None or event_id in seen:
                    first_pos, first_body = (
                        (earlier["position"], earlier["body"]) if earlier is not None else seen[event_id])
                    if first_body != body:
                        raise ConflictingDuplicate(event_id, first_pos)
                    results.append(Appended(event_id, first_pos, duplicate=True))
                    continue
                position += 1
                stream = item.envelope["subject"]
                versions[stream] = versions.get(stream, 0) + 1
                digest = link_hash(prev, position, recorded_at, body)
                rows.append((position, recorded_at, body, digest, prev,
                             item.topic, item.partition, item.offset, versions[stream]))
                seen[event_id] = (position, body)
                results.append(Appended(event_id, position, duplicate=False))
                prev = digest
            if rows:
                await conn.copy_records_to_table("events", schema_name="archive", records=rows, columns=COLUMNS)
                await conn.execute("UPDATE archive.head SET position = $1, hash = $2", position, prev)
            return results

    async def events_of_report(self, report_id: str) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self._db.pool.fetch(
            "SELECT position, type, data::text AS data, recorded_at, body::jsonb ->> 'time' AS time,"
            " body::jsonb ->> 'actor' AS actor, hash FROM archive.events"
            " WHERE data ->> 'report_id' = $1 ORDER BY position", report_id)
        return rows

