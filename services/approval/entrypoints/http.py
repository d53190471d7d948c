"""Approval's HTTP API (contract §Approval, docs/approval.md).

FastAPI resolves the routes' Annotated dependencies at run time, so no postponed annotations here.
"""


from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.approval.adapters import views
from services.approval.domain.signoff import Refused
from services.approval.service_layer.actions import Actions, DecisionRequest, not_found
from services.approval.service_layer.arrival_wait import ArrivalWait
from shared.access import shown
from shared.auth import Principal
from shared.db import Database
from shared.http import Answer, Problem
from shared.storable import storable_text

SEE_ALL = ("investigator", "admin")


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "reject"]
    comment: Annotated[str, AfterValidator(storable_text)] = Field(
        default="", max_length=5000, description="意见；退回时必填 (required to reject).")
    emergency: bool = Field(default=False, description="紧急越级上报：仅当策略包允许该等级时 (pack's emergency_skip).")
    skip_steps: bool = Field(default=False, description="紧急情况下越过尚未签署的步骤（策略包 emergency_skip_by"
                             " 允许时） / pass over waiting steps in an emergency, where the pack allows it.")


def problem(refused: Refused) -> Problem:
    errors = [{"field": refused.field, "message": refused.zh, "message_en": refused.en}] if refused.field else None
    return Problem(refused.status, refused.title, refused.detail, errors, refused.extra)


def router(db: Database, actions: Actions, auth: Callable[..., Awaitable[Principal]],
           arrival: ArrivalWait) -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.post("/reports/{report_id}/decisions", status_code=202)
    async def decide(report_id: str, body: DecisionBody,
                     principal: Annotated[Principal, Depends(auth)]) -> JSONResponse:
        await arrival.report(report_id)
        try:
            answer = await actions.decide(principal, DecisionRequest(report_id, body.decision, body.comment,
                                                                     body.emergency, body.skip_steps))
        except Refused as exc:
            raise problem(exc) from exc
        return Answer(answer, status_code=202)

    @api.post("/reports/{report_id}/receipts", status_code=202)
    async def acknowledge(report_id: str, principal: Annotated[Principal, Depends(auth)]) -> JSONResponse:
        await arrival.report(report_id)
        try:
            answer = await actions.acknowledge(principal, report_id)
        except Refused as exc:
            raise problem(exc) from exc
        return Answer(answer, status_code=202)

    @api.get("/reports/{report_id}/receipts")
    async def receipts(report_id: str, principal: Annotated[Principal, Depends(auth)]) -> dict[str, Any]:
        async with db.pool.acquire() as conn:
            involved = await views.involved_units(conn, report_id)
            if not involved:
                raise problem(not_found(report_id))
            if not principal.has_any(*SEE_ALL) and principal.unit not in involved:
                raise Problem(403, "Forbidden", "该报告未经过本单位 / The report never passed through your unit.")
            return {"report_id": report_id, "forwards": await views.receipts(conn, report_id)}

    @api.get("/approvals")
    async def approvals(principal: Annotated[Principal, Depends(auth)],
                        unit_id: str | None = None) -> dict[str, Any]:
        unit = unit_id or principal.unit
        if unit is None:
            raise Problem(422, "Invalid request", "请指定单位 unit_id / A token without a unit must name one.",
                          [{"field": "unit_id", "message": "令牌未指明单位时必须填写",
                            "message_en": "required for a token without a unit"}])
        if unit != principal.unit and not principal.has_any(*SEE_ALL):
            raise Problem(403, "Forbidden", "只能查看本单位的队列 / Only your own unit's queue.")
        async with db.pool.acquire() as conn:
            items = await views.queue(conn, unit)
        return {"unit_id": unit, "items": [shown(item, principal.clearance) for item in items]}

    return api
