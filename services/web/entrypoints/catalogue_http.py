"""``GET /v1/categories``: the incident categories the report form offers (类别), from the policy pack that governs
the unit — the same pack files and the same choice (``assignments.yaml``: by unit id, then unit kind, else the
default) intake applies when it checks a report's ``category``. For the pages (the session cookie)."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from services.web.domain.sessions import Session
from shared.policy import pack_for


def categories_of(unit_id: str, unit_kind: str | None) -> dict[str, Any]:
    """The unit's pack and its categories in the pack's order: code, Chinese and English name."""
    pack = pack_for(unit_id=unit_id, unit_kind=unit_kind)
    return {"policy": pack.ref, "categories": [{"code": code, "zh": c.name.zh, "en": c.name.en}
                                               for code, c in pack.categories.items()]}


def router(session: Callable[..., Awaitable[Session]]) -> APIRouter:
    api = APIRouter(prefix="/v1", include_in_schema=False)

    @api.get("/categories")
    async def categories(current: Annotated[Session, Depends(session)],
                         unit_id: Annotated[str | None, Query(max_length=100)] = None,
                         kind: Annotated[str | None, Query(max_length=100)] = None) -> dict[str, Any]:
        """The categories for ``unit_id`` (default: the signed-in person's unit) of kind ``kind``."""
        return categories_of(unit_id or current.account.unit or "", kind)

    return api
