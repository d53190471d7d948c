"""Turning a validated report into the ``ReportSubmitted`` fact."""

from __future__ import annotations

import uuid
from datetime import datetime

from shared.envelope import Envelope
from shared.events import ReportSubmitted
from shared.report import Report

SOURCE = "/baosong/intake"


def new_report_id() -> str:
    return f"rpt-{uuid.uuid4()}"


def new_incident_id() -> str:
    return f"inc-{uuid.uuid4()}"


def report_submitted(
    report: Report, *, report_id: str, received_at: datetime, actor: str, actor_unit: str | None
) -> Envelope:
    """The event for a newly received report; an initial report without an incident opens one."""
    incident_id = report.incident_id or new_incident_id()
    data = ReportSubmitted(
        report_id=report_id,
        incident_id=incident_id,
        received_at=received_at,
        report=report.model_copy(update={"incident_id": incident_id}),
    )
    return Envelope(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"baosong:ReportSubmitted:{report_id}")),
        source=SOURCE,
        type="ReportSubmitted",
        subject=incident_id,
        time=received_at,
        data=data.model_dump(mode="json"),
        partitionkey=incident_id,
        correlationid=report_id,
        actor=actor,
        actorunit=actor_unit,
    )
