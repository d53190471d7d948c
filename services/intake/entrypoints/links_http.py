"""Intake's incident links (issue 17, docs/api.md): ``POST /v1/incidents/{incident_id}/links``.

FastAPI resolves the routes' Annotated dependencies at run time, so no postponed annotations here.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.intake.domain.links import LINKERS
from services.intake.link import Linker
from shared.auth import Principal
from shared.http import Answer, require_roles
from shared.storable import storable_text

Text = Annotated[str, AfterValidator(storable_text)]


class LinkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    duplicate_id: Text = Field(min_length=1, max_length=200, description="重复事件：并入本事件的那个事件编号。")
    reason: Text = Field(min_length=1, max_length=2000, description="合并理由 (why the two are one incident).")


def router(linker: Linker, auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.post("/incidents/{incident_id}/links", status_code=202,
              summary="合并重复事件（值班员） / link a duplicate incident to this one (duty officer)")
    async def link(incident_id: str, body: LinkBody, principal: Annotated[Principal, Depends(auth)]) -> Answer:
        require_roles(principal, *LINKERS)
        answer: dict[str, Any] = await linker.link(principal, incident_id, body.duplicate_id, body.reason)
        return Answer(answer, status_code=202)

    return api
