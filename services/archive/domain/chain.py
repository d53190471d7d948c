"""The hash chain: each event's hash covers its position, recorded time, canonical body and the previous hash."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = b""


def canonical_body(envelope: dict[str, Any]) -> str:
    """The event's canonical JSON: sorted keys, no spaces, UTF-8 text (what the hash covers)."""
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def recorded_text(recorded_at: datetime) -> str:
    return recorded_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def link_hash(prev_hash: bytes, position: int, recorded_at: datetime, body: str) -> bytes:
    return link_digest(prev_hash, position, recorded_text(recorded_at), body)


def link_digest(prev_hash: bytes, position: int, recorded: str, body: str) -> bytes:
    """``link_hash`` with the recorded time already as text (a batch shares one)."""
    h = hashlib.sha256()
    h.update(prev_hash)
    h.update(f"\n{position}\n{recorded}\n".encode())
    h.update(body.encode())
    return h.digest()
