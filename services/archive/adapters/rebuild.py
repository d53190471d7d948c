"""Rebuild read models from position 0 without stopping the read API (``./baosong projections rebuild``).

Run as the database owner:
1. Note the chain's head; create empty tables aside (``proj_<name>_rebuild``, no index yet).
2. Fold every event up to the head into them: the store is split by stream into one share per core, each
   folded and COPYed by its own process; see ``rebuild_share``.
3. Fold again, from all their events, the rare documents whose events came from more than one share; then
   add the primary keys (one index build over the loaded table is cheaper than keeping it row by row).
4. In ONE transaction: lock the projections' checkpoints (the live projector waits), fold the events
   committed since the head into the tables aside, drop the old tables, rename the new ones into place and
   set the checkpoints. Readers see the old tables until that commit, the new ones after.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import asyncpg

from services.archive.adapters.projector import STEP_EVENTS, apply_events, skip_malformed
from services.archive.adapters.rebuild_share import (
    Folded,
    Share,
    aside,
    fold_share_in_process,
    share_counter,
)
from services.archive.adapters.replay import copy_docs, event_chunks, events_after, no_cyclic_gc, raw_connection
from services.archive.domain.projections import Projection, fold_all

Progress = Callable[[int, int, str], None]  # events folded, events to fold, the stage
FOLDING, WRITING = "folding 折叠", "writing documents 写入文档"
KEYS, SWAPPING = "building keys 建主键", "swapping in 换入"


async def rebuild(owner_dsn: str, projections: list[Projection], *, progress: Progress | None = None,
                  workers: int | None = None) -> int:
    """Rebuild ``projections`` from position 0 and swap them in; the number of events folded.
    ``workers``: processes folding shares of the store side by side (default: one per core)."""
    parts = max(1, workers or os.cpu_count() or 1)
    conn = await asyncpg.connect(owner_dsn)
    try:
        head = int(await conn.fetchval("SELECT position FROM archive.head"))
        for p in projections:
            await conn.execute(f"DROP TABLE IF EXISTS {aside(p)}")
            await conn.execute(f"CREATE TABLE {aside(p)} (LIKE {p.table} INCLUDING ALL EXCLUDING INDEXES)")
            await conn.execute(f"GRANT SELECT, INSERT, UPDATE ON {aside(p)} TO archive_svc")
        names = tuple(p.name for p in projections)
        folded = await _fold_shares([Share(owner_dsn, names, part, parts, head) for part in range(parts)], progress)
        if progress is not None:
            progress(head, head, KEYS)
        await _refold_strays(owner_dsn, projections, folded, head)
        for p in projections:
            await conn.execute(f"ALTER TABLE {aside(p)} ADD CONSTRAINT proj_{p.name}_rebuild_pkey PRIMARY KEY (key)")
        if progress is not None:
            progress(head, head, SWAPPING)
        return sum(f.count for f in folded) + await _swap_in(conn, projections, head)
    finally:
        await conn.close()


async def _fold_shares(shares: list[Share], progress: Progress | None) -> list[Folded]:
    """Each share in a process of its own (this one only reports progress), so that no process frees the
    documents it folded: see ``fold_share_in_process``."""
    # fork, not spawn: a spawned process first imports the service again (≈ 0.3 s of CPU a process, 10 % of
    # a 100,000-event rebuild). The pool forks its processes before its own manager thread starts; a forked
    # share opens its own connection and event loop and never touches what it inherited (the parent's
    # connection, and the idle resolver thread of a DSN given by host name, which it does not have).
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    with ProcessPoolExecutor(len(shares), mp_context=context, initializer=share_counter,
                             initargs=(counter,)) as pool:
        loop = asyncio.get_running_loop()
        running = [loop.run_in_executor(pool, fold_share_in_process, share) for share in shares]
        while not all(f.done() for f in running):
            await asyncio.wait(running, timeout=0.2)
            if progress is not None:
                progress(counter.value, shares[0].head, FOLDING if counter.value < shares[0].head else WRITING)
        return [f.result() for f in running]


async def _refold_strays(owner_dsn: str, projections: list[Projection], folded: list[Folded], head: int) -> None:
    """A document whose events came from more than one share was built in pieces (its events' streams
    differ): replace the pieces by the document folded from all its events, in order. One read of the
    store for every projection that has such documents."""
    strays = {p.name: _in_several(p, folded) for p in projections}
    concerned = [p for p in projections if strays[p.name]]
    if not concerned:
        return
    docs: dict[str, dict[str, dict[str, object]]] = {p.name: {} for p in concerned}
    types = sorted(set().union(*(p.types for p in concerned)))
    with no_cyclic_gc():
        async with raw_connection(owner_dsn) as conn:
            for p in concerned:
                await conn.execute(f"DELETE FROM {aside(p)} WHERE key = ANY($1::text[])", sorted(strays[p.name]))
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                async for events in event_chunks(conn, "position <= $1 AND type = ANY($2::text[])", head, types):
                    for p in concerned:
                        mine = [e for e in events if p.key(e) in strays[p.name]]
                        fold_all(p, docs[p.name], mine, skip_malformed, set())
            for p in concerned:
                await copy_docs(conn, aside(p), docs[p.name])


def _in_several(projection: Projection, folded: list[Folded]) -> set[str]:
    """The keys of ``projection`` that more than one share saw."""
    several: set[str] = set()
    once: set[str] = set()
    for share in folded:
        keys = share.seen[projection.name]
        several |= once & keys
        once |= keys
    return several


async def _swap_in(conn: asyncpg.Connection, projections: list[Projection], head: int) -> int:
    """Fold what was committed since ``head`` into the tables aside and swap them in, in one transaction;
    the number of events folded here."""
    last, more = head, 0
    async with conn.transaction():
        await conn.fetch("SELECT 1 FROM archive.checkpoints WHERE projection = ANY($1::text[]) FOR UPDATE",
                         [p.name for p in projections])
        while events := await events_after(conn, last, STEP_EVENTS):
            for p in projections:
                for skipped in await apply_events(conn, p, aside(p), events):
                    skip_malformed(skipped)
            last, more = events[-1].position, more + len(events)
        for p in projections:
            await conn.execute(f"DROP TABLE {p.table}")
            await conn.execute(f"ALTER TABLE {aside(p)} RENAME TO proj_{p.name}")
            await conn.execute(f"ALTER INDEX archive.proj_{p.name}_rebuild_pkey RENAME TO proj_{p.name}_pkey")
            await conn.execute("UPDATE archive.checkpoints SET position = $1 WHERE projection = $2", last, p.name)
    return more
