"""What the consumer makes of each Kafka record: the envelope, or a record of an unreadable message."""

import base64
import json
from functools import partial

import pytest

from services.archive.domain.anomalies import ARCHIVE_STREAM, UNREADABLE
from services.archive.domain.chain import canonical_bytes
from services.archive.entrypoints.consumer import to_incoming
from shared.consumer import Record as KafkaRecord
from tests.support.archive_events import Story

Record = partial(KafkaRecord, "baosong.reports", 3, 42, timestamp_ms=1_763_856_000_000)


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
    other_offset = KafkaRecord("baosong.reports", 3, 43, b"x", timestamp_ms=1_763_856_000_000)
    assert to_incoming(Record(b"x")).envelope["id"] != to_incoming(other_offset).envelope["id"]


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
