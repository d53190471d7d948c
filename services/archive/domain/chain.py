"""The hash chain: each event's hash covers its position, recorded time, canonical body and the previous hash.

The canonical body is orjson's serialisation with sorted keys (UTF-8, no spaces): about 3× faster than
the standard library's (4.7 vs 13.8 µs for a 700-byte event) and the same text but for the spelling of
some floats (``1.5e-7`` vs ``1.5e-07``). Bodies stored before the switch keep the standard library's
form (``legacy_body``); the hash covers the stored text, so both verify, and the store's duplicate check
accepts either form for a redelivery.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from typing import Any

import orjson

GENESIS = b""


def canonical_bytes(envelope: dict[str, Any], *, parsed: bool = False) -> bytes:
    """The event's canonical JSON as UTF-8 bytes (what the hash covers). ValueError if it is not JSON
    (NaN, Infinity, a lone surrogate). ``parsed``: the envelope was read from JSON text, which holds no
    NaN or Infinity (orjson refuses them), so they need no search."""
    try:
        body = orjson.dumps(envelope, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits (or a lone surrogate): the stdlib's form
        return legacy_body(envelope).encode()
    if not parsed and b"null" in body and not _finite(envelope):  # orjson writes NaN and Infinity as null
        raise ValueError("NaN or Infinity is not JSON")
    return body


def legacy_body(envelope: dict[str, Any]) -> str:
    """The canonical form before orjson (the standard library's): bodies stored then are in it."""
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def data_keys(envelope: dict[str, Any]) -> tuple[str | None, str | None]:
    """The ``report_id`` and ``incident_id`` of the event's data (the store's indexed columns; NULL unless a
    string: migration 005 back-fills old rows by the same rule)."""
    data = envelope.get("data")
    if not isinstance(data, dict):
        return None, None
    report, incident = data.get("report_id"), data.get("incident_id")
    return (report if isinstance(report, str) else None, incident if isinstance(incident, str) else None)


def recorded_text(recorded_at: datetime) -> str:
    return recorded_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def link_hash(prev_hash: bytes, position: int, recorded_at: datetime, body: str) -> bytes:
    return link_digest(prev_hash, position, recorded_text(recorded_at), body.encode())


def link_digest(prev_hash: bytes, position: int, recorded: str, body: bytes) -> bytes:
    """``link_hash`` with the recorded time already as text (a batch shares one) and the body as UTF-8."""
    h = hashlib.sha256()
    h.update(prev_hash)
    h.update(f"\n{position}\n{recorded}\n".encode())
    h.update(body)
    return h.digest()
