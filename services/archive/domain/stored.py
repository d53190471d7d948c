"""An event as the store holds it, in the shape projections fold (pure data, no I/O)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson


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
