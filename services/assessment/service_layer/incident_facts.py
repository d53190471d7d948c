"""What each incident event adds to the incident statistics' read models (``assessment-incidents``); every
other event on baosong.reports and baosong.breaches is skipped unread."""

from __future__ import annotations

from datetime import datetime

from services.assessment.adapters import incidents
from services.assessment.adapters.incidents import Conn
from services.assessment.service_layer.facts import Apply
from shared.events import DeadlineBreached, IncidentRegraded, Obligation, ReportForwarded, ReportSubmitted
from shared.incident_stats.figures import WRITTEN


def _written(obligations: list[Obligation]) -> list[Obligation]:
    return [ob for ob in obligations if ob.obligation == WRITTEN]


async def _submitted(conn: Conn, event_id: str, at: datetime, data: ReportSubmitted) -> None:
    await incidents.add_report(conn, event_id, data)
    await incidents.add_duties(conn, event_id, data.incident_id, _written(data.obligations))


async def _regraded(conn: Conn, event_id: str, at: datetime, data: IncidentRegraded) -> None:
    await incidents.add_duties(conn, event_id, data.incident_id, _written(data.obligations))


async def _forwarded(conn: Conn, event_id: str, at: datetime, data: ReportForwarded) -> None:
    await incidents.add_forward(conn, event_id, at, data)


async def _breached(conn: Conn, event_id: str, at: datetime, data: DeadlineBreached) -> None:
    """Only an incident's written report counts here (item and request breaches are the scores')."""
    if data.incident_id is not None and data.obligation == WRITTEN and data.kind in ("late", "missed"):
        await incidents.add_breach(conn, event_id, data)


#: The event types the incident statistics apply, and how.
INCIDENT_APPLY: dict[str, Apply] = {
    "ReportSubmitted": _submitted,
    "IncidentRegraded": _regraded,
    "ReportForwarded": _forwarded,
    "DeadlineBreached": _breached,
}
