"""Escalation's view of the report stream (walking skeleton: it logs what it will act on)."""

from __future__ import annotations

from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from shared.envelope import Envelope
from shared.logging import bound_ids, get_logger
from shared.topics import REPORTS

log = get_logger(__name__)


def register(broker: KafkaBroker, *, group_id: str) -> None:
    @broker.subscriber(REPORTS, group_id=group_id, auto_offset_reset="earliest",
                       ack_policy=AckPolicy.NACK_ON_ERROR, title="escalation-reports")
    async def on_report_event(body: bytes) -> None:
        envelope = Envelope.from_bytes(body)
        with bound_ids(event_id=envelope.id, incident_id=envelope.partitionkey,
                       correlation_id=envelope.correlationid):
            log.info("report event seen", type=envelope.type)
