"""Acknowledging a breach (已知悉): who may, and the BreachAcknowledged event it makes (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.escalation.domain.clocks import derived_id
from services.escalation.domain.notices import SOURCE
from shared.auth import Principal
from shared.envelope import Envelope
from shared.events import BreachAcknowledged
from shared.offset import in_china
from shared.topics import BREACHES

#: The role that acknowledges breaches on the duty board.
ACKNOWLEDGER = "duty_officer"


@dataclass(frozen=True)
class Breach:
    """A breach escalation raised: its id, its subject (one of incident, item, request) and the breached unit."""

    breach_id: str
    unit_id: str
    incident_id: str | None = None
    item_id: str | None = None
    request_id: str | None = None

    @property
    def key(self) -> str:
        """The Kafka key and stream of the breach's events: its incident, item or request."""
        key = self.incident_id or self.item_id or self.request_id
        assert key is not None
        return key


def may_acknowledge(principal: Principal, units_seeing: set[str]) -> bool:
    """A duty officer of a unit that sees the breach: the breached unit or one above it (``units_seeing``)."""
    return principal.has_any(ACKNOWLEDGER) and principal.unit is not None and principal.unit in units_seeing


def acknowledgement(breach: Breach, principal: Principal, at: datetime) -> BreachAcknowledged:
    assert principal.unit is not None
    return BreachAcknowledged(breach_id=breach.breach_id, incident_id=breach.incident_id, item_id=breach.item_id,
                              request_id=breach.request_id, unit_id=breach.unit_id,
                              acknowledged_by=principal.subject, acknowledged_by_name=principal.name,
                              acknowledged_by_unit=principal.unit, acknowledged_at=in_china(at))


def acknowledged_event(breach: Breach, data: BreachAcknowledged) -> tuple[str, Envelope]:
    """Keyed like the breach, so it follows the breach in its partition; one id per breach (a re-publish
    after a crash repeats it, and the archive keeps it once)."""
    envelope = Envelope(id=derived_id(breach.breach_id, "BreachAcknowledged"), source=SOURCE,
                        type="BreachAcknowledged", subject=breach.key, time=data.acknowledged_at,
                        data=data.model_dump(mode="json"), partitionkey=breach.key, actor=data.acknowledged_by,
                        actorunit=data.acknowledged_by_unit)
    return BREACHES, envelope
