"""Intake's report API (contract §Intake): ``POST /v1/reports``.

The body is read raw and checked by ``services.intake.domain.validation`` so that every bad field
is named in Chinese and English at once. FastAPI resolves the routes' Annotated dependencies at
run time, so no postponed annotations here.
"""

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from services.intake.domain.messages import field_error
from services.intake.submit import Intake
from shared.auth import Principal
from shared.http import Problem, require_roles
from shared.logging import get_logger
from shared.report import Report
from shared.transient import TRANSIENT

log = get_logger(__name__)
SUBMITTERS = ("reporter", "approver", "principal")
REPORT_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": Report.model_json_schema(ref_template="#/components/schemas/{model}")}}}}


async def json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Problem(422, "Invalid JSON", f"请求正文不是有效的 JSON / The body is not valid JSON: {exc}",
                      [field_error("body", "不是有效的 JSON", "is not valid JSON", "json_invalid")]) from exc


def router(intake: Intake, auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.post("/reports", status_code=202, openapi_extra=REPORT_BODY,
              summary="提交报告（首报/续报/终报） / submit a report")
    async def submit_report(
        request: Request, principal: Annotated[Principal, Depends(auth)],
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> JSONResponse:
        require_roles(principal, *SUBMITTERS)
        raw = await json_body(request)
        try:
            answer = await intake.submit(raw, unit_id=principal.unit, actor=principal.subject, key=idempotency_key)
        except TRANSIENT as exc:
            log.warning("report not accepted: a dependency is unavailable", error=repr(exc))
            raise Problem(503, "Service unavailable", "暂时无法受理，请稍后用同一 Idempotency-Key 重试。"
                          " / Not accepted for now: retry later with the same Idempotency-Key.") from exc
        log.info("report submitted", report_id=answer["report_id"], incident_id=answer["incident_id"])
        return JSONResponse(answer, status_code=202)

    return api
