"""The events approval publishes, with deterministic ids (pure).

An id is uuid5 of the report, the unit where the step happens and the kind of step, so the same
step computed twice (a redelivery, a retried request, a crash before the outbox was marked sent)
is the same event, which the archive and every consumer recognise as a duplicate.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from shared.envelope import Envelope
from shared.events import (
    EventData,
    ReportAcknowledged,
    ReportApproved,
    ReportForwarded,
    ReportRejected,
    WrittenReportOwed,
)

SOURCE = "/baosong/approval"


def step_id(report_id: str, unit_id: str, step: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"baosong:approval:{report_id}:{unit_id}:{step}"))


@dataclass(frozen=True)
class Context:
    """What every event of one step shares: the report, who acted, when, and what caused it."""

    report_id: str
    incident_id: str
    policy: str | None
    actor: str | None
    actor_unit: str | None
    time: datetime
    causation_id: str | None = None

    def envelope(self, data: EventData, *, unit_id: str, step: str) -> Envelope:
        return Envelope(
            id=step_id(self.report_id, unit_id, step),
            source=SOURCE,
            type=type(data).__name__,
            subject=self.incident_id,
            time=self.time,
            data=data.model_dump(mode="json"),
            partitionkey=self.incident_id,
            correlationid=self.report_id,
            causationid=self.causation_id,
            actor=self.actor,
            actorunit=self.actor_unit,
            policy=self.policy,
        )


@dataclass(frozen=True)
class Settled:
    """The sign-off step a decision settles, as its event states it: number (from 1), stage, stages passed over."""

    step: int | None = None
    stage: str | None = None
    skipped: tuple[str, ...] = ()


#: A sign-off that names no step (a phone report's, and every sign-off before chains).
UNSETTLED = Settled()


def approval_step(final: bool, step: int | None) -> str:
    """The id step of an approval: the final one, the first step's, or a later step's (chains of three or more)."""
    if final:
        return "approved"
    return "approved:not-final" if step is None or step == 1 else f"approved:not-final:{step}"


def approved(ctx: Context, *, unit_id: str, approver: str, role: str, comment: str, final: bool,
             settled: Settled = UNSETTLED) -> Envelope:
    data = ReportApproved(report_id=ctx.report_id, incident_id=ctx.incident_id, unit_id=unit_id,
                          approver=approver, role=role, comment=comment, final=final, step=settled.step,
                          stage=settled.stage, skipped=list(settled.skipped))
    return ctx.envelope(data, unit_id=unit_id, step=approval_step(final, settled.step))


def rejected(ctx: Context, *, unit_id: str, approver: str, role: str, comment: str,
             settled: Settled = UNSETTLED) -> Envelope:
    data = ReportRejected(report_id=ctx.report_id, incident_id=ctx.incident_id, unit_id=unit_id,
                          approver=approver, role=role, comment=comment, step=settled.step, stage=settled.stage)
    return ctx.envelope(data, unit_id=unit_id, step="rejected")


def forwarded(ctx: Context, *, from_unit_id: str, to_unit_id: str, channel: str, report_channel: str,
              emergency: bool, signs_off: bool | None = None) -> Envelope:
    data = ReportForwarded.model_validate({
        "report_id": ctx.report_id, "incident_id": ctx.incident_id, "from_unit_id": from_unit_id,
        "to_unit_id": to_unit_id, "channel": channel, "report_channel": report_channel, "emergency": emergency,
        "signs_off": signs_off})
    return ctx.envelope(data, unit_id=from_unit_id, step=f"forwarded:{channel}:{to_unit_id}")


def acknowledged(ctx: Context, *, unit_id: str, by: str) -> Envelope:
    data = ReportAcknowledged(report_id=ctx.report_id, incident_id=ctx.incident_id, unit_id=unit_id, by=by)
    return ctx.envelope(data, unit_id=unit_id, step="acknowledged")


def written_report_owed(ctx: Context, *, unit_id: str, to_unit_id: str | None) -> Envelope:
    data = WrittenReportOwed(report_id=ctx.report_id, incident_id=ctx.incident_id, unit_id=unit_id,
                             to_unit_id=to_unit_id, policy=ctx.policy)
    return ctx.envelope(data, unit_id=unit_id, step="written-report-owed")
