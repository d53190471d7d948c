"""What each report event does to the clocks: open obligations, fulfil them, regrade, close.

Every handler runs in one transaction with the event's effects; all writes are idempotent (derived
ids, ON CONFLICT DO NOTHING, updates guarded by state), so a redelivered event changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from services.escalation.adapters import links
from services.escalation.adapters import repository as repo
from services.escalation.domain.clocks import ClockRow, first_follow_up_sequence, follow_up_clock, obligation_clocks
from services.escalation.entrypoints import signoff_handlers
from shared.envelope import Envelope
from shared.events import (
    IncidentRegraded,
    IncidentsLinked,
    Obligation,
    ReportAcknowledged,
    ReportForwarded,
    ReportSubmitted,
)
from shared.obligations import Ancestor, follow_up_cadence, hop_obligations, initial_obligations, receipt_obligations
from shared.policy import Pack, pack_for, pack_of

#: What a forwarded report fulfils for its sender, by the report's channel (a written report also
#: answers a phone obligation: it reached the superior sooner than nothing).
FULFILS = {"written": ["written_report", "routine_report", "forward", "phone_report"], "phone": ["phone_report"]}


async def on_submitted(conn: repo.Conn, env: Envelope, data: ReportSubmitted, now: datetime) -> None:
    report = data.report
    reporter = report.reporting_unit
    await repo.record_seen(conn, event_id=env.id, incident_id=data.incident_id, type=env.type, at=data.received_at,
                           unit_id=reporter, report_id=data.report_id, report_channel=report.channel,
                           report_kind=report.kind)
    incident = await repo.incident(conn, data.incident_id, lock=True)
    if incident is None:
        incident = await _open_incident(conn, env, data, now)
    if report.channel == "phone":
        await repo.fulfil(conn, incident_id=data.incident_id, unit_id=reporter, obligations=["phone_report"],
                          at=data.received_at, event_id=env.id)
    if report.reopen and incident.closed_at is not None:
        await _reopen(conn, env, incident, now)
    if report.kind == "final":
        await repo.close_incident(conn, data.incident_id, data.received_at, env.id)
    await signoff_handlers.on_submitted(conn, env, data)


async def _reopen(conn: repo.Conn, env: Envelope, incident: repo.Incident, now: datetime) -> None:
    """A report reopened a closed incident: its 续报 are owed again (when the pack has a cadence), from the
    next one due after now — one the final report closed is opened again, those past are not owed."""
    await repo.reopen_incident(conn, incident.incident_id)
    pack = pack_of(incident.policy)
    every = follow_up_cadence(pack, reportable=incident.reportable, grade=incident.grade)  # type: ignore[arg-type]
    if every is not None:
        await repo.reopen_follow_up(conn, follow_up_clock(
            incident_id=incident.incident_id, unit_id=incident.unit_id, clock_start=incident.clock_start,
            every=every, sequence=first_follow_up_sequence(incident.clock_start, every, now), policy=pack.ref,
            opened_by=env.id))


async def _open_incident(conn: repo.Conn, env: Envelope, data: ReportSubmitted, now: datetime) -> repo.Incident:
    report = data.report
    unit_id = report.location.unit_id
    unit = await repo.unit(conn, unit_id)
    pack = pack_for(data.policy, unit_id=unit_id, unit_kind=unit.kind if unit else None)
    start = (report.discovered_at or report.occurred_at) if pack.clock_start == "discovered" else report.occurred_at
    stated = next((o for o in data.obligations if o.unit_id == unit_id), None)
    parent = unit.parent_id if unit else (stated.to_unit_id if stated else None)
    incident = repo.Incident(data.incident_id, unit_id, pack.ref, start, data.reportable, data.grade, None)
    await repo.add_incident(conn, incident)
    owed = initial_obligations(pack, clock_start=start, reportable=data.reportable, grade=data.grade,
                               unit_id=unit_id, parent_id=parent,
                               department_parent_id=unit.department_parent_id if unit else None)
    rows = _clocks(owed, incident, pack, now, env.id)
    every = follow_up_cadence(pack, reportable=data.reportable, grade=data.grade)
    if every is not None:
        rows.append(follow_up_clock(incident_id=data.incident_id, unit_id=unit_id, clock_start=start, every=every,
                                    sequence=first_follow_up_sequence(start, every, now), policy=pack.ref,
                                    opened_by=env.id))
    await repo.open_clocks(conn, rows)
    return incident


def _clocks(owed: list[Obligation], incident: repo.Incident, pack: Pack, now: datetime, event_id: str,
            *, report_id: str | None = None, start: datetime | None = None) -> list[ClockRow]:
    return [row for o in owed for row in obligation_clocks(
        o, incident_id=incident.incident_id, clock_start=start or incident.clock_start, policy=pack.ref,
        shares=pack.reminders, now=now, opened_by=event_id, report_id=report_id)]


async def on_forwarded(conn: repo.Conn, env: Envelope, data: ReportForwarded, now: datetime) -> None:
    """U's report reached ``to_unit_id``: U's obligations towards it are met; the receiver owes a receipt
    and, when it is a level the pack names, the next hop."""
    at = env.time
    if not await repo.record_seen(conn, event_id=env.id, incident_id=data.incident_id, type=env.type, at=at,
                                  unit_id=data.from_unit_id, report_id=data.report_id, to_unit_id=data.to_unit_id,
                                  report_channel=data.report_channel):
        return
    await signoff_handlers.on_forwarded(conn, env, data)
    await repo.fulfil(conn, incident_id=data.incident_id, unit_id=data.from_unit_id,
                      obligations=FULFILS[data.report_channel],
                      at=at, event_id=env.id, to_unit_id=data.to_unit_id)
    incident = await repo.incident(conn, data.incident_id)
    if incident is None or data.channel == "skip_notice":
        return
    pack = pack_of(incident.policy)
    owed = receipt_obligations(pack, forwarded_at=at, receiver_id=data.to_unit_id, sender_id=data.from_unit_id)
    rows = _clocks(owed, incident, pack, now, env.id, report_id=data.report_id, start=at)
    receiver = await repo.unit(conn, data.to_unit_id)
    if receiver is not None and data.channel == "main":
        hops = hop_obligations(pack, clock_start=incident.clock_start, reportable=incident.reportable,
                               grade=incident.grade,  # type: ignore[arg-type]
                               ancestors=[Ancestor(receiver.unit_id, receiver.level,  # type: ignore[arg-type]
                                                   receiver.parent_id)])
        # Responsibility lies where the delay happened: a hop owes only the deadlines still ahead of its arrival.
        rows += [r for r in _clocks(hops, incident, pack, now, env.id) if r.deadline_at > at]
    await repo.open_clocks(conn, rows)
    await _replay_fulfilments(conn, data.incident_id)


async def on_acknowledged(conn: repo.Conn, env: Envelope, data: ReportAcknowledged) -> None:
    if await repo.record_seen(conn, event_id=env.id, incident_id=data.incident_id, type=env.type, at=env.time,
                              unit_id=data.unit_id, report_id=data.report_id):
        await repo.fulfil(conn, incident_id=data.incident_id, unit_id=data.unit_id, obligations=["receipt"],
                          at=env.time, event_id=env.id, report_id=data.report_id)


async def on_regraded(conn: repo.Conn, env: Envelope, data: IncidentRegraded, now: datetime) -> None:
    """A new grade: its obligations are added; the old grade's open ones it no longer owes are superseded."""
    incident = await repo.incident(conn, data.incident_id, lock=True)
    if incident is None or incident.grade == data.grade:
        return
    await repo.set_grade(conn, data.incident_id, data.grade)
    pack = pack_of(incident.policy)
    unit = await repo.unit(conn, incident.unit_id)
    stated = next((o for o in data.obligations if o.unit_id == incident.unit_id), None)
    parent = unit.parent_id if unit else (stated.to_unit_id if stated else None)
    owed = initial_obligations(pack, clock_start=incident.clock_start, reportable=True, grade=data.grade,
                               unit_id=incident.unit_id, parent_id=parent,
                               department_parent_id=unit.department_parent_id if unit else None)
    rows = _clocks(owed, incident, pack, now, env.id)
    await repo.supersede(conn, incident_id=data.incident_id, unit_id=incident.unit_id,
                         obligations=sorted({o.obligation for o in owed}), keep={r.clock_id for r in rows},
                         at=env.time, event_id=env.id)
    await repo.open_clocks(conn, rows)
    await _replay_fulfilments(conn, data.incident_id)


