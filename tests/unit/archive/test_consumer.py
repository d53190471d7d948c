"""What the consumer makes of each Kafka record: the envelope, or a record of an unreadable message."""

import base64
import contextlib
import dataclasses
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.archive.adapters.store import Incoming
from services.archive.domain.anomalies import ARCHIVE_STREAM, UNREADABLE
from services.archive.domain.chain import canonical_bytes
from services.archive.entrypoints.consumer import to_incoming as consume
from shared.consumer import Record as KafkaRecord
from shared.producers import PRODUCER_OF, SERVICES, ProducerKeys, Signer
from tests.support.archive_events import Story

SIGNERS = {name: Signer(name, Ed25519PrivateKey.generate()) for name in SERVICES}
PRODUCERS = ProducerKeys({name: signer.key.public_key() for name, signer in SIGNERS.items()})


def Record(value: bytes, offset: int = 42, signer: str | None = None) -> KafkaRecord:
    """A consumed record; an event of a known type is signed by the service that makes it, unless ``signer``
    names another (or "" for none)."""
    event_type = None
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        event_type = json.loads(value).get("type")
    name = signer if signer is not None else PRODUCER_OF.get(event_type or "", "")
    headers = tuple((k, v.encode()) for k, v in SIGNERS[name].headers(value).items()) if name else ()
    return KafkaRecord("baosong.reports", 3, offset, value, headers=headers, timestamp_ms=1_763_856_000_000)


def to_incoming(record: KafkaRecord) -> Incoming:
    return consume(record, PRODUCERS)


def test_an_envelope_is_stored_as_it_came_with_its_kafka_coordinates() -> None:
    envelope = Story().submitted()
    incoming = to_incoming(Record(json.dumps(envelope).encode()))
    assert incoming.envelope == envelope
    assert (incoming.topic, incoming.partition, incoming.offset) == ("baosong.reports", 3, 42)


def test_bytes_that_are_not_an_envelope_are_kept_verbatim() -> None:
    for raw in (b"\xff\x00 not json", b"[1, 2]", b'{"id": "x"}', b""):
        incoming = to_incoming(Record(raw))
        assert incoming.envelope["type"] == UNREADABLE
        assert incoming.envelope["subject"] == ARCHIVE_STREAM
        assert base64.b64decode(incoming.envelope["data"]["raw_base64"]) == (raw or b"")
        assert incoming.envelope["data"]["offset"] == 42
    assert to_incoming(Record(b"x")).envelope["id"] == to_incoming(Record(b"x")).envelope["id"]
    assert to_incoming(Record(b"x")).envelope["id"] != to_incoming(Record(b"x", offset=43)).envelope["id"]


def test_the_consumer_hands_the_store_the_canonical_bytes_it_checked() -> None:
    envelope = Story().submitted()
    incoming = to_incoming(Record(json.dumps(envelope).encode()))
    assert incoming.body == canonical_bytes(envelope)


def test_an_integer_beyond_64_bits_is_stored_exactly_not_as_a_float() -> None:
    envelope = {**Story().submitted(), "seq": 12345678901234567890123}
    raw = json.dumps(envelope).encode()
    incoming = to_incoming(Record(raw))
    assert incoming.envelope["seq"] == 12345678901234567890123
    assert incoming.body is not None and b'"seq":12345678901234567890123' in incoming.body
    # a large float (spelt with e+) is read again with the stdlib, and stays the same float
    floats = to_incoming(Record(json.dumps({**envelope, "seq": 1.5e300}).encode()))
    assert floats.envelope["seq"] == 1.5e300


@pytest.mark.parametrize("raw", [
    b'{"id": "x", "type": "T", "subject": "s", "data": NaN}',
    b'{"id": "x", "type": "T", "subject": "s", "data": [Infinity]}',
    b'{"id": "x", "type": "T", "subject": "s", "data": 1e400}',
    b'{"id": "x", "type": "T", "subject": "s", "n": 12345678901234567890123, "data": NaN}',
    b'{"id": "x", "type": "T", "subject": "s", "data": "\\ud800"}',
    b'{"id": "x", "type": "T", "subject": "s", "data": "\xff"}',
])
def test_nan_infinity_and_text_that_is_not_utf8_are_kept_as_unreadable(raw: bytes) -> None:
    incoming = to_incoming(Record(raw))
    assert incoming.envelope["type"] == UNREADABLE
    assert base64.b64decode(incoming.envelope["data"]["raw_base64"]) == raw


@pytest.mark.parametrize("signer", ["", "intake", "escalation"])
def test_an_approval_not_signed_by_approval_is_kept_as_refused_never_as_the_event(signer: str) -> None:
    story = Story()
    story.submitted()
    forged = story.approved()
    raw = json.dumps(forged).encode()
    incoming = to_incoming(Record(raw, signer=signer))
    assert incoming.envelope["type"] == UNREADABLE and incoming.envelope["subject"] == ARCHIVE_STREAM
    assert incoming.envelope["data"]["refused"] is True
    assert incoming.envelope["data"]["producer"] == (signer or None)
    assert base64.b64decode(incoming.envelope["data"]["raw_base64"]) == raw
    assert to_incoming(Record(raw)).envelope == forged  # signed by approval: the event itself


def test_a_signature_over_other_bytes_is_refused() -> None:
    story = Story()
    story.submitted()
    genuine = Record(json.dumps(story.approved()).encode())
    tampered = dataclasses.replace(genuine, value=genuine.value.replace(b'"final": true', b'"final": false'))
    assert tampered.value != genuine.value
    assert to_incoming(tampered).envelope["data"]["refused"] is True
