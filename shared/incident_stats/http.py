"""Statistics endpoints: ``/v1/stats/units`` (contract §Archive), the months' totals, the monthly report —
the same routes in the archive (its in-memory fold) and in assessment (its SQL aggregates), each giving the
figures its own way (``MonthFigures``).

FastAPI resolves the routes' Annotated dependencies at run time, so no postponed annotations here.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from shared.auth import Principal
from shared.http import Problem
from shared.incident_stats.figures import SHANGHAI, parse_period, period_of
from shared.incident_stats.report import render_html
from shared.pdf import Format, document_response
from shared.report import MAX_YEAR, MIN_YEAR

#: ``(period, history)`` → ``{"period", "units", "totals", "months"}`` (``shared.incident_stats.figures``):
#: the month per unit, and the totals of the ``history`` months ending with it.
MonthFigures = Callable[[str, int], Awaitable[dict[str, Any]]]
REPORT_MONTHS = 6  # the monthly report's trend chart


def _period(value: str | None, field: str = "period") -> str:
    if value is None:
        return period_of(datetime.now(SHANGHAI))
    try:
        return parse_period(value)
    except ValueError as exc:
        zh, en = f"应为 {MIN_YEAR}–{MAX_YEAR} 年间的年月 YYYY-MM，例如 2026-11", \
            f"must be a month YYYY-MM in the years {MIN_YEAR}–{MAX_YEAR}, e.g. 2026-11"
        raise Problem(422, "Invalid request", f"{field}: {zh} / {en}",
                      [{"field": field, "message": zh, "message_en": en, "type": "value_error"}]) from exc


def _read_echarts(path: Path | None) -> str:
    if path is None or not path.exists():
        raise Problem(503, "Charts unavailable", f"图表脚本缺失，请运行 ./baosong up / {path} is missing: run"
                      " './baosong up' (it fetches ECharts).")
    return path.read_text(encoding="utf-8")


def router(month: MonthFigures, auth: Callable[..., Awaitable[Principal]], echarts: Path | None,
           chromium: Path | None) -> APIRouter:
    """Statistics are the 公示栏: any signed-in viewer sees every unit's figures."""
    api = APIRouter(prefix="/v1/stats")

    @api.get("/units")
    async def units(principal: Annotated[Principal, Depends(auth)],
                    period: Annotated[str | None, Query()] = None) -> dict[str, Any]:
        figures = await month(_period(period), 1)
        return {"period": figures["period"], "units": figures["units"], "totals": figures["totals"]}

    @api.get("/months")
    async def months(principal: Annotated[Principal, Depends(auth)],
                     until: Annotated[str | None, Query()] = None,
                     count: Annotated[int, Query(ge=1, le=24)] = 6) -> dict[str, Any]:
        figures = await month(_period(until, "until"), count)
        return {"months": figures["months"]}

    @api.get("/report", response_class=HTMLResponse,
             responses={200: {"content": {"application/pdf": {}}, "description": "HTML, or PDF with format=pdf"}})
    async def report(principal: Annotated[Principal, Depends(auth)],
                     period: Annotated[str | None, Query()] = None,
                     format: Annotated[Format, Query()] = "html") -> Response:
        figures = await month(_period(period), REPORT_MONTHS)
        html = render_html(figures, _read_echarts(echarts))
        return await document_response(html, f"baosong-monthly-{figures['period']}", format, chromium)

    return api
