"""The archive's read models as pure folds: which events each takes, which document an event
touches (its key), and how the document changes. The projector (adapters) stores the results."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from services.archive.domain import incident_state, report_state, timeline
from services.archive.domain.stored import StoredEvent

Doc = dict[str, Any]


class Malformed(ValueError):
    """An event a projection cannot fold (its data lacks the fields its type promises, or folding it
    fails); projections skip it, and the live projector sets it aside in ``archive.parked``."""

    def __init__(self, message: str, *, projection: str = "", position: int = 0, event_type: str = ""):
        super().__init__(message)
        self.projection, self.position, self.event_type = projection, position, event_type


@dataclass(frozen=True)
class Projection:
    name: str
    types: frozenset[str]
    key_field: str
    apply: Callable[[Doc | None, StoredEvent], Doc | None]

    @property
    def table(self) -> str:
        return f"archive.proj_{self.name}"

    def key(self, event: StoredEvent) -> str | None:
        """The document ``event`` changes, or None when this projection ignores it."""
        if event.type not in self.types:
            return None
        key = event.data.get(self.key_field)
        return key if isinstance(key, str) else None


def _latest(_: Doc | None, event: StoredEvent) -> Doc:
    return {**event.data, "position": event.position, "recorded_at": event.recorded_at}


#: What a breach's document gains when a duty officer acknowledges it (null until then).
ACKNOWLEDGED = ("acknowledged_by", "acknowledged_by_name", "acknowledged_by_unit", "acknowledged_at")
#: What it gains when its incident is linked to another as a duplicate.
SUPERSEDED = ("superseded", "superseded_by", "superseded_at", "link_id")


def _breach(doc: Doc | None, event: StoredEvent) -> Doc | None:
    """A breach as raised, whether it was superseded since (its incident linked to another as a duplicate), and
    its first acknowledgement. Escalation publishes an acknowledgement only for a breach it has published, on the
    same key, so the breach always comes first; a stray one is ignored."""
    data = event.data
    if event.type == "BreachSuperseded":
        return {**(doc or {"breach_id": data["breach_id"]}), "superseded": True, "superseded_by": data["primary_id"],
                "superseded_at": data["superseded_at"], "link_id": data["link_id"]}
    if event.type == "BreachAcknowledged":
        if doc is None or doc.get("acknowledged_at") is not None:
            return None
        return {**doc, **{k: data.get(k) for k in ACKNOWLEDGED}}
    kept: Doc = {k: doc[k] for k in (*SUPERSEDED, *ACKNOWLEDGED) if k in doc} if doc is not None else {}
    return {"superseded": False, "superseded_by": None, "superseded_at": None, **dict.fromkeys(ACKNOWLEDGED),
            **_latest(doc, event), **kept}


PROJECTIONS: dict[str, Projection] = {p.name: p for p in (
    Projection("reports", report_state.TYPES, "report_id", report_state.apply_report),
    Projection("incidents", incident_state.TYPES, "incident_id", incident_state.apply_incident),
    Projection("timelines", timeline.TIMELINE_TYPES, "incident_id", timeline.apply_timeline),
    Projection("knowledge", timeline.KNOWLEDGE_TYPES, "incident_id", timeline.apply_knowledge),
    Projection("units", frozenset({"UnitRegistered"}), "unit_id", _latest),
    Projection("breaches", frozenset({"DeadlineBreached", "BreachSuperseded", "BreachAcknowledged"}), "breach_id",
               _breach),
)}


def fold_all(projection: Projection, docs: dict[str, Doc], events: Iterable[StoredEvent],
             on_malformed: Callable[[Malformed], None], touched: set[str]) -> None:
    """Apply ``events`` in order to the in-memory ``docs``, adding to ``touched`` the key of every document an
    event was meant for (whether or not a document came of it). A malformed event goes to ``on_malformed``
    and is skipped. One loop per projection and batch, no call per event but ``apply``: a replay runs this
    for every event."""
    types, field, apply = projection.types, projection.key_field, projection.apply
    for event in events:
        if event.type not in types:
            continue
        key = event.data.get(field)
        if not isinstance(key, str):
            continue
        touched.add(key)
        try:
            doc = apply(docs.get(key), event)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            on_malformed(Malformed(f"{projection.name}: event at position {event.position} ({event.type})"
                                   f" lacks {exc}", projection=projection.name, position=event.position,
                                   event_type=event.type))
            continue
        except Exception as exc:  # e.g. a date beyond what datetime holds: no event may stop the read models
            on_malformed(Malformed(f"{projection.name}: event at position {event.position} ({event.type})"
                                   f" cannot be folded: {type(exc).__name__}: {exc}", projection=projection.name,
                                   position=event.position, event_type=event.type))
            continue
        if doc is not None:
            docs[key] = doc
