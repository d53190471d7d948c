"""Work-information events as intake, approval and escalation publish them, for a unit tree of this run."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata

from shared.envelope import CONTENT_TYPE, Envelope
from shared.events import (
    DeadlineBreached,
    EventData,
    InstructionGiven,
    ItemAdopted,
    ItemApproved,
    ItemForwarded,
    ItemRejected,
    ItemSubmitted,
    QuotaMissed,
    UnitRegistered,
)
from shared.information import info_pack_for
from shared.item import Author, Item
from shared.offset import CHINA
from shared.topics import EVENT_TOPIC
from tests.conftest import Infra


def beijing(text: str) -> datetime:
    """``2025-11-20 10:00`` in Beijing time."""
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


def envelope(data: EventData, *, key: str, at: datetime, actor: str | None = None) -> Envelope:
    kind = type(data).__name__
    return Envelope(id=str(uuid.uuid4()), source="/baosong/test", type=kind, subject=key, time=at,
                    data=data.model_dump(mode="json"), partitionkey=key, actor=actor)


@dataclass
class Tree:
    """A county office, a town under it, a village under the town, a second town: ids unique to the run."""

    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    @property
    def county(self) -> str:
        return f"cty-{self.suffix}"

    @property
    def town(self) -> str:
        return f"town-{self.suffix}"

    @property
    def town2(self) -> str:
        return f"town2-{self.suffix}"

    @property
    def village(self) -> str:
        return f"vil-{self.suffix}"

    @property
    def prefecture(self) -> str:
        return f"pref-{self.suffix}"

    def units(self) -> list[UnitRegistered]:
        def unit(unit_id: str, level: str, parent: str | None) -> UnitRegistered:
            return UnitRegistered(unit_id=unit_id, name=f"{unit_id} 办公室", level=level,
                                  kind="general_office", parent_id=parent)
        return [unit(self.prefecture, "prefecture", None), unit(self.county, "county", self.prefecture),
                unit(self.town, "town", self.county), unit(self.town2, "town", self.county),
                unit(self.village, "village", self.town)]

    def mine(self) -> set[str]:
        return {u.unit_id for u in self.units()}


def policy_of(unit_id: str) -> str:
    return info_pack_for(unit_id=unit_id, unit_kind="general_office").ref


def submitted(item_id: str, unit_id: str, at: datetime, kind: str = "news") -> Envelope:
    item = Item(reporting_unit=unit_id, kind=kind, title=f"{unit_id} 工作动态 {item_id[-6:]}",
                body="正文", author=Author(name="李明", phone="13800000000"))
    return envelope(ItemSubmitted(item_id=item_id, received_at=at, item=item, policy=policy_of(unit_id)),
                    key=item_id, at=at, actor=f"reporter@{unit_id}")


def approved(item_id: str, unit_id: str, at: datetime, *, final: bool = True) -> Envelope:
    return envelope(ItemApproved(item_id=item_id, unit_id=unit_id, approver=f"approver@{unit_id}", role="approver",
                                 final=final), key=item_id, at=at)


def rejected(item_id: str, unit_id: str, at: datetime) -> Envelope:
    return envelope(ItemRejected(item_id=item_id, unit_id=unit_id, approver=f"approver@{unit_id}", role="approver",
                                 comment="不符合要求"), key=item_id, at=at)


def forwarded(item_id: str, author: str, from_unit: str, to_unit: str, at: datetime) -> Envelope:
    return envelope(ItemForwarded(item_id=item_id, author_unit_id=author, from_unit_id=from_unit, to_unit_id=to_unit),
                    key=item_id, at=at)


def adopted(item_id: str, author: str, unit_id: str, publication: str, level: str, at: datetime,
            recorded: datetime | None = None) -> Envelope:
    """An adoption at ``at``; its event recorded at ``recorded`` (default: the same time)."""
    adoption_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{item_id}/{publication}/{unit_id}"))
    return envelope(ItemAdopted(adoption_id=adoption_id, item_id=item_id, author_unit_id=author, unit_id=unit_id,
                                publication=publication, issue="2025年第45期", level=level, by=f"editor@{unit_id}",
                                adopted_at=at), key=item_id, at=recorded or at)


def instructed(item_id: str, author: str, unit_id: str, level: str, at: datetime) -> Envelope:
    return envelope(InstructionGiven(instruction_id=str(uuid.uuid4()), item_id=item_id, author_unit_id=author,
                                     unit_id=unit_id, level=level, text="此信息反映的做法很好，请总结推广。",
                                     by=f"principal@{unit_id}", given_at=at), key=item_id, at=at)


def request_missed(unit_id: str, deadline: datetime) -> Envelope:
    request_id = f"req-{uuid.uuid4()}"
    detected = deadline + timedelta(seconds=3)
    return envelope(DeadlineBreached(breach_id=str(uuid.uuid4()), request_id=request_id, unit_id=unit_id,
                                     obligation="request_reply", kind="request_missed", deadline_at=deadline,
                                     detected_at=detected, policy=policy_of(unit_id)), key=request_id, at=detected)


def quota_missed(unit_id: str, period: str, quota: int, at: datetime) -> Envelope:
    return envelope(QuotaMissed(quota_id=str(uuid.uuid4()), unit_id=unit_id, period=period, quota=quota, counted=0,
                                policy=policy_of(unit_id), detected_at=at), key=unit_id, at=at)


class Publisher:
    """As the super user, each event signed by the service that makes it (or by ``signed_by``, a forger)."""

    def __init__(self, infra: Infra):
        self.infra = infra
        self.producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all",
                                         **infra.kafka_options())

    async def publish(self, *envelopes: Envelope, signed_by: str | None = None) -> None:
        for e in envelopes:
            value = e.to_bytes()
            await self.producer.send(EVENT_TOPIC[e.type], value, key=e.partitionkey.encode(), headers=[
                ("content-type", CONTENT_TYPE.encode()), *self.infra.signed_headers(e.type, value, signed_by)])
        await self.producer.flush()

    async def raw(self, topic: str, value: bytes, key: str) -> RecordMetadata:
        return await self.producer.send_and_wait(topic, value, key=key.encode())
