"""Approval's Kafka consumers: the units directory, the report stream and the item stream.

Each record goes through the service's guard (``shared.consumer``): applied in one transaction that
records its event id (a redelivery changes nothing), retried while a failure passes, set aside in
``approval.parked`` when it cannot be applied — so is a record whose producer may not make its type
or that lacks that producer's signature (``shared.producers``). Approval ignores the events it
published itself: its state already holds them.
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from services.approval.service_layer.arrivals import Arrivals
from services.approval.service_layer.item_arrivals import ItemArrivals
from shared.consumer import Consumers, Record
from shared.envelope import Envelope
from shared.logging import bound_ids
from shared.producers import ProducerKeys
from shared.topics import ITEMS, REPORTS, UNITS


def register(broker: KafkaBroker, consumers: Consumers, *, arrivals: Arrivals, items: ItemArrivals,
             producers: ProducerKeys, group_id: str) -> None:
    async def on_unit_event(record: Record) -> None:
        envelope = Envelope.from_bytes(record.value)
        if envelope.type == "UnitRegistered":
            producers.check(envelope.type, record.value, record.headers)
            with bound_ids(event_id=envelope.id, correlation_id=envelope.correlationid):
                await arrivals.unit_registered(envelope)

    async def on_report_event(record: Record) -> None:
        envelope = Envelope.from_bytes(record.value)
        if envelope.type == "ReportSubmitted":
            producers.check(envelope.type, record.value, record.headers)
            with bound_ids(event_id=envelope.id, incident_id=envelope.partitionkey,
                           correlation_id=envelope.correlationid):
                await arrivals.report_submitted(envelope)

    async def on_item_event(record: Record) -> None:
        envelope = Envelope.from_bytes(record.value)
        if envelope.type == "ItemSubmitted":
            producers.check(envelope.type, record.value, record.headers)
            with bound_ids(event_id=envelope.id, correlation_id=envelope.correlationid):
                await items.item_submitted(envelope)

    consumers.subscribe(broker, "approval-units", UNITS, group_id=group_id, apply=on_unit_event)
    consumers.subscribe(broker, "approval-reports", REPORTS, group_id=group_id, apply=on_report_event)
    consumers.subscribe(broker, "approval-items", ITEMS, group_id=group_id, apply=on_item_event)
