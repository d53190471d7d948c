"""The one way a work-information item (信息) enters Baosong: ``POST /v1/items``.

The same guarantees as a report's (``services.intake.submit``): the input is checked for what no service
could store, then validated and turned into its event's bytes before anything is stored; the event is
stored as a *pending* item under (unit, Idempotency-Key), published on ``baosong.items`` keyed by the item
id, and only once Kafka acknowledged it is the item marked published and answered. A retry of a pending
item republishes exactly the stored event, so a crash anywhere between the steps neither loses nor
doubles it; the same key with another body is a 409.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from services.intake.adapters.store import IntakeStore, ItemSubmission
from services.intake.domain.bounds import refuse_unsafe, unsafe_fields
from services.intake.domain.item_checks import ITEM_LABELS, check_item, past_due
from services.intake.domain.item_events import item_id_for, item_submitted
from services.intake.domain.messages import relabelled
from services.intake.domain.receipt import receipt_for
from services.intake.domain.submission import Who
from services.intake.submit import Publish, own_unit, request_hash
from shared.envelope import Envelope, now_utc
from shared.events import ItemSubmitted
from shared.http import Problem
from shared.information import info_pack_for
from shared.offset import in_china
from shared.signing import Signer


class ItemIntake:
    def __init__(self, store: IntakeStore, publish: Publish, *, clock_skew: timedelta, signer: Signer):
        self._store, self._publish, self._skew, self._signer = store, publish, clock_skew, signer

    async def submit(self, raw: Any, *, unit_id: str | None, actor: str, key: str | None) -> dict[str, Any]:
        """Validate and publish the item ``raw``; returns the 202 answer (Problem on refusal)."""
        refuse_unsafe(relabelled(unsafe_fields(raw), ITEM_LABELS))  # first: the answers below quote the input
        unit_id = own_unit(unit_id, raw)
        key = key or f"auto:{uuid.uuid4()}"
        digest = request_hash(raw)
        earlier = await self._store.item_submission(unit_id, key)
        if earlier is None:
            earlier = await self._store.reserve_item(await self._prepare(raw, unit_id, actor, key, digest))
        if earlier.request_hash != digest:
            raise Problem(409, "Conflict", "同一 Idempotency-Key 已用于另一条信息，请换一个键。"
                          " / This Idempotency-Key was already used for a different item.")
        if not earlier.published:
            await self._publish(Envelope.model_validate(earlier.envelope))
            await self._store.item_published(earlier)
        return earlier.answer

    async def _prepare(self, raw: Any, unit_id: str, actor: str, key: str, digest: str) -> ItemSubmission:
        """Check the item, pick its pack and compute its event and answer (nothing stored or published here)."""
        units = await self._store.units([unit_id])
        named = raw.get("request_id") if isinstance(raw, dict) else None
        request = await self._store.request(named) if isinstance(named, str) else None
        now = now_utc()
        checked = check_item(raw, now=now, skew=self._skew, units=units,
                             requests={request.request_id: request} if request else {})
        if checked.item is None:
            fields = "、".join(e["field"] for e in checked.errors)
            raise Problem(422, "Invalid item", f"请修改以下字段后重新提交：{fields} / Fix these fields and send "
                          f"again: {fields.replace('、', ', ')}", checked.errors)
        item, unit = checked.item, units[unit_id]
        pack = info_pack_for(None, unit_id=unit_id, unit_kind=unit.kind)
        item_id = item_id_for(unit_id, key)
        envelope = item_submitted(item, item_id=item_id, received_at=now, pack=pack,
                                  who=Who(actor=actor, actor_unit=unit_id))
        event = ItemSubmitted.model_validate(envelope.data)
        answer = {
            "item_id": item_id, "received_at": in_china(now).isoformat(), "policy": event.policy,
            "due_at": event.due_at.isoformat() if event.due_at else None,
            "receipt": receipt_for(self._signer, submission_id=item_id, content_sha256=digest,
                                   received_at=in_china(now).isoformat()),
            "warnings": checked.warnings + past_due(event.due_at, now=now),
        }
        return ItemSubmission(unit_id, key, item_id, digest, json.loads(envelope.to_bytes()), answer,
                              published=False)
