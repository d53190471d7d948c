"""Sends every breach and reminder to the duty rooms' webhooks (its own consumer group, so a slow
receiver never holds up the clocks). The offset is committed once each receiver got it or it was dead-lettered."""

from __future__ import annotations

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.escalation.adapters.webhook import WebhookNotifier
from shared.envelope import read_envelope
from shared.logging import bound_ids
from shared.producers import ProducerKeys, admitted
from shared.topics import BREACHES, DEADLINES

NOTIFIED = ("DeadlineBreached", "DeadlineApproaching", "FollowUpDue")


def register(broker: KafkaBroker, *, notifier: WebhookNotifier, producers: ProducerKeys, group_id: str) -> None:
    # "latest" applies only to a group with no committed offset yet: a newly deployed notifier does not
    # page duty rooms about past breaches; after that it resumes from its commits, losing nothing.
    @broker.subscriber(BREACHES, DEADLINES, group_id=group_id, auto_offset_reset="latest",
                       ack_policy=AckPolicy.NACK_ON_ERROR, title="escalation-notifications")
    async def on_deadline_event(body: bytes, message: KafkaMessage) -> None:
        envelope = read_envelope(body)
        if (envelope is None or envelope.type not in NOTIFIED
                or not admitted(producers, envelope.type, message.raw_message)):
            return
        with bound_ids(event_id=envelope.id, incident_id=envelope.subject):
            await notifier.notify(envelope.model_dump(mode="json"))
