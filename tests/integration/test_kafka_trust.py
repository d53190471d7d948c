"""The broker's trust boundary, checked against the real SASL broker the whole suite runs on: who may
connect, and who may write and read which topic (deploy/kafka_acls.py)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from deploy.kafka_local import LocalKafka, add_agency
from shared.topics import AUDIT, BREACHES, DEADLINES, INGRESS, INGRESS_DEAD_LETTER, REPORTS, UNITS
from tests.conftest import Infra

pytestmark = pytest.mark.integration
ALL_TOPICS = (REPORTS, UNITS, DEADLINES, BREACHES, AUDIT, INGRESS, INGRESS_DEAD_LETTER)
WRITES = {"intake": {REPORTS, UNITS, INGRESS_DEAD_LETTER}, "approval": {REPORTS},
          "escalation": {DEADLINES, BREACHES}, "archive": {AUDIT}, "assessment": set()}


async def write(infra: Infra, topic: str, options: dict[str, str]) -> str:
    """``ok``, or the name of the error the broker answered with."""
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, request_timeout_ms=5000, **options)
    try:
        await producer.start()
        await asyncio.wait_for(producer.send_and_wait(topic, b'{"forged": true}'), 10)
        return "ok"
    except (KafkaError, TimeoutError) as exc:
        return type(exc).__name__
    finally:
        await producer.stop()


async def test_a_client_without_credentials_can_neither_produce_nor_consume(infra: Infra) -> None:
    assert await write(infra, REPORTS, {}) == "KafkaConnectionError"
    consumer = AIOKafkaConsumer(REPORTS, bootstrap_servers=infra.kafka_bootstrap, group_id=f"x-{uuid.uuid4()}",
                                request_timeout_ms=5000)
    with pytest.raises(KafkaConnectionError):
        await consumer.start()
    await consumer.stop()
    wrong = {**infra.kafka_options("archive"), "sasl_plain_password": "guessed"}
    assert await write(infra, AUDIT, wrong) == "KafkaConnectionError"


@pytest.mark.parametrize("service", sorted(WRITES))
async def test_a_service_writes_only_the_topics_it_produces(infra: Infra, service: str) -> None:
    results = {topic: await write(infra, topic, infra.kafka_options(service)) for topic in ALL_TOPICS}
    assert {t for t, r in results.items() if r == "ok"} == WRITES[service], results
    assert {r for t, r in results.items() if r != "ok"} <= {"TopicAuthorizationFailedError"}, results


async def test_a_service_reads_only_with_its_own_consumer_groups(infra: Infra) -> None:
    consumer = AIOKafkaConsumer(REPORTS, bootstrap_servers=infra.kafka_bootstrap, group_id="baosong-approval-x",
                                **infra.kafka_options("archive"))
    try:
        with pytest.raises(GroupAuthorizationFailedError):  # the group is approval's
            await consumer.start()
    finally:
        await consumer.stop()


async def test_an_agency_may_write_its_own_ingress_topic_and_nothing_else(infra: Infra) -> None:
    kafka = LocalKafka(infra.kafka_credentials.parent, int(infra.kafka_bootstrap.rsplit(":", 1)[1]), 0)
    unit, other = f"town-{uuid.uuid4().hex[:6]}", f"town-{uuid.uuid4().hex[:6]}"
    mine, theirs = await asyncio.to_thread(add_agency, kafka, unit), await asyncio.to_thread(add_agency, kafka, other)
    assert set(mine) == {"bootstrap", "security_protocol", "sasl_mechanism", "username", "password", "topic"}
    assert mine["topic"] == f"{INGRESS}.{unit}" and mine["security_protocol"] == "SASL_PLAINTEXT"
    assert kafka.credentials_file(mine["username"]).stat().st_mode & 0o777 == 0o600
    options = {"security_protocol": mine["security_protocol"], "sasl_mechanism": mine["sasl_mechanism"],
               "sasl_plain_username": mine["username"], "sasl_plain_password": mine["password"]}
    assert await write(infra, mine["topic"], options) == "ok"
    for topic in (*ALL_TOPICS, theirs["topic"]):
        assert await write(infra, topic, options) == TopicAuthorizationFailedError.__name__, topic
