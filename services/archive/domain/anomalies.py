"""What the archive keeps when a message is not a normal event: it is never dropped.

A message that is not a readable CloudEvents envelope, and an event id that arrives again with other
content (a conflicting duplicate), are both recorded as events of the archive's own stream, in the
hash chain like any other, so they are as tamper-evident as the events themselves. Their ids and
bodies are derived only from what was consumed (Kafka coordinates, record timestamp, the bytes), so
a redelivery of the same message is an ordinary duplicate, not a new record.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

from services.archive.domain.chain import canonical_bytes

ARCHIVE_STREAM = "archive"
SOURCE = "/baosong/archive"
UNREADABLE = "ArchiveMessageUnreadable"
CONFLICT = "ArchiveConflictingDuplicate"
_NAMESPACE = uuid.UUID("6f1c2a5e-7d0b-4c3e-9a51-2b8f0e4d7c11")


class NotAnEnvelope(ValueError):
    """The message cannot be stored as an event; the text says why."""


def parse_message(raw: bytes) -> tuple[Any, bytes | None]:
    """A message's JSON value and, when it is an object, its canonical bytes. orjson refuses NaN,
    Infinity and invalid UTF-8 (ValueError) but reads an integer beyond 64 bits as a float, losing
    digits; such a float (|x| ≥ 2**63) is spelt with ``e+`` in the canonical bytes, so only then is the
    message read again with the standard library, which keeps the integer exact."""
    value = orjson.loads(raw)
    if not isinstance(value, dict):
        return value, None
    body = canonical_bytes(value, parsed=True)
    if b"e+" in body:  # the same text orjson read: no NaN, Infinity or out-of-range number
        value = json.loads(raw)
        body = canonical_bytes(value, parsed=True)
    return value, body


def check_envelope(value: Any, body: bytes | None = None) -> tuple[dict[str, Any], bytes]:
    """The envelope and its canonical bytes if it can be stored as an event (an object with string id,
    type, subject; JSON PostgreSQL takes). ``body``: its canonical bytes when already computed."""
    if not isinstance(value, dict):
        raise NotAnEnvelope("not a JSON object")
    for key in ("id", "type", "subject"):
        if not isinstance(value.get(key), str) or not value[key]:
            raise NotAnEnvelope(f"attribute {key!r} missing or not a non-empty string")
    try:
        body = body if body is not None else canonical_bytes(value)
    except ValueError as exc:  # NaN / Infinity / a lone surrogate: not JSON
        raise NotAnEnvelope(str(exc)) from exc
    if b"\\u0000" in body:
        raise NotAnEnvelope("contains a NUL character, which PostgreSQL's jsonb cannot hold")
    return value, body


def _kafka_time(timestamp_ms: int | None) -> str:
    when = datetime.fromtimestamp((timestamp_ms or 0) / 1000, UTC)
    return when.isoformat()


def unreadable_envelope(raw: bytes, *, reason: str, topic: str | None, partition: int | None,
                        offset: int | None, timestamp_ms: int | None) -> dict[str, Any]:
    """An ``ArchiveMessageUnreadable`` event carrying the message's exact bytes (base64)."""
    where = f"{topic}/{partition}/{offset}"
    return {
        "specversion": "1.0", "id": str(uuid.uuid5(_NAMESPACE, f"unreadable:{where}")),
        "source": SOURCE, "type": UNREADABLE, "subject": ARCHIVE_STREAM, "time": _kafka_time(timestamp_ms),
        "datacontenttype": "application/json",
        "data": {"reason": reason, "topic": topic, "partition": partition, "offset": offset,
                 "raw_base64": base64.b64encode(raw).decode(), "sha256": hashlib.sha256(raw).hexdigest()},
    }


def refused_envelope(raw: bytes, *, reason: str, producer: str | None, topic: str | None, partition: int | None,
                     offset: int | None, timestamp_ms: int | None) -> dict[str, Any]:
    """A record whose producer may not make its type (``shared.producers``), kept as an unreadable message
    marked ``refused``: its exact bytes stay in the chain, and no projection ever applies it."""
    envelope = unreadable_envelope(raw, reason=f"refused: {reason}", topic=topic, partition=partition,
                                   offset=offset, timestamp_ms=timestamp_ms)
    envelope["data"].update({"refused": True, "producer": producer})
    return envelope


def conflict_envelope(*, event_id: str, first_position: int, stored_body: str, incoming_body: str,
                      topic: str | None, partition: int | None, offset: int | None,
                      timestamp_ms: int | None) -> dict[str, Any]:
    """An ``ArchiveConflictingDuplicate`` event with both bodies: the one kept and the one refused."""
    digest = hashlib.sha256(incoming_body.encode()).hexdigest()
    return {
        "specversion": "1.0", "id": str(uuid.uuid5(_NAMESPACE, f"conflict:{event_id}:{digest}")),
        "source": SOURCE, "type": CONFLICT, "subject": ARCHIVE_STREAM, "time": _kafka_time(timestamp_ms),
        "datacontenttype": "application/json",
        "data": {"event_id": event_id, "first_position": first_position, "stored_body": stored_body,
                 "incoming_body": incoming_body, "incoming_sha256": digest,
                 "topic": topic, "partition": partition, "offset": offset},
    }
