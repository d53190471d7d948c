"""What approval does with the events it consumes: units join the directory, reports join a queue.

Each handler runs in one transaction that first records the event id, so a redelivered event
changes nothing and enqueues nothing. A phone report (channel ``phone``) is signed off at once —
the leader's call is the sign-off — forwarded, and leaves a ``WrittenReportOwed``: the written
report that follows names it in ``phone_report_id``. A phone report of a unit not in the directory
yet waits in its queue and is released when the unit's ``UnitRegistered`` arrives.
"""

from __future__ import annotations

from services.approval.adapters import store
from services.approval.adapters.outbox import Relay, enqueue
from services.approval.adapters.store import Conn
from services.approval.domain import facts
from services.approval.service_layer.forwarding import sign_and_forward
from shared.db import Database
from shared.envelope import Envelope, now_utc
from shared.events import ReportSubmitted, UnitRegistered
from shared.logging import get_logger
from shared.policy import pack_for
from shared.topics import REPORTS

log = get_logger(__name__)
PHONE_COMMENT = ("电话报告：领导电话即为签发，书面报告随后补报"
                 " (phone report: the leader's call is the sign-off; written report to follow)")


class Arrivals:
    def __init__(self, db: Database, relay: Relay):
        self._db, self._relay = db, relay

    async def unit_registered(self, envelope: Envelope) -> None:
        data = UnitRegistered.model_validate(envelope.data)
        async with self._db.pool.acquire() as conn, conn.transaction():
            if not await store.first_time(conn, envelope.id, envelope.type):
                return
            await store.save_unit(conn, data, envelope.id)
            waiting = await store.waiting_phone_reports(conn, data.unit_id)
            for report_id in waiting:
                await self._release_phone(conn, report_id, causation_id=envelope.id)
        if waiting:
            await self._relay.try_flush()

    async def report_submitted(self, envelope: Envelope) -> None:
        data = ReportSubmitted.model_validate(envelope.data)
        report = data.report
        async with self._db.pool.acquire() as conn, conn.transaction():
            if not await store.first_time(conn, envelope.id, envelope.type):
                return
            units = await store.units_around(conn, report.reporting_unit)
            unit = units.get(report.reporting_unit)
            pack = pack_for(data.policy, unit_id=report.reporting_unit, unit_kind=unit.kind if unit else None)
            await store.save_report(
                conn, report_id=data.report_id, incident_id=data.incident_id, reporting_unit=report.reporting_unit,
                kind=report.kind, channel=report.channel, title=report.title, grade=data.grade,
                reportable=data.reportable, policy=data.policy, pack=pack.name,
                supersedes_report_id=report.supersedes_report_id, phone_report_id=report.phone_report_id,
                submitted_by=envelope.actor, received_at=data.received_at, submitted_event_id=envelope.id,
                classification=report.classification)
            await store.add_entry(conn, report_id=data.report_id, unit_id=report.reporting_unit, kind="sign_off",
                                  via="submitted", from_unit_id=None, at=data.received_at)
            if report.supersedes_report_id:
                await store.supersede(conn, report.supersedes_report_id, report.reporting_unit, data.received_at)
            if report.channel == "phone":
                await self._release_phone(conn, data.report_id, causation_id=envelope.id)
        if report.channel == "phone":
            await self._relay.try_flush()

    async def _release_phone(self, conn: Conn, report_id: str, *, causation_id: str) -> None:
        known = await store.report(conn, report_id)
        assert known is not None
        units = await store.units_around(conn, known.reporting_unit)
        unit = units.get(known.reporting_unit)
        if unit is None:
            log.warning("phone report waits: its unit is not registered yet", report_id=report_id,
                        unit_id=known.reporting_unit)
            return
        caller = known.submitted_by
        ctx = facts.Context(report_id=report_id, incident_id=known.incident_id, policy=known.policy,
                            actor=caller, actor_unit=unit.unit_id, time=now_utc(), causation_id=causation_id)
        events, to = await sign_and_forward(conn, ctx, known, unit, units, approver=caller or "phone",
                                            role="phone", comment=PHONE_COMMENT, origin=True, emergency=False)
        events.append(facts.written_report_owed(ctx, unit_id=unit.unit_id, to_unit_id=unit.parent_id))
        await enqueue(conn, REPORTS, events)
        log.info("phone report forwarded at once", report_id=report_id, forwarded_to=to)
