"""Linking two incidents as one (``POST /v1/incidents/{id}/links``): checked, stored with its events, published.

Intake owns the incident rules (numbering, closure, reopening), so it owns which incident is whose duplicate.
Durability as for reports: the link and its exact events are stored *pending* first, published, then marked
published; a retry of the same pair republishes the same bytes (same ids) and answers the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from services.intake.adapters.store import IntakeStore, LinkFacts, LinkStore
from services.intake.domain.links import answer_for, linked_events, refuse_chain, refuse_pair
from services.intake.domain.scope import in_scope
from shared.auth import Principal
from shared.envelope import Envelope, now_utc
from shared.http import Problem

Publish = Callable[[Envelope], Awaitable[None]]


class Linker:
    def __init__(self, store: IntakeStore, links: LinkStore, publish: Publish):
        self._store, self._links, self._publish = store, links, publish

    async def link(self, principal: Principal, primary_id: str, duplicate_id: str, reason: str) -> dict[str, Any]:
        unit = principal.unit
        if unit is None:
            raise Problem(403, "Forbidden", "令牌未指明单位，不能合并事件 / A token without a unit cannot link"
                          " incidents.")
        primary, duplicate = await self._store.incident(primary_id), await self._store.incident(duplicate_id)
        refuse_pair(primary_id, duplicate_id, primary_known=primary is not None, duplicate_known=duplicate is not None)
        assert primary is not None and duplicate is not None
        for incident in (primary, duplicate):
            if not in_scope(unit, incident.location_unit_id,
                            await self._store.lineage(incident.location_unit_id)):
                raise Problem(403, "Forbidden", f"事件“{incident.incident_id}”的发生地不在本单位“{unit}”"
                              f"及其下级范围内，不能合并。 / Incident {incident.incident_id!r} happened outside your"
                              f" unit {unit!r} and the units below it: you cannot link it.")

        def check(facts: LinkFacts) -> None:
            refuse_chain(primary_id, duplicate_id, primary_of_primary=facts.primary_of_primary,
                         primary_of_duplicate=facts.primary_of_duplicate,
                         duplicates_of_duplicate=facts.duplicates_of_duplicate)

        def make() -> tuple[list[dict[str, Any]], dict[str, Any]]:
            events = linked_events(primary_id=primary_id, duplicate_id=duplicate_id, reason=reason,
                                   actor=principal.subject, unit_id=unit, at=now_utc())
            return [e.model_dump(mode="json") for e in events], answer_for(events)

        stored = await self._links.reserve(primary_id, duplicate_id, check=check, make=make)
        if not stored.published:
            for raw in stored.envelopes:
                await self._publish(Envelope.model_validate(raw))
            await self._links.published(duplicate_id)
        return stored.answer
