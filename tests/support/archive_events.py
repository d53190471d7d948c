"""Realistic envelopes of the events the archive keeps, for archive tests (built from shared.events)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.envelope import Envelope
from shared.events import (
    DeadlineBreached,
    EventData,
    Obligation,
    ReportAcknowledged,
    ReportApproved,
    ReportForwarded,
    ReportSubmitted,
    UnitRegistered,
)
from shared.report import Report
from tests.support.reports import report

T0 = datetime(2026, 11, 23, 0, 5, tzinfo=UTC)


def envelope(data: EventData, *, subject: str, time: datetime = T0, actor: str | None = None) -> dict[str, Any]:
    env = Envelope(id=str(uuid.uuid4()), source="/baosong/test", type=type(data).__name__, subject=subject,
                   time=time, data=data.model_dump(mode="json"), partitionkey=subject, actor=actor)
    loaded: dict[str, Any] = json.loads(env.to_bytes())
    return loaded


def unit(unit_id: str, parent_id: str | None = None, department_parent_id: str | None = None,
         level: str = "town") -> dict[str, Any]:
    return envelope(UnitRegistered(unit_id=unit_id, name=f"{unit_id} 办公室", level=level,  # type: ignore[arg-type]
                                   kind="general_office", parent_id=parent_id,
                                   department_parent_id=department_parent_id), subject=unit_id)


class Story:
    """One incident's events, told in order: submitted, approved, forwarded, acknowledged, breached."""

    def __init__(self, unit_id: str = "town-a-office", parent_id: str = "county-x-office", deaths: int = 1):
        self.unit_id, self.parent_id = unit_id, parent_id
        self.incident_id, self.report_id = f"inc-{uuid.uuid4()}", f"rep-{uuid.uuid4()}"
        self.deaths = deaths

    def submitted(self) -> dict[str, Any]:
        body = Report.model_validate(report(reporting_unit=self.unit_id, incident_id=self.incident_id,
                                            location={"unit_id": self.unit_id, "address": "307国道"},
                                            casualties={"deaths": self.deaths}))
        return envelope(ReportSubmitted(
            report_id=self.report_id, incident_id=self.incident_id, received_at=T0, report=body, reportable=True,
            grade="IV", reasons=["road traffic: deaths ≥ 1"], policy="county-2h-10h@1",
            obligations=[Obligation(obligation="written_report", unit_id=self.unit_id, to_unit_id=self.parent_id,
                                    late_at=T0 + timedelta(hours=2), missed_at=T0 + timedelta(hours=10))]),
            subject=self.incident_id, actor=f"reporter@{self.unit_id}")

    def approved(self) -> dict[str, Any]:
        return envelope(ReportApproved(report_id=self.report_id, incident_id=self.incident_id, unit_id=self.unit_id,
                                       approver="principal@x", role="principal", final=True),
                        subject=self.incident_id, time=T0 + timedelta(minutes=30))

    def forwarded(self) -> dict[str, Any]:
        return envelope(ReportForwarded(report_id=self.report_id, incident_id=self.incident_id,
                                        from_unit_id=self.unit_id, to_unit_id=self.parent_id),
                        subject=self.incident_id, time=T0 + timedelta(minutes=31))

    def acknowledged(self) -> dict[str, Any]:
        return envelope(ReportAcknowledged(report_id=self.report_id, incident_id=self.incident_id,
                                           unit_id=self.parent_id, by=f"duty@{self.parent_id}"),
                        subject=self.incident_id, time=T0 + timedelta(minutes=40))

    def breached(self, kind: str = "late") -> dict[str, Any]:
        return envelope(DeadlineBreached(
            breach_id=f"br-{uuid.uuid4()}", incident_id=self.incident_id, unit_id=self.unit_id,
            obligation="written_report", kind=kind, deadline_at=T0 + timedelta(hours=2),  # type: ignore[arg-type]
            detected_at=T0 + timedelta(hours=2, seconds=1), policy="county-2h-10h@1"), subject=self.incident_id)

    def all(self) -> list[dict[str, Any]]:
        return [self.submitted(), self.breached(), self.approved(), self.forwarded(), self.acknowledged()]
