"""The pages' own read endpoints: the breach stream and the duty board (the incident page uses the read API).

FastAPI resolves the routes' Annotated dependencies at run time, so no postponed annotations here.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from services.archive.adapters.reads import Reads
from services.archive.domain.stored import StoredEvent, conforms
from services.archive.stats.queries import load_units
from services.archive.stats.tail import StoreTail
from services.archive.web.stream import breach_events, start_position
from services.archive.web.views import board
from shared.auth import Principal
from shared.db import Database
from shared.envelope import now_utc

#: A board is folded again when the store grew, or after this long (deadlines pass as time goes on).
BOARD_FRESH_S = 5.0
BOARD_TYPES = ["ReportSubmitted", "ReportApproved", "ReportRejected", "ReportForwarded", "IncidentRegraded",
               "DeadlineBreached", "BreachAcknowledged", "DeadlineApproaching"]
#: Breaches on one page of the board, unless the page asks for another number.
BREACHES_PER_PAGE = 30


class EventStream(StreamingResponse):
    """Server-sent events (so the OpenAPI document says ``text/event-stream``)."""

    media_type = "text/event-stream"


def router(db: Database, auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1")
    reads = Reads(db)
    board_events: StoreTail[StoredEvent] = StoreTail(BOARD_TYPES, lambda event: event if conforms(event) else None)
    boards: dict[tuple[int, frozenset[str] | None, str], tuple[float, dict[str, Any]]] = {}

    @api.get("/streams/breaches", response_class=EventStream)
    async def stream_breaches(request: Request, principal: Annotated[Principal, Depends(auth)]) -> EventStream:
        after = await start_position(db.pool, request)
        return EventStream(breach_events(db.pool, reads, request, principal, after),
                           headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @api.get("/board")
    async def get_board(principal: Annotated[Principal, Depends(auth)],
                        breaches_offset: Annotated[int, Query(ge=0)] = 0,
                        breaches_limit: Annotated[int, Query(ge=1, le=200)] = BREACHES_PER_PAGE) -> dict[str, Any]:
        """The board; its ``breaches`` are one page (newest first) of ``breaches_total``."""
        units = await load_units(db.pool)
        events = await board_events.refresh(db.pool)
        scope = await reads.scope(principal)
        key = (board_events.position, None if scope is None else frozenset(scope), principal.clearance)
        made_at, view = boards.get(key, (0.0, {}))
        if time.monotonic() - made_at > BOARD_FRESH_S:
            view = await asyncio.to_thread(board, events, scope, now_utc(), principal.clearance)
            for stale in [k for k in boards if k[0] != key[0]]:
                del boards[stale]
            boards[key] = (time.monotonic(), view)
        breaches = view["breaches"]
        return {**view, "breaches": breaches[breaches_offset:breaches_offset + breaches_limit],
                "breaches_total": len(breaches), "breaches_offset": breaches_offset, "breaches_limit": breaches_limit,
                "unit_names": {u: info.name for u, info in units.items()}}

    return api
