"""What the consumer makes of each Kafka record: the envelope, or a record of an unreadable message."""

import base64
import json
from dataclasses import dataclass

from services.archive.domain.anomalies import ARCHIVE_STREAM, UNREADABLE
from services.archive.entrypoints.consumer import to_incoming
from tests.support.archive_events import Story


@dataclass
class Record:
    value: bytes | None
    topic: str = "baosong.reports"
    partition: int = 3
    offset: int = 42
    timestamp: int = 1_763_856_000_000


def test_an_envelope_is_stored_as_it_came_with_its_kafka_coordinates() -> None:
    envelope = Story().submitted()
    incoming = to_incoming(Record(json.dumps(envelope).encode()))
    assert incoming.envelope == envelope
    assert (incoming.topic, incoming.partition, incoming.offset) == ("baosong.reports", 3, 42)


def test_bytes_that_are_not_an_envelope_are_kept_verbatim() -> None:
    for raw in (b"\xff\x00 not json", b"[1, 2]", b'{"id": "x"}', None):
        incoming = to_incoming(Record(raw))
        assert incoming.envelope["type"] == UNREADABLE
        assert incoming.envelope["subject"] == ARCHIVE_STREAM
        assert base64.b64decode(incoming.envelope["data"]["raw_base64"]) == (raw or b"")
        assert incoming.envelope["data"]["offset"] == 42
    assert to_incoming(Record(b"x")).envelope["id"] == to_incoming(Record(b"x")).envelope["id"]
    assert to_incoming(Record(b"x")).envelope["id"] != to_incoming(Record(b"x", offset=43)).envelope["id"]
