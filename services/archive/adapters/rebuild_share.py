"""One share of a rebuild: fold the events of some of the streams and COPY the documents aside.

A rebuild splits the store by stream (``hashtext(stream)``) into one share per core, each folded by its own
process with the same fold code as the live projector. A document's events normally share one stream (an
incident's, a unit's), so each document is built whole in one share. The keys each share saw let the rebuild
find the exceptions (a document whose events came from several streams) and fold those again from all
their events.
"""

from __future__ import annotations

import asyncio
import multiprocessing.sharedctypes
from dataclasses import dataclass, field
from typing import Any

from services.archive.adapters.projector import skip_malformed
from services.archive.adapters.replay import copy_docs, event_chunks, no_cyclic_gc, raw_connection
from services.archive.domain.projections import PROJECTIONS, Projection, fold_all

Doc = dict[str, Any]
SHARE = "position <= $1 AND (hashtext(stream) & 2147483647) % $2 = $3"
# The planner cannot tell how many rows the hash filter keeps (it guesses 0.5 %, it is 1/parts), so it
# chose a parallel sequential scan, JIT and a sort of the whole share (spilling to disk: 350 MB of rows for
# half of 1,000,000 events). The primary key already yields a share in position order; the shares are
# already one process per core. Measured, half of 1,000,000 events: 3.0–3.5 s read that way, 2.0 s this way.
READ_IN_INDEX_ORDER = ("SET LOCAL enable_sort = off", "SET LOCAL max_parallel_workers_per_gather = 0",
                       "SET LOCAL jit = off")


def aside(projection: Projection) -> str:
    return f"{projection.table}_rebuild"


@dataclass(frozen=True)
class Share:
    owner_dsn: str
    names: tuple[str, ...]
    part: int
    parts: int
    head: int


@dataclass
class Folded:
    count: int = 0
    seen: dict[str, set[str]] = field(default_factory=dict)


_events_folded: Any = None  # a process-shared counter of folded events, for the progress bar


def share_counter(counter: multiprocessing.sharedctypes.Synchronized[int]) -> None:
    """Pool initializer: where this process adds what it folds."""
    global _events_folded
    _events_folded = counter


def count_events(n: int) -> None:
    with _events_folded.get_lock():
        _events_folded.value += n


_left_for_exit: list[object] = []


def fold_share_in_process(share: Share) -> Folded:
    """Entry point of a rebuild's worker process."""
    return asyncio.run(fold_share(share))


async def fold_share(share: Share) -> Folded:
    """Fold this share's events up to ``share.head`` and COPY the documents into the tables aside.

    The documents are left for the process's end (``_left_for_exit``): multiprocessing ends a worker with
    ``os._exit``, so the system takes their memory back at once, where Python would free millions of small
    objects one by one (measured: ≈ 12 % of a rebuild's Python CPU). The pool has one process per share,
    all started before the shares are handed out, so each process folds one share (were one to fold two, it
    would hold both shares' documents until the pool ends)."""
    projections = [PROJECTIONS[name] for name in share.names]
    docs: dict[str, dict[str, Doc]] = {p.name: {} for p in projections}
    _left_for_exit.append(docs)
    folded = Folded(seen={p.name: set() for p in projections})
    with no_cyclic_gc(freeze=True):  # this process ends after its share
        async with raw_connection(share.owner_dsn) as conn:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                for setting in READ_IN_INDEX_ORDER:
                    await conn.execute(setting)
                async for events in event_chunks(conn, SHARE, share.head, share.parts, share.part):
                    kinds = {e.type for e in events}
                    for p in projections:
                        if not p.types.isdisjoint(kinds):
                            fold_all(p, docs[p.name], events, skip_malformed, folded.seen[p.name])
                    folded.count += len(events)
                    count_events(len(events))
            for p in projections:  # one after another: the shares' processes already keep every core busy
                await copy_docs(conn, aside(p), docs[p.name])
    return folded
