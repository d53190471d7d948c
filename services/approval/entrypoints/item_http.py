"""Approval's work-information API (docs/work-information/approval.md): items' sign-off, receipts, adoption,
forwarding (转报), instructions (批示), commissioned requests (约稿), and what the item pages read.

FastAPI resolves the routes' Annotated dependencies at run time, so no postponed annotations here.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from services.approval.domain.signoff import Refused
from services.approval.entrypoints.http import problem
from services.approval.service_layer.arrival_wait import ArrivalWait
from services.approval.service_layer.item_actions import ItemActions
from services.approval.service_layer.item_reads import ItemReads
from services.approval.service_layer.item_requests import RequestBody, Requests
from shared.access import DEFAULT, Level
from shared.auth import Principal
from shared.http import Answer
from shared.item import InstructionLevel
from shared.storable import storable_text

Text = Annotated[str, AfterValidator(storable_text)]
UnitId = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(storable_text)]


class ItemDecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "reject"]
    comment: Text = Field(default="", max_length=5000, description="意见；退回时必填 (required to reject).")
    skip_steps: bool = Field(default=False, description="紧急情况下越过尚未签署的步骤（策略包 emergency_skip_by"
                             " 允许时） / pass over waiting steps in an emergency, where the pack allows it.")


class AdoptionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    publication: Text = Field(min_length=1, max_length=100, examples=["要情快报"])
    issue: Text = Field(min_length=1, max_length=100, examples=["2026年第45期"])


class InstructionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: InstructionLevel
    text: Text = Field(min_length=1, max_length=5000)


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_units: list[UnitId] = Field(min_length=1, max_length=500)
    topic: Text = Field(min_length=1, max_length=500)
    due_at: AwareDatetime
    classification: Level = DEFAULT

    @field_validator("to_units")
    @classmethod
    def _once_each(cls, units: list[str]) -> list[str]:
        return list(dict.fromkeys(units))


def router(actions: ItemActions, reads: ItemReads, requests: Requests,
           auth: Callable[..., Awaitable[Principal]], arrival: ArrivalWait) -> APIRouter:
    api = APIRouter(prefix="/v1")
    Caller = Annotated[Principal, Depends(auth)]

    async def answered(action: Awaitable[dict[str, Any]], status: int = 202) -> JSONResponse:
        try:
            return Answer(await action, status_code=status)
        except Refused as exc:
            raise problem(exc) from exc

    @api.post("/items/{item_id}/decisions", status_code=202)
    async def decide(item_id: str, body: ItemDecisionBody, principal: Caller) -> JSONResponse:
        await arrival.item(item_id)
        return await answered(actions.decide(principal, item_id, body.decision, body.comment, body.skip_steps))

    @api.post("/items/{item_id}/receipts", status_code=202)
    async def acknowledge(item_id: str, principal: Caller) -> JSONResponse:
        await arrival.item(item_id)
        return await answered(actions.acknowledge(principal, item_id))

    @api.post("/items/{item_id}/adoptions", status_code=202)
    async def adopt(item_id: str, body: AdoptionBody, principal: Caller) -> JSONResponse:
        await arrival.item(item_id)
        return await answered(actions.adopt(principal, item_id, body.publication, body.issue))

    @api.post("/items/{item_id}/forwardings", status_code=202)
    async def forward(item_id: str, principal: Caller) -> JSONResponse:
        await arrival.item(item_id)
        return await answered(actions.forward(principal, item_id))

    @api.post("/items/{item_id}/instructions", status_code=202)
    async def instruct(item_id: str, body: InstructionBody, principal: Caller) -> JSONResponse:
        await arrival.item(item_id)
        return await answered(actions.instruct(principal, item_id, body.level, body.text))

    @api.post("/requests", status_code=202)
    async def issue(body: RequestIn, principal: Caller,
                    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None,
                    ) -> JSONResponse:
        request = RequestBody(body.to_units, body.topic, body.due_at, body.classification)
        return await answered(requests.issue(principal, request, idempotency_key=idempotency_key))

    @api.get("/items/{item_id}")
    async def item(item_id: str, principal: Caller) -> JSONResponse:
        return await answered(reads.item(principal, item_id), 200)

    @api.get("/items")
    async def queue(principal: Caller, unit_id: str | None = None,
                    everything: Annotated[bool, Query(alias="all", description="everything the unit wrote or"
                                                      " received, newest first")] = False,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> JSONResponse:
        return await answered(reads.queue(principal, unit_id, everything=everything, limit=limit), 200)

    @api.get("/requests")
    async def requests_of(principal: Caller, unit_id: str | None = None,
                          limit: Annotated[int, Query(ge=1, le=500)] = 100) -> JSONResponse:
        return await answered(reads.requests(principal, unit_id, limit=limit), 200)

    return api
