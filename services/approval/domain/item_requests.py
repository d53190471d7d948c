"""Commissioned requests (约稿): an editor asks named units for items on a topic by a due time (pure)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from services.approval.domain.signoff import Refused


def check_request(*, to_units: Sequence[str], known: Collection[str], due_at: datetime, now: datetime,
                  max_ahead: timedelta) -> None:
    """422 naming the unknown units, or a due time that is past or too far ahead."""
    unknown = [u for u in to_units if u not in known]
    if unknown:
        raise Refused(422, "Invalid request", f"未登记的单位：{'、'.join(unknown)}",
                      f"unknown units: {', '.join(unknown)}", field="to_units", extra={"unknown_units": unknown})
    if due_at <= now:
        raise Refused(422, "Invalid request", "截止时间须在将来", "due_at must be in the future", field="due_at")
    if due_at > now + max_ahead:
        raise Refused(422, "Invalid request", f"截止时间不能晚于 {max_ahead.days} 天之后",
                      f"due_at must be within {max_ahead.days} days", field="due_at")


def new_request_id(*, unit_id: str, idempotency_key: str | None) -> str:
    """A fresh id, or — with an Idempotency-Key — the same id for every retry of the unit's request."""
    if idempotency_key is None:
        return f"req-{uuid.uuid4()}"
    return f"req-{uuid.uuid5(uuid.NAMESPACE_URL, f'baosong:request:{unit_id}:{idempotency_key}')}"
