"""Linking two incidents as one (issue 17, 合并重复事件), pure: who may, which pairs, and the events.

The same event is sometimes reported twice and opens two incidents (the county police and the town each
report one homicide). A duty officer (值班员) of a unit both incidents lie within links the later one, the
*duplicate*, to the *primary*: from then on they share the primary's obligations — escalation discharges the
duplicate's open clocks, counts the duplicate's forwards towards the primary's, and supersedes (never deletes)
a breach already raised on the duplicate. Links are one level deep: a primary is no one's duplicate, and a
duplicate has no duplicates of its own, so "which incident is this one really" has one answer.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from services.intake.domain.submission import NAMESPACE, SOURCE
from shared.envelope import Envelope
from shared.events import IncidentsLinked
from shared.http import Problem

LINKERS = ("duty_officer",)


def link_id_for(primary_id: str, duplicate_id: str) -> str:
    return f"lnk-{uuid.uuid5(NAMESPACE, 'link' + chr(0) + primary_id + chr(0) + duplicate_id)}"


def _field(field: str, zh: str, en: str, kind: str) -> dict[str, str]:
    return {"field": field, "message": zh, "message_en": en, "type": kind}


def refuse_pair(primary_id: str, duplicate_id: str, *, primary_known: bool, duplicate_known: bool) -> None:
    """404 for an unknown primary, 422 naming ``duplicate_id`` for an unknown or identical duplicate."""
    if not primary_known:
        raise Problem(404, "Not found", f"没有事件“{primary_id}” / No incident {primary_id!r}.")
    if duplicate_id == primary_id:
        raise Problem(422, "Invalid request", "重复事件不能是事件本身 / duplicate_id: an incident cannot"
                      " duplicate itself.",
                      [_field("duplicate_id", "不能与主事件相同", "the same incident as the primary", "same_incident")])
    if not duplicate_known:
        raise Problem(422, "Invalid request", f"没有事件“{duplicate_id}” / duplicate_id: no incident {duplicate_id!r}.",
                      [_field("duplicate_id", "没有这个事件", "no such incident", "unknown_incident")])


def refuse_chain(primary_id: str, duplicate_id: str, *, primary_of_primary: str | None,
                 primary_of_duplicate: str | None, duplicates_of_duplicate: int) -> None:
    """409 when the link would make a chain (or contradict one already made)."""
    if primary_of_duplicate is not None and primary_of_duplicate != primary_id:
        raise Problem(409, "Conflict", f"事件“{duplicate_id}”已并入“{primary_of_duplicate}” / Incident {duplicate_id!r}"
                      f" is already linked to {primary_of_duplicate!r}.",
                      [_field("duplicate_id", "已并入另一事件", "already linked to another incident",
                              "already_linked")])
    if primary_of_primary is not None:
        raise Problem(409, "Conflict", f"事件“{primary_id}”本身已并入“{primary_of_primary}”，请链接到该事件 /"
                      f" Incident {primary_id!r} is itself linked to {primary_of_primary!r}: link to that one.",
                      [_field("incident_id", "本身是重复事件", "itself a duplicate", "is_duplicate")])
    if duplicates_of_duplicate:
        raise Problem(409, "Conflict", f"事件“{duplicate_id}”已有并入它的重复事件，请以它为主事件 / Incident"
                      f" {duplicate_id!r} has duplicates of its own: make it the primary instead.",
                      [_field("duplicate_id", "已是其他事件的主事件", "the primary of other incidents", "is_primary")])


def linked_events(*, primary_id: str, duplicate_id: str, reason: str, actor: str, unit_id: str,
                  at: datetime) -> list[Envelope]:
    """The link, once on each incident's stream (primary first), with ids derived from the pair."""
    link_id = link_id_for(primary_id, duplicate_id)
    out = []
    for incident_id in (primary_id, duplicate_id):
        data = IncidentsLinked(link_id=link_id, incident_id=incident_id, primary_id=primary_id,
                               duplicate_id=duplicate_id, reason=reason, linked_by=actor, unit_id=unit_id,
                               linked_at=at)
        out.append(Envelope(id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"baosong:IncidentsLinked:{link_id}:{incident_id}")),
                            source=SOURCE, type="IncidentsLinked", subject=incident_id, time=at,
                            data=data.model_dump(mode="json"), partitionkey=incident_id, correlationid=link_id,
                            actor=actor, actorunit=unit_id))
    return out


def answer_for(events: list[Envelope]) -> dict[str, Any]:
    data = events[0].data
    return {k: data[k] for k in ("link_id", "primary_id", "duplicate_id", "reason", "linked_by", "linked_at")} | {
        "events": [e.id for e in events]}
