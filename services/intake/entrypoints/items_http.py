"""Intake's work-information API (contract "Work information"): ``POST /v1/items``.

The body is read raw and checked by ``services.intake.submit_item`` so that every bad field is named in
Chinese and English at once. FastAPI resolves the routes' Annotated dependencies at run time, so no
postponed annotations here.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field

from services.intake.domain.bounds import identifier_errors, refuse_unsafe
from services.intake.entrypoints.http import SUBMITTERS, json_body
from services.intake.submit_item import ItemIntake
from shared.auth import Principal
from shared.http import Answer, require_roles
from shared.item import Item
from shared.logging import get_logger

log = get_logger(__name__)

EXAMPLE_ITEM: dict[str, Any] = {
    "reporting_unit": "town-a-office", "kind": "news", "title": "城关镇推进秸秆禁烧",
    "body": "11月23日，城关镇组织干部分片包村，巡查田间地头，全镇未发生露天焚烧秸秆。",
    "author": {"name": "李明", "phone": "13800000000"}, "section": "党政办", "request_id": None,
    "happened_on": "2026-11-23", "classification": "internal",
}
ITEM_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": Item.model_json_schema(ref_template="#/components/schemas/{model}"),
    "examples": {"news": {"summary": "工作动态 / a news item", "value": EXAMPLE_ITEM}}}}}}


class Receipt(BaseModel):
    """回执凭证: intake's Ed25519 signature over the other four fields (``./baosong verify-receipt``)."""

    id: str = Field(description="The item id.")
    content_sha256: str
    received_at: str
    key_id: str
    signature: str


class ItemAccepted(BaseModel):
    """The answer once Kafka has the item's ``ItemSubmitted``."""

    item_id: str = Field(examples=["itm-0f1e8a52-8f4c-5d1e-9a57-2f3c6b1d9e10"])
    received_at: AwareDatetime
    policy: str = Field(description="The writing unit's information pack, name@version.", examples=["info-county@1"])
    due_at: AwareDatetime | None = Field(description="When the item must have left its unit (+08:00); null: no due "
                                         "time for its kind.", examples=["2026-11-25T00:00:00+08:00"])
    receipt: Receipt
    warnings: list[dict[str, str]] = Field(description="Accepted, but: request_not_checked, past_due.")


ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"model": ItemAccepted, "description": "已受理，Kafka 已确认 / Accepted: Kafka has the item."}}


def router(items: ItemIntake, auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.post("/items", status_code=202, openapi_extra=ITEM_BODY, response_model=None, responses=ACCEPTED,
              summary="报送信息（工作动态、要情、调研、舆情、新媒体） / submit a work-information item")
    async def submit_item(
        request: Request, principal: Annotated[Principal, Depends(auth)],
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> JSONResponse:
        """A unit's own item (``reporting_unit`` = the token's unit); due time from the unit's information pack."""
        require_roles(principal, *SUBMITTERS)
        if idempotency_key is not None:
            refuse_unsafe(identifier_errors(idempotency_key, "header:Idempotency-Key"))
        raw = await json_body(request)
        answer = await items.submit(raw, unit_id=principal.unit, actor=principal.subject, key=idempotency_key)
        log.info("item submitted", item_id=answer["item_id"], policy=answer["policy"])
        return Answer(answer, status_code=202)

    return api
