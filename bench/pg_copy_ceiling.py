"""PostgreSQL's own ceiling on this machine: how fast it takes event rows through asyncpg, with no store logic.

A table shaped like an event store (global position, stream id and version unique, event id unique, jsonb
document) and a ~500-byte document: one transaction per event, batches of 100 by executemany, batches of
1000 by COPY (the ceiling the archive's append is held to), and a cursor read of every row.

Usage: .venv/bin/python -m bench.pg_copy_ceiling DSN [N]   (N rows for the batched runs, default 100,000;
the database must exist; its table ``ceiling_events`` is dropped and made again)
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid

import asyncpg

DDL = """
DROP TABLE IF EXISTS ceiling_events;
CREATE TABLE ceiling_events (
  position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  stream_id text NOT NULL,
  version int NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_id, version));
"""
INSERT = "INSERT INTO ceiling_events(event_id, stream_id, version, type, data) VALUES($1, $2, $3, $4, $5::jsonb)"
COLUMNS = ["event_id", "stream_id", "version", "type", "data"]
#: ASCII-escaped JSON (json.dumps' default), as in every figure docs/archive.md quotes.
PAYLOAD = json.dumps({"unit": "county-07", "category": "道路交通事故", "deaths": 1, "injured": 4,
                      "summary": "某路段发生两车相撞事故，已组织救援。" * 3})
SINGLE = 3000  # rows for one transaction per event


def rows(n: int, offset: int) -> list[tuple[uuid.UUID, str, int, str, str]]:
    return [(uuid.uuid4(), f"report-{(offset + i) // 4}", (offset + i) % 4, "ReportFollowedUp", PAYLOAD)
            for i in range(n)]


async def measure(dsn: str, n: int = 100_000) -> dict[str, float]:
    """Events per second for each way in; ``copy_1000`` is the ceiling."""
    conn = await asyncpg.connect(dsn)
    rates: dict[str, float] = {}
    try:
        await conn.execute(DDL)
        t = time.perf_counter()
        for row in rows(SINGLE, 0):
            await conn.execute(INSERT, *row)
        rates["single_tx"] = SINGLE / (time.perf_counter() - t)
        await conn.execute("TRUNCATE ceiling_events")
        t = time.perf_counter()
        for offset in range(0, n, 100):
            async with conn.transaction():
                await conn.executemany(INSERT, rows(min(100, n - offset), offset))
        rates["executemany_100"] = n / (time.perf_counter() - t)
        await conn.execute("TRUNCATE ceiling_events")
        t = time.perf_counter()
        for offset in range(0, n, 1000):
            async with conn.transaction():
                await conn.copy_records_to_table("ceiling_events", records=rows(min(1000, n - offset), offset),
                                                 columns=COLUMNS)
        rates["copy_1000"] = n / (time.perf_counter() - t)
        t, read = time.perf_counter(), 0
        async with conn.transaction():
            async for _ in conn.cursor("SELECT * FROM ceiling_events ORDER BY position", prefetch=5000):
                read += 1
        rates["read_cursor"] = read / (time.perf_counter() - t)
        await conn.execute("DROP TABLE ceiling_events")
    finally:
        await conn.close()
    return rates


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    print(json.dumps(asyncio.run(measure(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 100_000))))
