"""The parking table of a service (``<schema>.parked``) and its in-memory fake.

The table is created in every service's schema by ``shared/migrations/001_parked.sql``.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

import asyncpg

from shared.consumer import Parked, Record
from shared.db import Database
from shared.storable import escaped

_COLUMNS = ('id, consumer, topic, "partition", "offset", key, value, headers, reason, error_type, attempts,'
            " parked_at, state")


def _headers_json(record: Record) -> str:
    return json.dumps([[k, base64.b64encode(v).decode()] for k, v in record.headers])


def _row_to_parked(row: asyncpg.Record) -> Parked:
    headers = tuple((k, base64.b64decode(v)) for k, v in json.loads(row["headers"]))
    record = Record(topic=row["topic"], partition=row["partition"], offset=row["offset"], value=bytes(row["value"]),
                    key=bytes(row["key"]) if row["key"] is not None else None, headers=headers)
    return Parked(consumer=row["consumer"], record=record, reason=row["reason"], error_type=row["error_type"],
                  attempts=row["attempts"], parked_at=row["parked_at"], id=row["id"], state=row["state"])


class PgParking:
    """``Parking`` on the service's own schema."""

    def __init__(self, db: Database, schema: str):
        if not schema.isidentifier():
            raise ValueError(f"not a schema name: {schema!r}")
        self._db, self._table = db, f"{schema}.parked"

    async def park(self, parked: Parked) -> int:
        async with self._db.pool.acquire() as conn:
            return await park_on(conn, self._table, parked)

    async def list(self, *, state: str | None = "parked", limit: int = 100) -> list[Parked]:
        rows = await self._db.pool.fetch(
            f"SELECT {_COLUMNS} FROM {self._table} WHERE $1::text IS NULL OR state = $1 ORDER BY id LIMIT $2",
            state, limit)
        return [_row_to_parked(r) for r in rows]

    async def get(self, parked_id: int) -> Parked | None:
        row = await self._db.pool.fetchrow(f"SELECT {_COLUMNS} FROM {self._table} WHERE id = $1", parked_id)
        return _row_to_parked(row) if row is not None else None

    async def mark(self, parked_id: int, *, state: str, reason: str | None = None) -> None:
        await self._db.pool.execute(
            f"UPDATE {self._table} SET state = $2, reason = coalesce($3, reason), retried_at = now(),"
            " retries = retries + 1 WHERE id = $1", parked_id, state, escaped(reason) if reason else None)


async def park_on(conn: asyncpg.Connection, table: str, parked: Parked) -> int:
    """Insert ``parked`` into ``table`` on ``conn`` (inside the caller's transaction, if any)."""
    r = parked.record
    row_id: int | None = await conn.fetchval(
        f'INSERT INTO {table} (consumer, topic, "partition", "offset", key, value, headers, reason,'
        " error_type, attempts, parked_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11)"
        ' ON CONFLICT (consumer, topic, "partition", "offset") DO NOTHING RETURNING id',
        parked.consumer, r.topic, r.partition, r.offset, r.key, r.value, _headers_json(r),
        escaped(parked.reason), parked.error_type, parked.attempts, parked.parked_at)
    if row_id is None:  # parked before (the record was delivered again): the first row stands
        row_id = await conn.fetchval(
            f'SELECT id FROM {table} WHERE consumer = $1 AND topic = $2 AND "partition" = $3 AND "offset" = $4',
            parked.consumer, r.topic, r.partition, r.offset)
    assert row_id is not None
    return row_id


class InMemoryParking:
    """``Parking`` in a dict: the fake for unit tests."""

    def __init__(self) -> None:
        self.rows: dict[int, Parked] = {}
        self.fail_with: Exception | None = None  # set to make ``park`` fail (the database is down)

    async def park(self, parked: Parked) -> int:
        if self.fail_with is not None:
            raise self.fail_with
        for row_id, row in self.rows.items():
            if (row.consumer, row.record.topic, row.record.partition, row.record.offset) == (
                    parked.consumer, parked.record.topic, parked.record.partition, parked.record.offset):
                return row_id
        row_id = len(self.rows) + 1
        self.rows[row_id] = _with(parked, id=row_id)
        return row_id

    async def list(self, *, state: str | None = "parked", limit: int = 100) -> list[Parked]:
        return [p for p in self.rows.values() if state is None or p.state == state][:limit]

    async def get(self, parked_id: int) -> Parked | None:
        return self.rows.get(parked_id)

    async def mark(self, parked_id: int, *, state: str, reason: str | None = None) -> None:
        row = self.rows[parked_id]
        self.rows[parked_id] = _with(row, state=state, reason=reason or row.reason)


def _with(parked: Parked, **changes: Any) -> Parked:
    fields: dict[str, Any] = {**parked.__dict__, **changes}
    return Parked(**fields)


def parked_json(parked: Parked, service: str) -> dict[str, Any]:
    """A parked record as the API and ``./baosong parked`` show it."""
    r = parked.record
    try:
        text: str | None = r.value.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    return {"id": f"{service}-{parked.id}", "service": service, "consumer": parked.consumer, "state": parked.state,
            "topic": r.topic, "partition": r.partition, "offset": r.offset, "reason": parked.reason,
            "error_type": parked.error_type, "attempts": parked.attempts,
            "parked_at": parked.parked_at.isoformat() if isinstance(parked.parked_at, datetime) else None,
            "size": len(r.value), "value_base64": base64.b64encode(r.value).decode(),
            "value_text": text[:2000] if text is not None else None}
