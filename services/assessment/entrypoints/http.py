"""Assessment's read API: ``/v1/scores`` (考核得分) and ``/v1/board`` (公示栏).

Scores and the board are public within the system (the 公示栏 is posted for every unit to see): any caller
with a valid token reads every unit's figures, whatever its unit, role or clearance. They hold counts and
points only, never an item's text.

FastAPI resolves the routes' Annotated dependencies at run time, so no postponed annotations here.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from services.assessment.entrypoints.board_page import render_board
from services.assessment.service_layer.scores import Scores
from shared.auth import Principal
from shared.envelope import now_utc
from shared.http import Problem
from shared.periods import Period, parse_period, period_containing
from shared.report import MAX_YEAR, MIN_YEAR, in_year_bounds

PERIOD_HELP = "2026-11 (a month), 2026-Q4 (a quarter) or 2026 (a year), Beijing time; default: this month."
AS_OF_HELP = "The score as the events recorded by this time give it (with its UTC offset); default: now."


def _invalid(field: str, zh: str, en: str, kind: str) -> Problem:
    return Problem(422, "Invalid request", f"{field}: {zh} / {en}",
                   [{"field": field, "message": zh, "message_en": en, "type": kind}])


def period_of(value: str | None) -> Period:
    if value is None:
        return period_containing(now_utc(), "month")
    try:
        return parse_period(value)
    except ValueError as exc:
        zh = f"应为 {MIN_YEAR}–{MAX_YEAR} 年间的月份 YYYY-MM、季度 YYYY-Qn 或年份 YYYY，例如 2026-11、2026-Q4、2026"
        en = (f"must be a month YYYY-MM, a quarter YYYY-Qn or a year YYYY in the years {MIN_YEAR}–{MAX_YEAR},"
              " e.g. 2026-11, 2026-Q4, 2026")
        raise _invalid("period", zh, en, "period_invalid") from exc


def as_of_of(value: datetime | None) -> datetime:
    if value is None:
        return now_utc()
    if value.tzinfo is None:
        raise _invalid("as_of", "时间必须带时区，例如 2026-11-23T09:00:00+08:00",
                       "the time needs a UTC offset, e.g. 2026-11-23T09:00:00+08:00", "timezone_aware")
    if not in_year_bounds(value):
        raise _invalid("as_of", f"时间应在 {MIN_YEAR}–{MAX_YEAR} 年之间（按 UTC 换算后亦然）",
                       f"the time must fall in the years {MIN_YEAR}–{MAX_YEAR}, also in UTC", "time_out_of_range")
    return value


def router(scores: Scores, auth: Callable[..., Awaitable[Principal]],
           page_auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.get("/scores", summary="考核得分 / the units' scores for a month, quarter or year, ranked",
             response_class=JSONResponse, responses={200: {"content": {"application/json": {"schema": {
                 "type": "object", "additionalProperties": True}}}, "description": "Every unit's score"}})
    async def get_scores(principal: Annotated[Principal, Depends(auth)],
                         period: Annotated[str | None, Query(description=PERIOD_HELP)] = None,
                         as_of: Annotated[datetime | None, Query(description=AS_OF_HELP)] = None) -> Response:
        """Answered as is (plain JSON values): no per-field encoding pass over hundreds of rows."""
        return JSONResponse(await scores.scores(period_of(period), as_of_of(as_of)))

    @api.get("/board", summary="公示栏 / each unit's counts and adoptions by publication (JSON, or HTML to post)",
             response_class=JSONResponse, responses={200: {"content": {"text/html": {}},
                                                          "description": "JSON, or a page with format=html"}})
    async def get_board(principal: Annotated[Principal, Depends(page_auth)],
                        period: Annotated[str | None, Query(description=PERIOD_HELP)] = None,
                        as_of: Annotated[datetime | None, Query(description=AS_OF_HELP)] = None,
                        format: Annotated[Literal["json", "html"], Query()] = "json") -> Response:
        board = await scores.board(period_of(period), as_of_of(as_of))
        if format == "html":
            return HTMLResponse(render_board(board))
        return JSONResponse(board)

    return api
