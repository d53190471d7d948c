"""Documents: ``/v1/documents/{period}`` (月度通报 / 季度通报 / 年度考核) and ``/v1/bulletins/{publication}/{issue}``
(an issue of a publication), as HTML or A4 PDF.

A document is an office's: ``unit_id`` (default: the caller's unit) issues it; a score document covers the units
under that office, ranked among themselves; a bulletin holds the items that office's editors adopted into the
issue. Scores are public within the system (any valid token); a bulletin shows an item's text only to readers
cleared for its classification.

FastAPI resolves the routes' Annotated dependencies at run time, so no postponed annotations here.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from services.assessment.entrypoints.http import AS_OF_HELP, as_of_of, period_of
from services.assessment.service_layer.documents import Documents, Frame, UnknownUnit
from shared.auth import Principal
from shared.http import Problem
from shared.pdf import Format, document_response

UNIT_HELP = "The issuing office (its unit id); default: the caller's unit."
ADDRESSEES_HELP = "主送机关 (to whom); default 各有关单位."
HTML_OR_PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "HTML, or an A4 PDF with format=pdf"}}
NUMBER_HELP = "发文字号, e.g. 县政办信〔2026〕11号; default none."


def _frame(principal: Principal, unit_id: str | None, as_of: datetime | None, addressees: str | None = None,
           number: str | None = None) -> Frame:
    office = unit_id or principal.unit
    if office is None:
        raise Problem(422, "Invalid request", "unit_id: 请指明发文单位 / name the issuing office (unit_id)",
                      [{"field": "unit_id", "message": "请指明发文单位", "message_en": "name the issuing office",
                        "type": "missing"}])
    return Frame(unit_id=office, as_of=as_of_of(as_of), addressees=addressees, number=number)


def _unknown(exc: UnknownUnit) -> Problem:
    return Problem(404, "Not found", f"没有单位 {exc} / no unit {exc}")


def router(documents: Documents, auth: Callable[..., Awaitable[Principal]], chromium: Path | None) -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.get("/documents/{period}", summary="考核文书 / the newsletter (month), notice (quarter) or year-end "
             "assessment (year) of an office, as HTML or A4 PDF", response_class=HTMLResponse, responses=HTML_OR_PDF)
    async def score_document(
            principal: Annotated[Principal, Depends(auth)], period: str,
            unit_id: Annotated[str | None, Query(max_length=100, description=UNIT_HELP)] = None,
            addressees: Annotated[str | None, Query(max_length=200, description=ADDRESSEES_HELP)] = None,
            number: Annotated[str | None, Query(max_length=100, description=NUMBER_HELP)] = None,
            as_of: Annotated[datetime | None, Query(description=AS_OF_HELP)] = None,
            format: Annotated[Format, Query()] = "html") -> Response:
        frame = _frame(principal, unit_id, as_of, addressees, number)
        chosen = period_of(period)
        try:
            html = await documents.score_document(chosen, frame)
        except UnknownUnit as exc:
            raise _unknown(exc) from exc
        return await document_response(html, f"{frame.unit_id}-{chosen.name}", format, chromium)

    @api.get("/bulletins/{publication}/{issue}", summary="刊物 / an issue of an office's publication compiled from "
             "the items adopted into it, as HTML or A4 PDF", response_class=HTMLResponse, responses=HTML_OR_PDF)
    async def bulletin(
            principal: Annotated[Principal, Depends(auth)], publication: str, issue: str,
            unit_id: Annotated[str | None, Query(max_length=100, description=UNIT_HELP)] = None,
            as_of: Annotated[datetime | None, Query(description=AS_OF_HELP)] = None,
            format: Annotated[Format, Query()] = "html") -> Response:
        frame = _frame(principal, unit_id, as_of)
        try:
            html = await documents.bulletin(publication, issue, frame, clearance=principal.clearance)
        except UnknownUnit as exc:
            raise _unknown(exc) from exc
        return await document_response(html, "bulletin", format, chromium)

    return api
