"""What each event the assessment counts adds to its facts; every other event is skipped unread.

A fact is recorded with its event's id and time: the time is what ``?as_of=`` compares, so an event
without an offset is refused (set aside) rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from services.assessment.adapters import facts
from services.assessment.adapters.facts import Conn
from shared.envelope import Envelope
from shared.events import DeadlineBreached, EventData, ItemApproved

Apply = Callable[[Conn, str, datetime, Any], Awaitable[None]]


async def _approved(conn: Conn, event_id: str, at: datetime, data: ItemApproved) -> None:
    """Only the last sign-off (``final``) releases the item: the one that counts."""
    if data.final:
        await facts.add_approval(conn, event_id, at, data)


async def _breached(conn: Conn, event_id: str, at: datetime, data: DeadlineBreached) -> None:
    """Only a missed commissioned request (约稿) costs points; incident and item breaches do not."""
    if data.kind == "request_missed":
        await facts.add_missed_request(conn, event_id, at, data)


#: The event types the assessment applies, and how.
APPLY: dict[str, Apply] = {
    "UnitRegistered": facts.add_unit,
    "ItemSubmitted": facts.add_submission,
    "ItemApproved": _approved,
    "ItemAdopted": facts.add_adoption,
    "InstructionGiven": facts.add_instruction,
    "DeadlineBreached": _breached,
    "QuotaMissed": facts.add_quota_miss,
}


async def apply(conn: Conn, envelope: Envelope, data: EventData, appliers: Mapping[str, Apply]) -> None:
    """``appliers``: the scores' (``APPLY``) or the incident statistics' (``INCIDENT_APPLY``)."""
    if envelope.time.tzinfo is None:
        raise ValueError(f"event {envelope.id}: its time {envelope.time.isoformat()} has no UTC offset")
    await appliers[envelope.type](conn, envelope.id, envelope.time, data)
