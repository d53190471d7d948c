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
    acting_role,
    check_decision,
    check_receipt,
    is_final,
    route_for,
)
from services.approval.service_layer.forwarding import sign_and_forward
from shared.auth import Principal
from shared.db import Database
from shared.envelope import Envelope, now_utc
from shared.policy import Route, load_pack
from shared.topics import REPORTS


@dataclass(frozen=True)
class DecisionRequest:
    report_id: str
    decision: Decision
    comment: str
    emergency: bool


def not_found(report_id: str) -> Refused:
    return Refused(404, "Not found", f"审批服务中没有报告 {report_id!r}",
                   f"no report {report_id!r} in approval (yet)")


class Actions:
    def __init__(self, db: Database, relay: Relay):
        self._db, self._relay = db, relay

    async def decide(self, principal: Principal, request: DecisionRequest) -> dict[str, Any]:
        if acting_role(principal.roles) is None:
            check_decision(roles=principal.roles, entry=None, decision=request.decision, comment=request.comment)
        async with self._db.pool.acquire() as conn, conn.transaction():
            report = await store.report(conn, request.report_id)
            if report is None:
                raise not_found(request.report_id)
            entry = await store.entry(conn, request.report_id, principal.unit, lock=True)
            role = check_decision(roles=principal.roles, entry=entry, decision=request.decision,
                                  comment=request.comment)
            assert entry is not None
            ctx = facts.Context(report_id=report.report_id, incident_id=report.incident_id, policy=report.policy,
                                actor=principal.subject, actor_unit=entry.unit_id, time=now_utc())
            forwarded_to: list[str] = []
            events: list[Envelope]
            if request.decision == "reject":
                events = [facts.rejected(ctx, unit_id=entry.unit_id, approver=principal.subject, role=role,
                                         comment=request.comment)]
                await self._record(conn, events[0], request, role, final=True, at=ctx.time, unit_id=entry.unit_id)
                state = "rejected"
            elif not is_final(self._route(report), role):
                events = [facts.approved(ctx, unit_id=entry.unit_id, approver=principal.subject, role=role,
                                         comment=request.comment, final=False)]
                await self._record(conn, events[0], request, role, final=False, at=ctx.time, unit_id=entry.unit_id)
                state = "awaiting_principal"
            else:
                units = await store.units_around(conn, entry.unit_id)
                unit = units.get(entry.unit_id)
                if unit is None:
                    raise Refused(409, "Conflict",
                                  f"单位 {entry.unit_id!r} 尚未登记，无法报送",
                                  f"unit {entry.unit_id!r} is not registered yet")
                try:
                    events, forwarded_to = await sign_and_forward(
                        conn, ctx, report, unit, units, approver=principal.subject, role=role,
                        comment=request.comment, origin=entry.via == "submitted", emergency=request.emergency)
                except RoutingRefused as exc:
                    raise Refused(422, "Invalid request", exc.zh, exc.en, field=exc.field) from exc
                state = "signed"
            if state != "signed":
                await store.set_state(conn, report.report_id, entry.unit_id, state, ctx.time)
            await enqueue(conn, REPORTS, events)
        await self._relay.try_flush()
        return {"report_id": report.report_id, "unit_id": entry.unit_id, "decision": request.decision,
                "role": role, "state": state, "forwarded_to": forwarded_to, "events": [e.id for e in events]}

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
    def _route(report: store.KnownReport) -> Route | None:
        return route_for(load_pack(report.pack), grade=report.grade, reportable=report.reportable)

    @staticmethod
    async def _record(conn: store.Conn, event: Envelope, request: DecisionRequest, role: str, *, final: bool,
                      at: datetime, unit_id: str) -> None:
        await store.save_decision(conn, event_id=event.id, report_id=request.report_id, unit_id=unit_id,
                                  approver=event.actor or "", role=role, decision=request.decision,
                                  comment=request.comment, final=final, emergency=request.emergency, decided_at=at)
