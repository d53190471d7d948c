"""Intake's report API (contract §Intake): ``POST /v1/reports``.

The body is read raw and checked by ``services.intake.domain.validation`` so that every bad field
is named in Chinese and English at once. FastAPI resolves the routes' Annotated dependencies at
run time, so no postponed annotations here.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from services.intake.domain.bounds import MAX_BODY_BYTES, identifier_errors, parse_json, refuse_unsafe
from services.intake.submit import Intake
from shared.auth import Principal
from shared.http import Answer, require_roles
from shared.logging import get_logger
from shared.report import Report

log = get_logger(__name__)
SUBMITTERS = ("reporter", "approver", "principal")
REPORT_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": Report.model_json_schema(ref_template="#/components/schemas/{model}")}}}}


async def json_body(request: Request) -> Any:
    """The body's JSON value; 422 naming ``body`` when it is not JSON, too deep, or (read no further) too large."""
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY_BYTES:
            break
    return parse_json(data)


def router(intake: Intake, auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.post("/reports", status_code=202, openapi_extra=REPORT_BODY,
              summary="提交报告（首报/续报/终报） / submit a report")
    async def submit_report(
        request: Request, principal: Annotated[Principal, Depends(auth)],
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> JSONResponse:
        require_roles(principal, *SUBMITTERS)
        if idempotency_key is not None:
            refuse_unsafe(identifier_errors(idempotency_key, "header:Idempotency-Key"))
        raw = await json_body(request)
        answer = await intake.submit(raw, unit_id=principal.unit, actor=principal.subject, key=idempotency_key)
        log.info("report submitted", report_id=answer["report_id"], incident_id=answer["incident_id"])
        return Answer(answer, status_code=202)

    return api
