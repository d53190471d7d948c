"""Every service's records set aside: ``GET /v1/parked`` and ``POST /v1/parked/{id}/retry`` (admin)."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from shared.auth import Principal
from shared.consumer import Consumers, NotRetryable
from shared.http import Problem, require_roles
from shared.parking import parked_json


def _parked_id(consumers: Consumers, text: str) -> int:
    """``approval-12`` or ``12`` → 12 (the service prefix must be this service's)."""
    service, _, number = text.rpartition("-")
    if (service and service != consumers.service) or not number.isdigit() or len(number) > 18:
        raise Problem(404, "Not found", f"没有编号为“{text}”的搁置记录。 / No parked record {text!r} in "
                      f"{consumers.service} (ids look like {consumers.service}-12).")
    return int(number)


def parked_router(consumers: Consumers, auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1/parked", tags=["parked"])

    @api.get("", summary="搁置的记录 / records set aside by this service's consumers")
    async def list_parked(principal: Annotated[Principal, Depends(auth)],
                          state: Literal["parked", "resolved", "all"] = "parked",
                          limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
        require_roles(principal, "admin")
        rows = await consumers.parking.list(state=None if state == "all" else state, limit=limit)
        return {"service": consumers.service, "parked": [parked_json(p, consumers.service) for p in rows]}

    @api.post("/{parked_id}/retry", summary="重新处理一条搁置的记录 / apply a parked record again")
    async def retry_parked(parked_id: str, principal: Annotated[Principal, Depends(auth)]) -> dict[str, Any]:
        require_roles(principal, "admin")
        number = _parked_id(consumers, parked_id)
        try:
            outcome = await consumers.retry(number)
        except LookupError as exc:
            raise Problem(404, "Not found", f"没有编号为“{parked_id}”的搁置记录。 / No parked record "
                          f"{parked_id!r} in {consumers.service}.") from exc
        except NotRetryable as exc:
            raise Problem(409, "Not retryable", str(exc)) from exc
        return {**outcome, "id": f"{consumers.service}-{number}"}

    return api
