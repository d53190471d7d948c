"""Approval's Kafka consumers: the units directory and the report stream.

Offsets are committed only after the handler's transaction commits (``NACK_ON_ERROR``: a failure
rewinds and redelivers; handlers are idempotent by event id). Approval ignores the events it
published itself: its state already holds them. A record whose producer may not make its type (or
that lacks the producer's signature) is refused (``shared.producers``).
"""

from __future__ import annotations

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.approval.service_layer.arrivals import Arrivals
from shared.envelope import read_envelope
from shared.logging import bound_ids, get_logger
from shared.producers import ProducerKeys, admitted
from shared.topics import REPORTS, UNITS

log = get_logger(__name__)


def register(broker: KafkaBroker, *, arrivals: Arrivals, producers: ProducerKeys, group_id: str) -> None:
    @broker.subscriber(UNITS, group_id=group_id, auto_offset_reset="earliest",
                       ack_policy=AckPolicy.NACK_ON_ERROR, title="approval-units")
    async def on_unit_event(body: bytes, message: KafkaMessage) -> None:
        envelope = read_envelope(body)
        if (envelope is not None and envelope.type == "UnitRegistered"
                and admitted(producers, envelope.type, message.raw_message)):
            with bound_ids(event_id=envelope.id, correlation_id=envelope.correlationid):
                await arrivals.unit_registered(envelope)

    @broker.subscriber(REPORTS, group_id=group_id, auto_offset_reset="earliest",
                       ack_policy=AckPolicy.NACK_ON_ERROR, title="approval-reports")
    async def on_report_event(body: bytes, message: KafkaMessage) -> None:
        envelope = read_envelope(body)
        if (envelope is not None and envelope.type == "ReportSubmitted"
                and admitted(producers, envelope.type, message.raw_message)):
            with bound_ids(event_id=envelope.id, incident_id=envelope.partitionkey,
                           correlation_id=envelope.correlationid):
                await arrivals.report_submitted(envelope)
