"""The archive's read API (contract §Archive).

FastAPI resolves the routes' Annotated dependencies at run time, so no postponed annotations here.
"""


import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from services.archive.adapters.store import EventStore
from services.archive.domain.report_state import fold_report
from shared.auth import Principal
from shared.http import Problem

SEE_ALL = ("investigator", "admin")


def router(store: EventStore, auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.get("/reports/{report_id}")
    async def get_report(report_id: str, principal: Annotated[Principal, Depends(auth)]) -> dict[str, Any]:
        rows = await store.events_of_report(report_id)
        state = fold_report([(r["type"], json.loads(r["data"])) for r in rows])
        if state is None:
            raise Problem(404, "Not found", f"No report with id {report_id!r} is in the archive (yet).")
        involved = {state["reporting_unit"], *state["forwarded_to"]}
        if not principal.has_any(*SEE_ALL) and principal.unit not in involved:
            raise Problem(403, "Forbidden", "This report belongs to a unit outside your token's scope.")
        return state

    return api
