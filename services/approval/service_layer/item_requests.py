"""An editor commissions items (约稿): ``RequestIssued``, keyed by the request id, through the outbox.

With an ``Idempotency-Key`` the request id is derived from the unit and the key, so a retried POST finds
the request it made the first time (answered again, ``duplicate: true``) instead of issuing a second one;
the same key with another request is a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.approval.adapters import item_store
from services.approval.adapters.outbox import Relay, enqueue
from services.approval.domain import item_facts
from services.approval.domain.item_reach import check_role
from services.approval.domain.item_requests import check_request, new_request_id
from services.approval.domain.signoff import Refused
from shared.access import Level
from shared.auth import Principal
from shared.db import Database
from shared.envelope import now_utc
from shared.events import RequestIssued
from shared.information import info_pack_for
from shared.topics import ITEMS


@dataclass(frozen=True)
class RequestBody:
    to_units: list[str]
    topic: str
    due_at: datetime
    classification: Level


class Requests:
    def __init__(self, db: Database, relay: Relay, *, max_ahead: timedelta):
        self._db, self._relay, self._max_ahead = db, relay, max_ahead

    async def issue(self, principal: Principal, body: RequestBody, *, idempotency_key: str | None) -> dict[str, Any]:
        check_role(principal.roles, "editor", action_zh="约稿", action_en="commission items")
        if principal.unit is None:
            raise Refused(403, "Forbidden", "约稿须以单位名义发出",
                          "a request is issued by a unit: the token names none")
        request_id = new_request_id(unit_id=principal.unit, idempotency_key=idempotency_key)
        now = now_utc()
        async with self._db.pool.acquire() as conn, conn.transaction():
            unit = await item_store.unit(conn, principal.unit)
            policy = info_pack_for(None, unit_id=principal.unit, unit_kind=unit.kind if unit else None).ref
            earlier = await item_store.request(conn, request_id)
            if earlier is not None:
                return {**self._repeat(earlier, body), "policy": policy, "duplicate": True,
                        "event_id": item_facts.request_event_id(request_id)}
            check_request(to_units=body.to_units, known=await item_store.known_units(conn, body.to_units),
                          due_at=body.due_at, now=now, max_ahead=self._max_ahead)
            data = RequestIssued(request_id=request_id, unit_id=principal.unit, to_units=body.to_units,
                                 topic=body.topic, due_at=body.due_at, by=principal.subject, issued_at=now,
                                 classification=body.classification)
            event = item_facts.request_issued(data, policy=policy)
            if not await item_store.save_request(conn, data, event_id=event.id):
                raise Refused(409, "Conflict", "同一 Idempotency-Key 的约稿正在发出，请稍后重试",
                              "a request with this Idempotency-Key is being issued: retry shortly")
            await enqueue(conn, ITEMS, [event])
        await self._relay.try_flush()
        return {**data.model_dump(mode="json"), "policy": policy, "duplicate": False, "event_id": event.id}

    @staticmethod
    def _repeat(earlier: RequestIssued, body: RequestBody) -> dict[str, Any]:
        """The first request's answer, when the retry asks for the same request."""
        same = (earlier.to_units, earlier.topic, earlier.due_at, earlier.classification) == (
            body.to_units, body.topic, body.due_at, body.classification)
        if not same:
            raise Refused(409, "Conflict", "同一 Idempotency-Key 已用于另一份约稿，请换一个键",
                          "this Idempotency-Key was already used for a different request")
        return earlier.model_dump(mode="json")
