"""Rebuild read models from position 0 without stopping the read API (``./baosong projections rebuild``).

Run as the database owner: folds every event in memory, COPYs the documents into a table aside
(``proj_<name>_rebuild``), then in ONE transaction locks the projections' checkpoints (the live
projector waits), folds the events committed meanwhile, drops the old table, renames the new one
into place and sets the checkpoint. Readers see the old table until that commit, the new one after.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.archive.adapters.projector import fold_or_skip, save_docs
from services.archive.domain.projections import Projection
from services.archive.domain.stored import StoredEvent

Doc = dict[str, Any]
Progress = Callable[[int, int], None]


@dataclass
class _Aside:
    projection: Projection
    docs: dict[str, Doc]

    @property
    def aside(self) -> str:
        return f"{self.projection.table}_rebuild"


async def _fold_range(conn: asyncpg.Connection, builds: list[_Aside], after: int, *, upto: int | None = None,
                      progress: Progress | None = None, total: int = 0,
                      chunk: int = 10_000) -> tuple[int, int, set[tuple[str, str]]]:
    """Fold events after ``after`` (up to ``upto``) into the builds; (last position, count, touched keys).

    Each event is parsed once and handed only to the projections that take its type; rows come in
    chunks (not one await per row) and a batch's shared recorded time is formatted once."""
    last, count, touched = after, 0, set[tuple[str, str]]()
    routes: dict[str, list[_Aside]] = {}
    for build in builds:
        for event_type in build.projection.types:
            routes.setdefault(event_type, []).append(build)
    query = ("SELECT position, recorded_at, body FROM archive.events WHERE position > $1"
             + (" AND position <= $2" if upto is not None else "") + " ORDER BY position")
    args = (after, upto) if upto is not None else (after,)
    cursor = await conn.cursor(query, *args)
    stamp, stamp_text = None, ""
    while rows := await cursor.fetch(chunk):
        for position, recorded_at, body in rows:
            if recorded_at != stamp:
                stamp, stamp_text = recorded_at, recorded_at.isoformat()
            event = StoredEvent.from_body(position, stamp_text, body)
            for build in routes.get(event.type, ()):
                key = fold_or_skip(build.projection, build.docs, event)
                if key is not None:
                    touched.add((build.projection.name, key))
        last, count = rows[-1]["position"], count + len(rows)
        if progress is not None:
            progress(count, total)
    return last, count, touched


async def rebuild(owner_dsn: str, projections: list[Projection], *, progress: Progress | None = None) -> int:
    """Rebuild ``projections`` from position 0 and swap them in; the number of events folded."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        builds = [_Aside(p, {}) for p in projections]
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            head = int(await conn.fetchval("SELECT position FROM archive.head"))
            last, count, _ = await _fold_range(conn, builds, 0, upto=head, progress=progress, total=head)
        for build in builds:
            table = build.projection.table
            await conn.execute(f"DROP TABLE IF EXISTS {build.aside}")
            await conn.execute(f"CREATE TABLE {build.aside} (LIKE {table} INCLUDING ALL)")
            await conn.execute(f"GRANT SELECT, INSERT, UPDATE ON {build.aside} TO archive_svc")
            await conn.copy_records_to_table(
                build.aside.split(".")[1], schema_name="archive", columns=["key", "doc"],
                records=[(k, json.dumps(d, ensure_ascii=False)) for k, d in build.docs.items()])
        async with conn.transaction():
            await conn.fetch("SELECT 1 FROM archive.checkpoints WHERE projection = ANY($1::text[]) FOR UPDATE",
                             [p.name for p in projections])
            last2, more, touched = await _fold_range(conn, builds, last)
            for build in builds:
                name, table = build.projection.name, build.projection.table
                keys = {k for n, k in touched if n == name}
                await save_docs(conn, build.aside, {k: build.docs[k] for k in keys})
                await conn.execute(f"DROP TABLE {table}")
                await conn.execute(f"ALTER TABLE {build.aside} RENAME TO proj_{name}")
                await conn.execute(f"ALTER INDEX archive.proj_{name}_rebuild_pkey RENAME TO proj_{name}_pkey")
                await conn.execute("UPDATE archive.checkpoints SET position = $1 WHERE projection = $2", last2, name)
        return count + more
    finally:
        await conn.close()
