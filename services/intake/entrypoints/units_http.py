"""The unit directory's API: ``PUT /v1/units/{unit_id}`` (admin), ``GET /v1/units[/{unit_id}]``.

A registration is published as ``UnitRegistered`` (keyed by unit id) and, once Kafka has it, written
to intake's directory at once, so the next request (a child unit, a report) can use it; the units
consumer writes the same event again for every other intake instance. An unchanged PUT publishes
nothing. No postponed annotations here (FastAPI resolves the Annotated dependencies at run time).
"""

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.intake.adapters.store import IntakeStore
from services.intake.domain.bounds import refuse_unsafe, unsafe_fields
from services.intake.domain.messages import field_error, friendly
from services.intake.domain.units import LEVEL_RANK, UnitIn, directory_faults, missing_parents, registered, same
from services.intake.entrypoints.http import json_body
from services.intake.submit import Publish
from shared.auth import Principal
from shared.envelope import Envelope, now_utc
from shared.events import UnitRegistered
from shared.http import Answer, Problem, require_roles
from shared.logging import get_logger

log = get_logger(__name__)
UNIT_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": UnitIn.model_json_schema(ref_template="#/components/schemas/{model}")}}}}
UnitId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^/\s\x00-\x1f\x7f]+$")]


def router(store: IntakeStore, publish_unit: Publish, auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.put("/units/{unit_id}", openapi_extra=UNIT_BODY, summary="登记或更新单位 / register or update a unit",
             responses={200: {"description": "已更新或无变化 / updated, or unchanged (changed: false)"},
                        201: {"description": "新登记 / registered", "content": {"application/json": {}}}})
    async def put_unit(unit_id: UnitId, request: Request,
                       principal: Annotated[Principal, Depends(auth)]) -> JSONResponse:
        require_roles(principal, "admin")
        raw = await json_body(request)
        refuse_unsafe(unsafe_fields(raw))
        try:
            unit = UnitIn.model_validate(raw)
        except ValidationError as exc:
            errors = friendly(exc.errors())
            raise Problem(422, "Invalid unit", "请修改单位信息 / Fix the unit: "
                          + ", ".join(e["field"] for e in errors), errors) from exc
        known = await store.units([unit_id, *(p for p in (unit.parent_id, unit.department_parent_id) if p)])
        missing = missing_parents(unit_id, unit, known)
        if missing:
            raise Problem(422, "Unknown parent unit", "上级单位未登记，请先登记上级 / Register the parent first: "
                          + ", ".join(missing), [field_error(f, f"单位“{getattr(unit, f)}”未登记",
                                                             f"unit {getattr(unit, f)!r} is not registered",
                                                             "unknown_unit") for f in missing])
        directory: dict[str, UnitRegistered] = {}
        for parent in {p for p in (unit.parent_id, unit.department_parent_id) if p and p != unit_id}:
            directory.update(await store.lineage(parent))
        faults = directory_faults(unit_id, unit, directory)
        if faults:
            raise Problem(422, "Unsound unit directory", "上级单位不合理 / Unsound parent: "
                          + ", ".join(f for f, _ in faults),
                          [_fault(name, kind, unit, directory) for name, kind in faults])
        event = registered(unit_id, unit)
        current = known.get(unit_id)
        body: dict[str, Any] = {**event.model_dump(mode="json"), "changed": current is None or not same(current, event)}
        if not body["changed"]:
            return Answer(body, status_code=200)
        now = now_utc()
        envelope = Envelope(id=str(uuid.uuid4()), source="/baosong/intake", type="UnitRegistered", subject=unit_id,
                            time=now, data=event.model_dump(mode="json"), partitionkey=unit_id,
                            actor=principal.subject, actorunit=principal.unit)
        await publish_unit(envelope)
        await store.put_unit(event, event_id=envelope.id, event_time=now)
        log.info("unit registered", unit_id=unit_id, event_id=envelope.id)
        return Answer(body, status_code=201 if current is None else 200)

    @api.get("/units", summary="单位目录 / the unit directory")
    async def list_units(principal: Annotated[Principal, Depends(auth)]) -> dict[str, Any]:
        return {"units": [u.model_dump(mode="json") for u in (await store.units()).values()]}

    @api.get("/units/{unit_id}", summary="单位 / one unit")
    async def get_unit(unit_id: UnitId, principal: Annotated[Principal, Depends(auth)]) -> dict[str, Any]:
        unit = (await store.units([unit_id])).get(unit_id)
        if unit is None:
            raise Problem(404, "Not found", f"单位“{unit_id}”未登记 / unit {unit_id!r} is not registered")
        return unit.model_dump(mode="json")

    return api


def _fault(name: str, kind: str, unit: UnitIn, directory: dict[str, UnitRegistered]) -> dict[str, str]:
    parent_id = getattr(unit, name)
    if kind == "cycle":
        return field_error(name, f"以“{parent_id}”为上级会形成循环（单位不能是自己的上级或下级的下级）",
                           f"{parent_id!r} as the parent would make a cycle (a unit cannot sit above itself)",
                           "cycle")
    parent_level = directory[parent_id].level if parent_id in directory else unit.level
    return field_error(name, f"上级“{parent_id}”的层级（{parent_level}）低于本单位（{unit.level}），层级从高到低为"
                       f"{' > '.join(LEVEL_RANK)}，organization 只能挂在其他单位之下",
                       f"the parent {parent_id!r} ({parent_level}) is of a lower level than this unit ({unit.level});"
                       f" levels run {' > '.join(LEVEL_RANK)}, and only an organization may hang under an"
                       " organization", "lower_level")
