"""Sends every breach and reminder to the duty rooms' webhooks (its own consumer group, so a slow
receiver never holds up the clocks). The offset is committed once each receiver got it or it was dead-lettered."""

from __future__ import annotations

import json

from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from services.escalation.adapters.webhook import WebhookNotifier
from shared.logging import bound_ids
from shared.topics import BREACHES, DEADLINES

NOTIFIED = ("DeadlineBreached", "DeadlineApproaching", "FollowUpDue")


def register(broker: KafkaBroker, *, notifier: WebhookNotifier, group_id: str) -> None:
    @broker.subscriber(BREACHES, DEADLINES, group_id=group_id, auto_offset_reset="earliest",
                       ack_policy=AckPolicy.NACK_ON_ERROR, title="escalation-notifications")
    async def on_deadline_event(body: bytes) -> None:
        envelope = json.loads(body)
        if envelope.get("type") not in NOTIFIED:
            return
        with bound_ids(event_id=envelope["id"], incident_id=envelope.get("subject")):
            await notifier.notify(envelope)
