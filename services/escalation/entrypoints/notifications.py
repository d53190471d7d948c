"""Sends every breach and reminder to the duty rooms' webhooks (its own consumer group, so a slow
receiver never holds up the clocks). The offset is committed once each receiver got it or it was dead-lettered."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from services.escalation.adapters.webhook import WebhookNotifier
from shared.consumer import Consumers, Record
from shared.envelope import Envelope
from shared.logging import bound_ids
from shared.producers import ProducerKeys
from shared.topics import BREACHES, DEADLINES

NOTIFIED = ("DeadlineBreached", "DeadlineApproaching", "StepOverdue", "FollowUpDue")


def register(broker: KafkaBroker, consumers: Consumers, *, notifier: WebhookNotifier, producers: ProducerKeys,
             group_id: str) -> None:
    async def on_deadline_event(record: Record) -> None:
        envelope = Envelope.from_bytes(record.value)
        if envelope.type not in NOTIFIED:
            return
        producers.check(envelope.type, record.value, record.headers)
        with bound_ids(event_id=envelope.id, incident_id=envelope.subject):
            await notifier.notify(envelope.model_dump(mode="json"))

    # "latest" applies only to a group with no committed offset yet: a newly deployed notifier does not
    # page duty rooms about past breaches; after that it resumes from its commits, losing nothing.
    consumers.subscribe(broker, "escalation-notifications", BREACHES, DEADLINES, group_id=group_id,
                        apply=on_deadline_event, auto_offset_reset="latest")
