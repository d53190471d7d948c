"""``GET /v1/streams/breaches``: server-sent events, one per new DeadlineBreached (``event: breach``) and one per
acknowledgement of a breach (``event: acknowledged``, BreachAcknowledged), tailing the store.

The stream polls ``archive.events`` by position (the store's order), so a breach is sent once it
is durable, and a reconnecting EventSource resumes after ``Last-Event-ID`` (the position; id-only
messages keep it current even while no breach in the viewer's scope comes). Each
response ends after ``MAX_STREAM_S`` and the browser reconnects on its own (``retry:``), so a
stopping server never waits on an open stream for long.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator

import asyncpg
from fastapi import Request

from services.archive.adapters.reads import Reads
from services.archive.adapters.replay import events_after
from services.archive.stats.queries import head_position
from services.archive.web.views import may_see
from shared.auth import Principal
from shared.http import Problem
from shared.offset import china_times

POLL_S = 0.5
HEARTBEAT_S = 15.0
MAX_STREAM_S = 60.0
MAX_POSITION = 2**63 - 1  # PostgreSQL's bigint
BREACHES_PER_READ = 200  # breach events read from the store per poll (the rest follow on the next polls)
#: The SSE event name of each event type the stream sends.
STREAMED = {"DeadlineBreached": "breach", "BreachAcknowledged": "acknowledged"}


def _server_exiting() -> bool:
    """True once uvicorn got SIGTERM/SIGINT (its handler is a bound method of the server)."""
    server = getattr(signal.getsignal(signal.SIGTERM), "__self__", None)
    return bool(getattr(server, "should_exit", False))


async def start_position(pool: asyncpg.Pool, request: Request) -> int:
    """After ``Last-Event-ID`` (a reconnect) or ``?after=``; else only breaches from now on.
    422 naming it when it is not a position (ASCII digits, within PostgreSQL's bigint)."""
    for field, value in (("header:Last-Event-ID", request.headers.get("last-event-id")),
                         ("after", request.query_params.get("after"))):
        if not value:
            continue
        if not (value.isascii() and value.isdigit() and len(value) < 20 and int(value) <= MAX_POSITION):
            zh, en = "应为事件位置（非负整数）", "must be an event position (a whole number, not negative)"
            raise Problem(422, "Invalid request", f"{field}: {zh} / {en}",
                          [{"field": field, "message": zh, "message_en": en, "type": "int_parsing"}])
        return int(value)
    return await head_position(pool)


async def breach_events(pool: asyncpg.Pool, reads: Reads, request: Request, principal: Principal,
                        after: int) -> AsyncIterator[str]:
    yield f"retry: 1000\nid: {after}\n\n"  # an id-only message moves the browser's Last-Event-ID
    started = last_beat = time.monotonic()
    while not await request.is_disconnected() and not _server_exiting():
        events = await events_after(pool, after, BREACHES_PER_READ, list(STREAMED))
        if events:
            scope = await reads.scope(principal)
            for event in events:
                after = event.position
                if may_see(scope, [event.data["unit_id"]]):
                    payload = china_times({**event.data, "position": event.position, "recorded_at": event.recorded_at})
                    yield (f"id: {after}\nevent: {STREAMED[event.type]}\n"
                           f"data: {json.dumps(payload, ensure_ascii=False)}\n\n")
        now = time.monotonic()
        if now - last_beat > HEARTBEAT_S:
            last_beat = now
            yield f"id: {after}\n\n"
        if now - started > MAX_STREAM_S:
            yield f"id: {after}\n\n"
            return
        await asyncio.sleep(POLL_S)
