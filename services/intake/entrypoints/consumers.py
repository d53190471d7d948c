"""Intake's Kafka consumers: the unit directory (topic ``UNITS``), the commissioned requests (``RequestIssued``
on ``ITEMS``, so that items naming one are checked) and the report ingress (``INGRESS``).

Each commits an offset only after its effect is durable, through the service's guard
(``shared.consumer``). An ingress message that intake refuses (the answer HTTP would give is a
4xx) goes to ``INGRESS_DEAD_LETTER`` as an ``IngressMessageRefused`` event with the reasons and the
original bytes, for the agency to read. Transient failures (database or broker unreachable) are
retried; anything else that keeps a message from being applied sets it aside in ``intake.parked`` —
never retried forever, never lost.
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from services.intake.adapters.store import IntakeStore
from services.intake.domain.ingress import IngressMessage, bind_to_topic, dead_letter, read_message
from services.intake.submit import Intake
from shared.consumer import Consumers, Record
from shared.envelope import Envelope, now_utc
from shared.events import RequestIssued, UnitRegistered
from shared.http import Problem
from shared.kafka import publish
from shared.logging import get_logger
from shared.producers import ProducerKeys
from shared.topics import (
    AGENCY_INGRESS_PATTERN,
    AGENCY_INGRESS_PREFIX,
    INGRESS,
    INGRESS_DEAD_LETTER,
    ITEMS,
    UNITS,
)

log = get_logger(__name__)


def register_units(broker: KafkaBroker, consumers: Consumers, *, store: IntakeStore, producers: ProducerKeys,
                   group_id: str) -> None:
    async def on_unit(record: Record) -> None:
        envelope = Envelope.from_bytes(record.value)
        if envelope.type != "UnitRegistered":
            return
        producers.check(envelope.type, record.value, record.headers)
        unit = UnitRegistered.model_validate(envelope.data)
        if await store.put_unit(unit, event_id=envelope.id, event_time=envelope.time):
            log.info("unit directory updated", unit_id=unit.unit_id, event_id=envelope.id)

    consumers.subscribe(broker, "intake-unit-directory", UNITS, group_id=f"{group_id}-units", apply=on_unit)


def register_requests(broker: KafkaBroker, consumers: Consumers, *, store: IntakeStore, producers: ProducerKeys,
                      group_id: str) -> None:
    """Keep every ``RequestIssued`` (approval's, signature checked); the topic's other events are skipped."""

    async def on_item_event(record: Record) -> None:
        envelope = Envelope.from_bytes(record.value)
        if envelope.type != "RequestIssued":
            return
        producers.check(envelope.type, record.value, record.headers)
        request = RequestIssued.model_validate(envelope.data)
        if await store.put_request(request, event_id=envelope.id):
            log.info("request recorded", request_id=request.request_id, to_units=request.to_units)

    consumers.subscribe(broker, "intake-requests", ITEMS, group_id=f"{group_id}-requests", apply=on_item_event)


def register_ingress(broker: KafkaBroker, consumers: Consumers, *, intake: Intake, group_id: str) -> None:
    async def on_report(record: Record) -> None:
        headers = list(record.headers)
        incoming = read_message(record.topic, record.partition, record.offset, record.key, record.value, headers)
        if isinstance(incoming, IngressMessage):
            incoming = bind_to_topic(incoming, record.topic, AGENCY_INGRESS_PREFIX)
        if isinstance(incoming, IngressMessage):
            try:
                answer = await intake.submit(incoming.report, unit_id=incoming.unit_id, actor=incoming.actor,
                                             key=f"ingress:{incoming.message_id}")
            except Problem as exc:
                problem = exc
            else:
                log.info("ingress report submitted", report_id=answer["report_id"], message_id=incoming.message_id)
                return
        else:
            problem = incoming
        letter = dead_letter(record.topic, record.partition, record.offset, record.key, record.value, headers,
                             problem=problem, at=now_utc())
        await publish(broker, INGRESS_DEAD_LETTER, letter)
        log.warning("ingress message dead-lettered", offset=record.offset, partition=record.partition,
                    status=problem.status, detail=problem.detail)

    # The shared topic: only the super user may write it (the operator's own tools).
    consumers.subscribe(broker, "intake-report-ingress", INGRESS, group_id=f"{group_id}-ingress", apply=on_report)
    # Each agency's own topic (./baosong kafka-user), found by pattern as agencies are added.
    consumers.subscribe(broker, "intake-agency-ingress", pattern=AGENCY_INGRESS_PATTERN,
                        group_id=f"{group_id}-agencies", apply=on_report)
