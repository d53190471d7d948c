"""The work-information events approval publishes on ``baosong.items``, with deterministic ids (pure).

An event's id is uuid5 of the item, the unit where the step happens and the step, so a step computed
twice (a retried request, a crash before the outbox row was stamped sent) is the same event, which every
consumer recognises as a duplicate. Events of an item are keyed by its id; a request's by the request id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from services.approval.domain.facts import SOURCE
from shared.envelope import Envelope
from shared.events import (
    EventData,
    InstructionGiven,
    ItemAcknowledged,
    ItemAdopted,
    ItemApproved,
    ItemForwarded,
    ItemRejected,
    RequestIssued,
)
from shared.item import InstructionLevel


def item_step_id(item_id: str, unit_id: str, step: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"baosong:approval:item:{item_id}:{unit_id}:{step}"))


def adoption_id(item_id: str, publication: str, unit_id: str) -> str:
    """One adoption per publication per adopting unit: the same three always give the same id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"baosong:adoption:{item_id}:{publication}:{unit_id}"))


def instruction_id(item_id: str, unit_id: str, by: str, level: str) -> str:
    """One instruction per principal and level on an item: a repeated POST is the same instruction."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"baosong:instruction:{item_id}:{unit_id}:{by}:{level}"))


@dataclass(frozen=True)
class ItemContext:
    """What every event of one step on an item shares: the item, its pack, who acted, when, and the cause."""

    item_id: str
    author_unit_id: str
    policy: str
    actor: str | None
    actor_unit: str | None
    time: datetime
    causation_id: str | None = None

    def envelope(self, data: EventData, *, unit_id: str, step: str) -> Envelope:
        return Envelope(
            id=item_step_id(self.item_id, unit_id, step), source=SOURCE, type=type(data).__name__,
            subject=self.item_id, time=self.time, data=data.model_dump(mode="json"), partitionkey=self.item_id,
            correlationid=self.item_id, causationid=self.causation_id, actor=self.actor, actorunit=self.actor_unit,
            policy=self.policy)


def approved(ctx: ItemContext, *, step: int, approver: str, role: str, comment: str, final: bool, stage: str,
             skipped: tuple[str, ...] = ()) -> Envelope:
    """``step``: the last step (0-based) the approval settles; the event numbers it from 1."""
    data = ItemApproved(item_id=ctx.item_id, unit_id=ctx.author_unit_id, approver=approver, role=role,
                        comment=comment, final=final, step=step + 1, stage=stage, skipped=list(skipped))
    return ctx.envelope(data, unit_id=ctx.author_unit_id, step=f"approved:{step}")


def rejected(ctx: ItemContext, *, step: int, stage: str, approver: str, role: str, comment: str) -> Envelope:
    data = ItemRejected(item_id=ctx.item_id, unit_id=ctx.author_unit_id, approver=approver, role=role,
                        comment=comment, step=step + 1, stage=stage)
    return ctx.envelope(data, unit_id=ctx.author_unit_id, step="rejected")


def forwarded(ctx: ItemContext, *, from_unit_id: str, to_unit_id: str, channel: str, by: str | None) -> Envelope:
    data = ItemForwarded.model_validate({
        "item_id": ctx.item_id, "author_unit_id": ctx.author_unit_id, "from_unit_id": from_unit_id,
        "to_unit_id": to_unit_id, "channel": channel, "by": by})
    return ctx.envelope(data, unit_id=from_unit_id, step=f"forwarded:{channel}:{to_unit_id}")


def acknowledged(ctx: ItemContext, *, unit_id: str, by: str) -> Envelope:
    return ctx.envelope(ItemAcknowledged(item_id=ctx.item_id, unit_id=unit_id, by=by), unit_id=unit_id,
                        step="acknowledged")


def adopted(ctx: ItemContext, *, unit_id: str, publication: str, issue: str, level: str, by: str) -> Envelope:
    adoption = adoption_id(ctx.item_id, publication, unit_id)
    data = ItemAdopted(adoption_id=adoption, item_id=ctx.item_id, author_unit_id=ctx.author_unit_id,
                       unit_id=unit_id, publication=publication, issue=issue, level=level, by=by,
                       adopted_at=ctx.time)
    return ctx.envelope(data, unit_id=unit_id, step=f"adopted:{adoption}")


def instruction(ctx: ItemContext, *, unit_id: str, level: InstructionLevel, text: str, by: str) -> Envelope:
    given = instruction_id(ctx.item_id, unit_id, by, level)
    data = InstructionGiven(instruction_id=given, item_id=ctx.item_id, author_unit_id=ctx.author_unit_id,
                            unit_id=unit_id, level=level, text=text, by=by, given_at=ctx.time)
    return ctx.envelope(data, unit_id=unit_id, step=f"instruction:{given}")


def request_event_id(request_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"baosong:approval:request:{request_id}:issued"))


def request_issued(data: RequestIssued, *, policy: str) -> Envelope:
    """A request's event, keyed (and identified) by its request id."""
    return Envelope(
        id=request_event_id(data.request_id), source=SOURCE,
        type="RequestIssued", subject=data.request_id, time=data.issued_at, data=data.model_dump(mode="json"),
        partitionkey=data.request_id, correlationid=data.request_id, actor=data.by, actorunit=data.unit_id,
        policy=policy)
