"""What sign-off events do in escalation: follow each report through each unit's chain (for 责任倒查) and keep
each step's own reminder (StepOverdue) while the step holds the report.

A report's chain is its pack's, for its grade at submission — the same steps approval asks for (one function,
``Pack.sign_off_steps``). Its holding in a unit begins when it is submitted there or forwarded there to be
signed again, and ends when it is signed off, rejected or replaced by a corrected report. Every write is
idempotent (keys, ON CONFLICT, updates guarded by state), so a redelivered event changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from services.escalation.adapters import holdings
from services.escalation.adapters import repository as repo
from services.escalation.domain.clocks import step_clock
from services.escalation.domain.responsibility import Holding
from shared.envelope import Envelope
from shared.events import ReportApproved, ReportForwarded, ReportRejected, ReportSubmitted
from shared.policy import pack_for


async def on_submitted(conn: repo.Conn, env: Envelope, data: ReportSubmitted) -> None:
    report = data.report
    unit = await repo.unit(conn, report.reporting_unit)
    pack = pack_for(data.policy, unit_id=report.reporting_unit, unit_kind=unit.kind if unit else None)
    chain = holdings.chain_json(pack.sign_off_steps(grade=data.grade, reportable=data.reportable))
    await _arrive(conn, env, report_id=data.report_id, unit_id=report.reporting_unit, incident_id=data.incident_id,
                  drafter=env.actor, chain=chain, policy=pack.ref, at=data.received_at,
                  reminded=report.channel == "written")
    if report.supersedes_report_id:
        await holdings.end(conn, report_id=report.supersedes_report_id, unit_id=report.reporting_unit,
                           at=data.received_at, by="superseded")
        await holdings.close_step_clocks(conn, report_id=report.supersedes_report_id, unit_id=report.reporting_unit,
                                         through=None, at=data.received_at, event_id=env.id)


async def on_forwarded(conn: repo.Conn, env: Envelope, data: ReportForwarded) -> None:
    """A report forwarded to be signed again (``signs_off``) begins its holding there."""
    if not data.signs_off:
        return
    known = await holdings.chain_of(conn, data.report_id)
    if known is None:  # submitted before escalation followed sign-off: nothing to follow it by
        return
    chain, policy = known
    await _arrive(conn, env, report_id=data.report_id, unit_id=data.to_unit_id, incident_id=data.incident_id,
                  drafter=None, chain=chain, policy=policy, at=env.time, reminded=data.report_channel == "written")


async def on_approved(conn: repo.Conn, env: Envelope, data: ReportApproved) -> None:
    if not await holdings.record_decision(
            conn, event_id=env.id, report_id=data.report_id, unit_id=data.unit_id, incident_id=data.incident_id,
            subject=data.approver, role=data.role, decision="approve", step=data.step, stage=data.stage, at=env.time):
        return
    if data.final:
        await holdings.end(conn, report_id=data.report_id, unit_id=data.unit_id, at=env.time, by="signed")
        await holdings.close_step_clocks(conn, report_id=data.report_id, unit_id=data.unit_id, through=None,
                                         at=env.time, event_id=env.id)
        return
    settled = data.step or 1
    await holdings.close_step_clocks(conn, report_id=data.report_id, unit_id=data.unit_id, through=settled,
                                     at=env.time, event_id=env.id)
    held = await holdings.holding(conn, data.report_id, data.unit_id)
    if held is not None:
        await _remind(conn, env, held, step=settled + 1, since=env.time, incident_id=data.incident_id)


async def on_rejected(conn: repo.Conn, env: Envelope, data: ReportRejected) -> None:
    if await holdings.record_decision(
            conn, event_id=env.id, report_id=data.report_id, unit_id=data.unit_id, incident_id=data.incident_id,
            subject=data.approver, role=data.role, decision="reject", step=data.step, stage=data.stage, at=env.time):
        await holdings.end(conn, report_id=data.report_id, unit_id=data.unit_id, at=env.time, by="rejected")
        await holdings.close_step_clocks(conn, report_id=data.report_id, unit_id=data.unit_id, through=None,
                                         at=env.time, event_id=env.id)


async def _arrive(conn: repo.Conn, env: Envelope, *, report_id: str, unit_id: str, incident_id: str,
                  drafter: str | None, chain: str, policy: str, at: datetime, reminded: bool) -> None:
    """A holding begins; a written report's first step gets its reminder (a phone report is signed at once)."""
    if not await holdings.arrive(conn, report_id=report_id, unit_id=unit_id, incident_id=incident_id,
                                 drafter=drafter, chain=chain, policy=policy, at=at):
        return
    held = await holdings.holding(conn, report_id, unit_id)
    if held is not None and reminded:
        await _remind(conn, env, held, step=1, since=at, incident_id=incident_id)


async def _remind(conn: repo.Conn, env: Envelope, held: Holding, *, step: int, since: datetime,
                  incident_id: str) -> None:
    """Open the reminder of step ``step`` (from 1), when the chain has that step and gives it a hold."""
    if step > len(held.chain) or held.chain[step - 1].hold is None:
        return
    policy = await holdings.chain_of(conn, held.report_id)
    assert policy is not None
    hold = held.chain[step - 1].hold
    assert hold is not None
    await repo.open_clocks(conn, [step_clock(incident_id=incident_id, unit_id=held.unit_id, report_id=held.report_id,
                                             step=step, held_since=since, hold=hold, policy=policy[1],
                                             opened_by=env.id)])
