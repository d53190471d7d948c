"""Rebuild read models from position 0 without stopping the read API (``./baosong projections rebuild``).

Run as the database owner: folds every event in memory, COPYs the documents into a table aside
(``proj_<name>_rebuild``), then in ONE transaction locks the projections' checkpoints (the live
projector waits), folds the events committed meanwhile, drops the old table, renames the new one
into place and sets the checkpoint. Readers see the old table until that commit, the new one after.

Speed (a replay reads every event): each body is parsed once, by orjson, straight from the UTF-8 bytes
PostgreSQL sends, and handed only to the projections that take its type; the next rows are already on
their way while Python folds the current ones; documents go back as orjson's bytes into ``json`` columns.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.archive.adapters.projector import save_docs, skip_malformed
from services.archive.domain.projections import Projection, fold_all
from services.archive.domain.stored import StoredEvent, encode_json

Doc = dict[str, Any]
Progress = Callable[[int, int], None]
Touched = set[tuple[str, str]]


@dataclass
class _Aside:
    projection: Projection
    docs: dict[str, Doc]

    @property
    def aside(self) -> str:
        return f"{self.projection.table}_rebuild"


def _utf8(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


async def _raw_utf8(conn: asyncpg.Connection) -> None:
    """On this connection text and json values travel as UTF-8 bytes (str is still accepted as a parameter):
    bodies reach orjson, and documents leave it, without a detour through Python strings."""
    for type_name in ("text", "json"):
        await conn.set_type_codec(type_name, schema="pg_catalog", encoder=_utf8, decoder=lambda b: b,
                                  format="binary")
    await conn.set_type_codec("jsonb", schema="pg_catalog", encoder=lambda v: b"\x01" + _utf8(v),
                              decoder=lambda b: b[1:], format="binary")


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """A rebuild allocates millions of small dicts that all live until the swap, and CPython's cyclic
    collector would walk them again and again (measured: the folds took twice as long). Documents hold no
    reference cycles, so nothing is left for the collector to find."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def _fold_range(conn: asyncpg.Connection, builds: list[_Aside], after: int, *, upto: int | None = None,
                      touched: Touched | None = None, progress: Progress | None = None, total: int = 0,
                      chunk: int = 2_000) -> tuple[int, int]:
    """Fold events after ``after`` (up to ``upto``) into the builds; (last position, count). The keys each
    projection changed are added to ``touched`` when given."""
    last, count = after, 0
    query = ("SELECT position, recorded_at, body FROM archive.events WHERE position > $1"
             + (" AND position <= $2" if upto is not None else "") + " ORDER BY position")
    args = (after, upto) if upto is not None else (after,)
    cursor = await conn.cursor(query, *args)
    stamp, stamp_text = None, ""
    pending = asyncio.ensure_future(cursor.fetch(chunk))
    try:
        while rows := await pending:
            pending = asyncio.ensure_future(cursor.fetch(chunk))
            await asyncio.sleep(0)  # sends the next fetch: PostgreSQL reads on while Python folds these rows
            events = []
            for position, recorded_at, body in rows:
                if recorded_at != stamp:
                    stamp, stamp_text = recorded_at, recorded_at.isoformat()
                events.append(StoredEvent.from_body(position, stamp_text, body))
            for build in builds:
                keys = fold_all(build.projection, build.docs, events, skip_malformed)
                if touched is not None:
                    touched.update((build.projection.name, key) for key in keys)
            last, count = rows[-1]["position"], count + len(rows)
            if progress is not None:
                progress(count, total)
    finally:
        pending.cancel()
    return last, count


async def rebuild(owner_dsn: str, projections: list[Projection], *, progress: Progress | None = None) -> int:
    """Rebuild ``projections`` from position 0 and swap them in; the number of events folded."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        await _raw_utf8(conn)
        with _no_cyclic_gc():
            return await _rebuild(conn, owner_dsn, [_Aside(p, {}) for p in projections], progress)
    finally:
        await conn.close()


async def _write_aside(owner_dsn: str, build: _Aside) -> None:
    """The documents into a fresh table aside, on a connection of its own: the projections' COPYs run side by
    side (PostgreSQL ingests on every core) and each document is encoded only as its COPY asks for it."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        await _raw_utf8(conn)
        await conn.execute(f"DROP TABLE IF EXISTS {build.aside}")
        await conn.execute(f"CREATE TABLE {build.aside} (LIKE {build.projection.table} INCLUDING ALL)")
        await conn.execute(f"GRANT SELECT, INSERT, UPDATE ON {build.aside} TO archive_svc")
        await conn.copy_records_to_table(build.aside.split(".")[1], schema_name="archive", columns=["key", "doc"],
                                         records=((k, encode_json(d)) for k, d in build.docs.items()))
    finally:
        await conn.close()


async def _rebuild(conn: asyncpg.Connection, owner_dsn: str, builds: list[_Aside], progress: Progress | None) -> int:
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        head = int(await conn.fetchval("SELECT position FROM archive.head"))
        last, count = await _fold_range(conn, builds, 0, upto=head, progress=progress, total=head)
    await asyncio.gather(*(_write_aside(owner_dsn, build) for build in builds))
    names = [b.projection.name for b in builds]
    async with conn.transaction():
        await conn.fetch("SELECT 1 FROM archive.checkpoints WHERE projection = ANY($1::text[]) FOR UPDATE", names)
        touched: Touched = set()
        last2, more = await _fold_range(conn, builds, last, touched=touched)
        for build in builds:
            name, table = build.projection.name, build.projection.table
            keys = {k for n, k in touched if n == name}
            await save_docs(conn, build.aside, {k: build.docs[k] for k in keys})
            await conn.execute(f"DROP TABLE {table}")
            await conn.execute(f"ALTER TABLE {build.aside} RENAME TO proj_{name}")
            await conn.execute(f"ALTER INDEX archive.proj_{name}_rebuild_pkey RENAME TO proj_{name}_pkey")
            await conn.execute("UPDATE archive.checkpoints SET position = $1 WHERE projection = $2", last2, name)
    return count + more
