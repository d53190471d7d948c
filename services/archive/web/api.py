"""The pages' read endpoints: the breach stream, the duty board and the incident replay.

FastAPI resolves the routes' Annotated dependencies at run time, so no postponed annotations here.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from services.archive.stats.queries import incident_events, load_units
from services.archive.stats.tail import StoreTail, as_dict
from services.archive.web.access import may_see, visible_units
from services.archive.web.stream import breach_events, start_position
from services.archive.web.views import board, replay
from shared.auth import Principal
from shared.db import Database
from shared.envelope import now_utc
from shared.http import Problem

#: A board is folded again when the store grew, or after this long (deadlines pass as time goes on).
BOARD_FRESH_S = 5.0
BOARD_TYPES = ["ReportSubmitted", "ReportApproved", "ReportRejected", "ReportForwarded", "IncidentRegraded",
               "DeadlineBreached", "DeadlineApproaching"]


def router(db: Database, auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1")
    board_events = StoreTail(BOARD_TYPES, as_dict)
    boards: dict[tuple[int, frozenset[str] | None], tuple[float, dict[str, Any]]] = {}

    @api.get("/streams/breaches")
    async def stream_breaches(request: Request, principal: Annotated[Principal, Depends(auth)]) -> StreamingResponse:
        after = await start_position(db.pool, request)
        return StreamingResponse(breach_events(db.pool, request, principal, after), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @api.get("/board")
    async def get_board(principal: Annotated[Principal, Depends(auth)]) -> dict[str, Any]:
        units = await load_units(db.pool)
        events = await board_events.refresh(db.pool)
        scope = visible_units(principal, units)
        key = (board_events.position, None if scope is None else frozenset(scope))
        made_at, view = boards.get(key, (0.0, {}))
        if time.monotonic() - made_at > BOARD_FRESH_S:
            view = await asyncio.to_thread(board, events, scope, now_utc())
            for stale in [k for k in boards if k[0] != key[0]]:
                del boards[stale]
            boards[key] = (time.monotonic(), view)
        return {**view, "unit_names": {u: info.name for u, info in units.items()}}

    @api.get("/incidents/{incident_id}/replay")
    async def get_replay(incident_id: str, principal: Annotated[Principal, Depends(auth)],
                         as_of: Annotated[datetime | None, Query()] = None) -> dict[str, Any]:
        if as_of is not None and as_of.tzinfo is None:
            raise Problem(422, "Invalid request", "as_of needs an offset (ISO 8601, e.g. …+08:00).",
                          [{"field": "as_of", "message": "time without offset", "type": "timezone"}])
        events = await incident_events(db.pool, incident_id)
        if not events:
            raise Problem(404, "Not found", f"No incident with id {incident_id!r} is in the archive (yet).")
        view, units = replay(events, as_of), await load_units(db.pool)
        if not may_see(visible_units(principal, units), view["involved_units"]):
            raise Problem(403, "Forbidden", "This incident concerns no unit within your token's scope.")
        return {**view, "unit_names": {u: units[u].name for u in view["involved_units"] if u in units}}

    return api
