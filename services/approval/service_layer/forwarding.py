"""Steps shared by every sign-off: send the forwards, enqueue their events."""

from __future__ import annotations

import dataclasses

from services.approval.adapters import store
from services.approval.adapters.store import Conn, KnownReport
from services.approval.domain import facts
from services.approval.domain.routing import plan_forwards
from services.approval.domain.signoff import route_for
from shared.envelope import Envelope
from shared.events import UnitRegistered
from shared.policy import load_pack


async def sign_and_forward(
    conn: Conn,
    ctx: facts.Context,
    report: KnownReport,
    unit: UnitRegistered,
    units: dict[str, UnitRegistered],
    *,
    approver: str,
    role: str,
    comment: str,
    origin: bool,
    emergency: bool,
    settled: facts.Settled = facts.UNSETTLED,
) -> tuple[list[Envelope], list[str]]:
    """The final sign-off at ``unit`` and the forwards it releases (raises RoutingRefused first)."""
    route = route_for(load_pack(report.pack), grade=report.grade, reportable=report.reportable)
    hops = plan_forwards(unit, origin=origin, route=route, reportable=report.reportable, emergency=emergency,
                         lookup=units.get)
    signed = facts.approved(ctx, unit_id=unit.unit_id, approver=approver, role=role, comment=comment, final=True,
                            settled=settled)
    await store.save_decision(conn, event_id=signed.id, report_id=report.report_id, unit_id=unit.unit_id,
                              approver=approver, role=role, decision="approve", comment=comment, final=True,
                              emergency=emergency, decided_at=ctx.time, step=settled.step, stage=settled.stage)
    await store.set_state(conn, report.report_id, unit.unit_id, "signed", ctx.time)
    events = [signed]
    caused = dataclasses.replace(ctx, causation_id=signed.id)
    for hop in hops:
        sent = facts.forwarded(caused, from_unit_id=unit.unit_id, to_unit_id=hop.to_unit_id, channel=hop.channel,
                               report_channel=report.channel, emergency=emergency and hop.channel == "main",
                               signs_off=hop.entry_kind == "sign_off")
        await store.save_forward(conn, event_id=sent.id, report_id=report.report_id, from_unit_id=unit.unit_id,
                                 to_unit_id=hop.to_unit_id, channel=hop.channel,
                                 emergency=emergency and hop.channel == "main", at=ctx.time)
        await store.add_entry(conn, report_id=report.report_id, unit_id=hop.to_unit_id, kind=hop.entry_kind,
                              via=hop.channel, from_unit_id=unit.unit_id, at=ctx.time)
        events.append(sent)
    return events, [hop.to_unit_id for hop in hops]
