"""What callers do over HTTP: decide on a report in their unit's queue, acknowledge a forwarded one.

The queue entry is locked for the transaction, so two decisions racing on one report cannot both
pass; the decision, the new queue entries, the forwards and their events commit together (outbox),
and the events are published before the answer when Kafka is reachable (else the relay retries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.approval.adapters import store
from services.approval.adapters.outbox import Relay, enqueue
from services.approval.domain import facts
from services.approval.domain.routing import RoutingRefused
from services.approval.domain.signoff import (
    Decision,
    Refused,
    awaiting,
    check_decision,
    check_receipt,
    signs_anything,
)
from services.approval.domain.steps import Step, waiting_for
from services.approval.service_layer.forwarding import sign_and_forward
from shared.auth import Principal
from shared.db import Database
from shared.envelope import Envelope, now_utc
from shared.policy import SignOffStep, load_pack
from shared.topics import REPORTS


@dataclass(frozen=True)
class DecisionRequest:
    report_id: str
    decision: Decision
    comment: str
    emergency: bool
    skip_steps: bool = False


def not_found(report_id: str) -> Refused:
    return Refused(404, "Not found", f"审批服务中没有报告 {report_id!r}",
                   f"no report {report_id!r} in approval (yet)")


class Actions:
    def __init__(self, db: Database, relay: Relay):
        self._db, self._relay = db, relay

    async def decide(self, principal: Principal, request: DecisionRequest) -> dict[str, Any]:
        if not signs_anything(principal.roles):
            check_decision(roles=principal.roles, entry=None, decision=request.decision, comment=request.comment,
                           steps=())
        async with self._db.pool.acquire() as conn, conn.transaction():
            report = await store.report(conn, request.report_id)
            if report is None:
                raise not_found(request.report_id)
            entry = await store.entry(conn, request.report_id, principal.unit, lock=True)
            steps = self._steps(report)
            step = check_decision(roles=principal.roles, entry=entry, decision=request.decision,
                                  comment=request.comment, steps=steps, skip=request.skip_steps)
            assert entry is not None
            ctx = facts.Context(report_id=report.report_id, incident_id=report.incident_id, policy=report.policy,
                                actor=principal.subject, actor_unit=entry.unit_id, time=now_utc())
            settled = _settled(steps, step, request.decision)
            forwarded_to: list[str] = []
            events: list[Envelope]
            done = entry.steps_done
            if request.decision == "reject":
                events = [facts.rejected(ctx, unit_id=entry.unit_id, approver=principal.subject, role=step.role,
                                         comment=request.comment, settled=settled)]
                await self._record(conn, events[0], request, step.role, final=True, at=ctx.time,
                                   unit_id=entry.unit_id, settled=settled)
                state = "rejected"
            elif not step.final:
                events = [facts.approved(ctx, unit_id=entry.unit_id, approver=principal.subject, role=step.role,
                                         comment=request.comment, final=False, settled=settled)]
                await self._record(conn, events[0], request, step.role, final=False, at=ctx.time,
                                   unit_id=entry.unit_id, settled=settled)
                done = step.last + 1
                state = awaiting(steps[done].stage_name)
            else:
                units = await store.units_around(conn, entry.unit_id)
                unit = units.get(entry.unit_id)
                if unit is None:
                    raise Refused(409, "Conflict",
                                  f"单位 {entry.unit_id!r} 尚未登记，无法报送",
                                  f"unit {entry.unit_id!r} is not registered yet")
                try:
                    events, forwarded_to = await sign_and_forward(
                        conn, ctx, report, unit, units, approver=principal.subject, role=step.role,
                        comment=request.comment, origin=entry.via == "submitted", emergency=request.emergency,
                        settled=settled)
                except RoutingRefused as exc:
                    raise Refused(422, "Invalid request", exc.zh, exc.en, field=exc.field) from exc
                done, state = len(steps), "signed"
            if state != "signed":
                await store.set_state(conn, report.report_id, entry.unit_id, state, ctx.time, steps_done=done)
            await enqueue(conn, REPORTS, events)
        await self._relay.try_flush()
        waiting = waiting_for(steps, done) if state != "rejected" else None
        return {"report_id": report.report_id, "unit_id": entry.unit_id, "decision": request.decision,
                "role": step.role, "step": settled.step, "stage": settled.stage, "skipped": list(settled.skipped),
                "state": state, "waiting_for": _shown(waiting), "forwarded_to": forwarded_to,
                "events": [e.id for e in events]}

    async def acknowledge(self, principal: Principal, report_id: str) -> dict[str, Any]:
        async with self._db.pool.acquire() as conn, conn.transaction():
            report = await store.report(conn, report_id)
            if report is None:
                raise not_found(report_id)
            entry = await store.entry(conn, report_id, principal.unit)
            check_receipt(unit=principal.unit, entry=entry)
            assert entry is not None
            ctx = facts.Context(report_id=report_id, incident_id=report.incident_id, policy=report.policy,
                                actor=principal.subject, actor_unit=entry.unit_id, time=now_utc())
            event = facts.acknowledged(ctx, unit_id=entry.unit_id, by=principal.subject)
            at, recorded = await store.save_receipt(conn, report_id=report_id, unit_id=entry.unit_id,
                                                    by=principal.subject, at=ctx.time, event_id=event.id)
            if recorded:
                await enqueue(conn, REPORTS, [event])
        if recorded:
            await self._relay.try_flush()
        return {"report_id": report_id, "unit_id": entry.unit_id, "acknowledged_at": at.isoformat(),
                "duplicate": not recorded, "event_id": event.id}

    @staticmethod
    def _steps(report: store.KnownReport) -> tuple[SignOffStep, ...]:
        return load_pack(report.pack).sign_off_steps(grade=report.grade, reportable=report.reportable)

    @staticmethod
    async def _record(conn: store.Conn, event: Envelope, request: DecisionRequest, role: str, *, final: bool,
                      at: datetime, unit_id: str, settled: facts.Settled) -> None:
        await store.save_decision(conn, event_id=event.id, report_id=request.report_id, unit_id=unit_id,
                                  approver=event.actor or "", role=role, decision=request.decision,
                                  comment=request.comment, final=final, emergency=request.emergency, decided_at=at,
                                  step=settled.step, stage=settled.stage)


def _settled(steps: tuple[SignOffStep, ...], step: Step, decision: Decision) -> facts.Settled:
    """The step an event names: the last an approval settles, the one a rejection is given at (from 1)."""
    at = step.last if decision == "approve" else step.index
    return facts.Settled(step=at + 1, stage=steps[at].stage_name,
                         skipped=tuple(steps[i].stage_name for i in step.skipped))


def _shown(step: SignOffStep | None) -> dict[str, Any] | None:
    """The step that waits next, as an answer shows it."""
    if step is None:
        return None
    return {"stage": step.stage_name, "roles": list(step.roles), "name": step.name.model_dump()}
