"""``POST /v1/breaches/{breach_id}/acknowledgements`` (已知悉): a duty officer of the breached unit or a unit
above it acknowledges a breach. The first acknowledgement is stored and published (BreachAcknowledged on
``baosong.breaches``, Kafka's acknowledgement awaited before the row commits); any later one, by anyone who may,
answers 200 with the first. No postponed annotations here (FastAPI resolves the Annotated dependencies at run
time).
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from services.escalation.adapters import acknowledgements as store
from services.escalation.adapters.publisher import Publisher
from services.escalation.domain.acknowledgements import (
    ACKNOWLEDGER,
    acknowledged_event,
    acknowledgement,
    may_acknowledge,
)
from services.escalation.domain.clock import Clock
from shared.auth import Principal
from shared.db import Database
from shared.http import Problem


def router(db: Database, publisher: Publisher, clock: Clock, auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1/breaches")

    @api.post("/{breach_id}/acknowledgements", status_code=201,
              summary="告警已知悉 / acknowledge a breach",
              responses={200: {"description": "已有人知悉：返回第一次的记录 / already acknowledged: the first"}})
    async def acknowledge(breach_id: Annotated[str, Path(min_length=1, max_length=200)],
                          principal: Annotated[Principal, Depends(auth)], response: Response) -> dict[str, Any]:
        """201 with who and when; 200 with the first acknowledgement when there is one already."""
        async with db.pool.acquire() as conn, conn.transaction():
            breach = await store.breach(conn, breach_id)
            if breach is None:
                raise Problem(404, "Not found", f"没有这条告警：{breach_id} / No breach {breach_id}")
            if not may_acknowledge(principal, await store.units_seeing(conn, breach.unit_id)):
                raise Problem(403, "Forbidden", f"只有被告警单位或其上级单位的值班员（{ACKNOWLEDGER}）可以确认知悉 / "
                              f"Only a duty officer ({ACKNOWLEDGER}) of the breached unit or a unit above it may "
                              "acknowledge this breach")
            data = acknowledgement(breach, principal, clock.now())
            if not await store.record(conn, data):
                response.status_code = 200
                first = await store.first(conn, breach_id)
                assert first is not None
                return first
            await publisher.publish_all([acknowledged_event(breach, data)])
        return data.model_dump(mode="json")

    return api