async def on_linked(conn: repo.Conn, env: Envelope, data: IncidentsLinked, _: datetime) -> None:
    """Two incidents are one: the duplicate's open clocks are superseded (the primary's obligations stand for
    both), its breaches already raised are announced as superseded, and what the duplicate's units already did
    (forwards, phone reports) counts towards the primary's obligations. Applied from the copy on the duplicate's
    stream (the one ordered with the duplicate's own events); the primary's copy changes nothing here."""
    if data.incident_id != data.duplicate_id:
        return
    if not await links.add_link(conn, duplicate_id=data.duplicate_id, primary_id=data.primary_id,
                                link_id=data.link_id, at=data.linked_at):
        return
    await links.supersede_open_clocks(conn, data.duplicate_id, at=data.linked_at, event_id=env.id)
    await links.supersede_fired_breaches(conn, duplicate_id=data.duplicate_id, primary_id=data.primary_id,
                                         link_id=data.link_id, at=data.linked_at)
    await _replay_fulfilments(conn, data.duplicate_id)


async def _replay_fulfilments(conn: repo.Conn, incident_id: str) -> None:
    """Clocks opened after a report already went up (a regrading, a hop) are met by what already happened."""
    for f in await repo.forwards_and_phone_reports(conn, incident_id):
        is_forward = f["type"] == "ReportForwarded"
        await repo.fulfil(conn, incident_id=incident_id, unit_id=f["unit_id"],
                          obligations=FULFILS[f["report_channel"]] if is_forward else ["phone_report"],
                          at=f["at"], event_id=f["event_id"], to_unit_id=f["to_unit_id"] if is_forward else None)
