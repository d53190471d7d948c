"""Intake's Kafka consumers: the unit directory (topic ``UNITS``) and the report ingress (``INGRESS``).

Both commit an offset only after its effect is durable (``NACK_ON_ERROR``). An ingress message
that fails validation (or any non-transient error) goes to ``INGRESS_DEAD_LETTER`` with the reasons
and the original bytes, and its offset is committed: it is never lost and never retried forever.
Transient failures (database or broker unreachable) are raised, so the message is delivered again.
"""

from __future__ import annotations

import asyncio
import json

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError

from services.intake.adapters.store import IntakeStore
from services.intake.adapters.transient import TRANSIENT
from services.intake.domain.ingress import IngressMessage, bind_to_topic, dead_letter, read_message
from services.intake.submit import Intake
from shared.envelope import Envelope, now_utc
from shared.events import UnitRegistered
from shared.http import Problem
from shared.logging import get_logger
from shared.producers import ProducerKeys, admitted
from shared.topics import AGENCY_INGRESS_PATTERN, AGENCY_INGRESS_PREFIX, INGRESS, INGRESS_DEAD_LETTER, UNITS

log = get_logger(__name__)


def register_units(broker: KafkaBroker, *, store: IntakeStore, producers: ProducerKeys, group_id: str) -> None:
    @broker.subscriber(UNITS, group_id=f"{group_id}-units", auto_offset_reset="earliest",
                       ack_policy=AckPolicy.NACK_ON_ERROR, title="intake-unit-directory")
    async def on_unit(message: KafkaMessage) -> None:
        raw = message.raw_message
        assert not isinstance(raw, tuple)
        try:
            envelope = Envelope.from_bytes(raw.value or b"")
            if envelope.type != "UnitRegistered" or not admitted(producers, envelope.type, raw):
                return
            unit = UnitRegistered.model_validate(envelope.data)
        except ValidationError as exc:
            log.warning("skipped a malformed unit event", offset=raw.offset, partition=raw.partition, error=str(exc))
            return
        if await store.put_unit(unit, event_id=envelope.id, event_time=envelope.time):
            log.info("unit directory updated", unit_id=unit.unit_id, event_id=envelope.id)


def register_ingress(broker: KafkaBroker, *, intake: Intake, group_id: str) -> None:
    async def on_report(message: KafkaMessage) -> None:
        raw = message.raw_message
        assert not isinstance(raw, tuple)
        incoming = read_message(raw.topic, raw.partition, raw.offset, raw.key, raw.value, list(raw.headers or ()))
        if isinstance(incoming, IngressMessage):
            incoming = bind_to_topic(incoming, raw.topic, AGENCY_INGRESS_PREFIX)
        try:
            if isinstance(incoming, IngressMessage):
                answer = await intake.submit(incoming.report, unit_id=incoming.unit_id, actor=incoming.actor,
                                             key=f"ingress:{incoming.message_id}")
                log.info("ingress report submitted", report_id=answer["report_id"],
                         message_id=incoming.message_id)
                return
            problem = incoming
        except TRANSIENT:
            await asyncio.sleep(1)  # back off before the redelivery
            raise
        except Problem as exc:
            problem = exc
        except Exception as exc:  # a bug must not block the partition forever: park the message
            log.exception("ingress message failed; dead-lettered")
            problem = Problem(500, "Internal error", f"{type(exc).__name__}: {exc}")
        letter = dead_letter(raw.topic, raw.partition, raw.offset, raw.key, raw.value, list(raw.headers or ()),
                             problem=problem, at=now_utc())
        await broker.publish(json.dumps(letter.body, ensure_ascii=False).encode(), topic=INGRESS_DEAD_LETTER,
                             key=letter.key, headers=letter.headers)
        log.warning("ingress message dead-lettered", topic=raw.topic, offset=raw.offset, partition=raw.partition,
                    status=problem.status, detail=problem.detail)

    # The shared topic: only the super user may write it (the operator's own tools).
    broker.subscriber(INGRESS, group_id=f"{group_id}-ingress", auto_offset_reset="earliest",
                      ack_policy=AckPolicy.NACK_ON_ERROR, title="intake-report-ingress")(on_report)
    # Each agency's own topic (./baosong kafka-user), found by pattern as agencies are added.
    broker.subscriber(pattern=AGENCY_INGRESS_PATTERN, group_id=f"{group_id}-agencies", auto_offset_reset="earliest",
                      ack_policy=AckPolicy.NACK_ON_ERROR, title="intake-agency-ingress")(on_report)
