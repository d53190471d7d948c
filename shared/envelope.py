"""The CloudEvents 1.0 envelope every Baosong event travels in (structured JSON mode).

The envelope is fixed; what grows is each event type's ``data`` schema (``shared.events``).
Extension attributes follow the CloudEvents naming rule (lower-case letters and digits only).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CONTENT_TYPE = "application/cloudevents+json"


def now_utc() -> datetime:
    """The current time, timezone-aware (every Baosong time carries its offset)."""
    return datetime.now(UTC)


class Envelope(BaseModel):
    """A CloudEvents 1.0 event with Baosong's extension attributes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(description="Stable event id; unique across the whole system.")
    source: str = Field(description="The producing service, e.g. `/baosong/intake`.")
    type: str = Field(description="Event type in the past tense, e.g. `ReportSubmitted`.")
    subject: str = Field(description="The stream the event belongs to: an incident, report or unit id.")
    time: datetime = Field(description="When the fact happened (ISO 8601 with offset).")
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]
    partitionkey: str = Field(description="Kafka key: the incident id, or the unit id for unit events.")
    correlationid: str | None = None
    causationid: str | None = None
    actor: str | None = Field(default=None, description="Subject of the token that caused the event.")
    actorunit: str | None = None
    policy: str | None = Field(default=None, description="`pack@version` where a policy pack applied.")

    def to_bytes(self) -> bytes:
        """The structured-mode wire form."""
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Envelope:
        return cls.model_validate_json(raw)


def new_event_id() -> str:
    return str(uuid.uuid4())
