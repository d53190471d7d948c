"""Turning a validated, classified report into its facts: ``ReportSubmitted`` and maybe ``IncidentRegraded``.

Every id here is derived (uuid5), so recomputing after a crash yields the same events.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from services.intake.domain.classify import Classification
from shared.envelope import Envelope
from shared.events import Grade, IncidentRegraded, IncidentReopened, Obligation, ReportSubmitted
from shared.report import Report

SOURCE = "/baosong/intake"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://baosong.local/intake")


def report_id_for(unit_id: str, key: str) -> str:
    """The report id a (unit, Idempotency-Key) pair always maps to."""
    return f"rpt-{uuid.uuid5(NAMESPACE, unit_id + chr(0) + key)}"


def new_report_id() -> str:
    return f"rpt-{uuid.uuid4()}"


def incident_id_for(report_id: str) -> str:
    """The incident an initial report opens when it names none."""
    return f"inc-{uuid.uuid5(NAMESPACE, report_id)}"


@dataclass(frozen=True)
class Who:
    actor: str
    actor_unit: str | None


def _envelope(kind: str, data: dict[str, object], *, report_id: str, incident_id: str, time: datetime,
              who: Who, policy: str | None) -> Envelope:
    return Envelope(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"baosong:{kind}:{report_id}")),
        source=SOURCE, type=kind, subject=incident_id, time=time, data=data,
        partitionkey=incident_id, correlationid=report_id, actor=who.actor, actorunit=who.actor_unit,
        policy=policy,
    )


def report_submitted(
    report: Report, *, report_id: str, incident_id: str, received_at: datetime, who: Who,
    classification: Classification | None = None, obligations: list[Obligation] | None = None,
    sequence: int | None = None, label: str | None = None,
) -> Envelope:
    """The event for a newly received report."""
    c = classification
    data = ReportSubmitted(
        report_id=report_id,
        incident_id=incident_id,
        received_at=received_at,
        report=report.model_copy(update={"incident_id": incident_id}),
        reportable=c.reportable if c else False,
        grade=c.grade if c else None,
        reasons=c.reasons if c else [],
        reasons_zh=c.reasons_zh if c else [],
        policy=c.policy if c else None,
        obligations=obligations or [],
        sequence=sequence,
        label=label,
    )
    return _envelope("ReportSubmitted", data.model_dump(mode="json"), report_id=report_id,
                     incident_id=incident_id, time=received_at, who=who, policy=data.policy)


def incident_regraded(
    *, report_id: str, incident_id: str, previous: Grade | None, now: Classification, at: datetime, who: Who,
    obligations: list[Obligation],
) -> Envelope:
    """A follow-up moved the incident to another grade (or made it reportable)."""
    assert now.grade is not None, "only a reportable classification has a grade"
    data = IncidentRegraded(
        incident_id=incident_id, report_id=report_id, previous_grade=previous, grade=now.grade,
        reasons=now.reasons, reasons_zh=now.reasons_zh, policy=now.policy, obligations=obligations,
    )
    return _envelope("IncidentRegraded", data.model_dump(mode="json"), report_id=report_id,
                     incident_id=incident_id, time=at, who=who, policy=now.policy)


def incident_reopened(report: Report, *, report_id: str, incident_id: str, at: datetime, who: Who,
                      policy: str | None) -> Envelope:
    """The report reopens its closed incident (published just before the report's own event)."""
    data = IncidentReopened(incident_id=incident_id, report_id=report_id, reason=report.reopen_reason, reopened_at=at)
    return _envelope("IncidentReopened", data.model_dump(mode="json"), report_id=report_id, incident_id=incident_id,
                     time=at, who=who, policy=policy)
