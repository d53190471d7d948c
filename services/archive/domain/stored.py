"""An event as the store holds it, in the shape projections fold (pure data, no I/O)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class StoredEvent:
    position: int
    type: str
    time: str | None
    recorded_at: str
    actor: str | None
    data: dict[str, Any]

    @classmethod
    def from_row(cls, position: int, recorded_at: datetime, body: str) -> StoredEvent:
        return cls.from_body(position, recorded_at.isoformat(), body)

    @classmethod
    def from_body(cls, position: int, recorded_at: str, body: str) -> StoredEvent:
        """``from_row`` with the recorded time already as text (a batch's events share one)."""
        envelope = json.loads(body)
        data = envelope.get("data")
        return cls(position, envelope["type"], envelope.get("time"), recorded_at,
                   envelope.get("actor"), data if isinstance(data, dict) else {})

    @classmethod
    def of(cls, event_type: str, data: dict[str, Any], time: str | None = None) -> StoredEvent:
        """An event outside the store (tests, folds over plain (type, data) pairs)."""
        return cls(0, event_type, time, time or "", None, data)
