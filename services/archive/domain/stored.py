"""An event as the store holds it, in the shape projections fold (pure data, no I/O)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from shared.events import parse_data


def parse_json(text: str | bytes) -> Any:
    """A stored body or document (always valid JSON: the store took only what it could canonicalise).
    orjson, about 4× the standard parser; it reads an integer beyond 64 bits as a float, so read models
    show such a number rounded, while the store keeps its exact digits."""
    return orjson.loads(text)


def encode_json(value: Any) -> bytes:
    """Compact UTF-8 JSON of a read-model document; the standard encoder for what orjson refuses (a key
    that is not a string, e.g. a unit id sent as a number)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(slots=True)
class StoredEvent:
    """Not frozen on purpose: a frozen slotted dataclass is built four times slower (replay builds
    one per stored event). Nothing mutates an event; its ``data`` is shared with the parsed body."""

    position: int
    type: str
    time: str | None
    recorded_at: str
    actor: str | None
    data: dict[str, Any]

    @classmethod
    def from_row(cls, position: int, recorded_at: datetime, body: str | bytes) -> StoredEvent:
        return cls.from_body(position, recorded_at.isoformat(), body)

    @classmethod
    def from_body(cls, position: int, recorded_at: str, body: str | bytes) -> StoredEvent:
        """``from_row`` with the recorded time already as text (a batch's events share one)."""
        envelope = parse_json(body)
        data = envelope.get("data")
        return cls(position, envelope["type"], envelope.get("time"), recorded_at,
                   envelope.get("actor"), data if isinstance(data, dict) else {})

    @classmethod
    def of(cls, event_type: str, data: dict[str, Any], time: str | None = None) -> StoredEvent:
        """An event outside the store (tests, folds over plain (type, data) pairs)."""
        return cls(0, event_type, time, time or "", None, data)


def conforms(event: StoredEvent) -> bool:
    """Whether ``event`` is what its type promises (``shared.events``), with a time this system can hold.

    The archive keeps every event as it came — one with missing fields, or a time no calendar here holds,
    too — and readers that fold raw events (the board, the figures) leave such an event out instead of
    failing on it."""
    try:
        parse_data(event.type, event.data)
        if event.time is not None:
            datetime.fromisoformat(event.time).astimezone(UTC)
    except Exception:
        return False
    return True
