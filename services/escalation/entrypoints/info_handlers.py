"""What each work-information event does to the clocks (docs/work-information/clocks.md).

Items and requests are keyed differently, so they reach escalation on different partitions in any
order: an approval is recorded on its item (escalation.items), and a request's clocks, when opened,
are met by the approvals already recorded. Every write is idempotent (derived ids, ON CONFLICT, updates
guarded by state), so a redelivered event changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services.escalation.adapters import info_repository as info
from services.escalation.adapters import repository as repo
from services.escalation.domain.info_clocks import item_due_clock, quota_clocks, request_clock
from shared.envelope import Envelope
from shared.events import ItemApproved, ItemRejected, ItemSubmitted, RequestIssued, UnitRegistered
from shared.information import info_pack_for


async def on_item_submitted(conn: repo.Conn, env: Envelope, data: ItemSubmitted, _: datetime) -> None:
    unit_id = data.item.reporting_unit
    await info.record_submitted(conn, item_id=data.item_id, unit_id=unit_id, kind=data.item.kind,
                                request_id=data.item.request_id, submitted_by=env.actor)
    if data.due_at is not None:
        await info.open_clocks(conn, [item_due_clock(item_id=data.item_id, unit_id=unit_id, due_at=data.due_at,
                                                     policy=data.policy, opened_by=env.id)])
    await _discharge(conn, data.item_id)


async def on_item_approved(conn: repo.Conn, env: Envelope, data: ItemApproved, _: datetime) -> None:
    """Only the final sign-off counts: it releases the item from its unit (the event's time); an earlier step's
    approval moves the step the item waits for (责任倒查 of a late item)."""
    if not data.final:
        await info.record_step(conn, item_id=data.item_id, unit_id=data.unit_id, step=data.step or 1)
    if data.final:
        await info.record_approved(conn, item_id=data.item_id, unit_id=data.unit_id, at=env.time, event_id=env.id)
        await _discharge(conn, data.item_id)


async def on_item_rejected(conn: repo.Conn, env: Envelope, data: ItemRejected, _: datetime) -> None:
    await info.record_rejected(conn, item_id=data.item_id, unit_id=data.unit_id, at=env.time, event_id=env.id)
    await _discharge(conn, data.item_id)


async def _discharge(conn: repo.Conn, item_id: str) -> None:
    """What the item's recorded state meets: its due clock and, when it answers a request, its unit's clock
    for the request (each only if the act came before the deadline); a rejection ends the due clock."""
    item = await info.item(conn, item_id)
    if item is None:
        return
    if item.approved_at is not None and item.approved_by is not None:
        await info.close_item_clocks(conn, item_id=item_id, state="fulfilled", at=item.approved_at,
                                     event_id=item.approved_by)
        if item.request_id is not None:
            await info.lock_request(conn, item.request_id)
            await info.fulfil_request(conn, request_id=item.request_id, unit_id=item.unit_id, at=item.approved_at,
                                      event_id=item.approved_by)
    elif item.rejected_at is not None and item.rejected_by is not None:
        await info.close_item_clocks(conn, item_id=item_id, state="ended", at=item.rejected_at,
                                     event_id=item.rejected_by)


async def on_request_issued(conn: repo.Conn, env: Envelope, data: RequestIssued, _: datetime) -> None:
    """One clock per unit asked, under that unit's information pack; met at once by an approval already seen."""
    await info.lock_request(conn, data.request_id)
    asked = list(dict.fromkeys(data.to_units))
    known = {u.unit_id: u for u in await info.units(conn, asked)}
    clocks = []
    for unit_id in asked:
        unit = known.get(unit_id)
        pack = info_pack_for(None, unit_id=unit_id, unit_kind=unit.kind if unit else None)
        clocks.append(request_clock(request_id=data.request_id, unit_id=unit_id, due_at=data.due_at,
                                    policy=pack.ref, opened_by=env.id))
    await info.open_clocks(conn, clocks)
    for unit_id in asked:
        first = await info.first_approval(conn, request_id=data.request_id, unit_id=unit_id)
        if first is not None and first.approved_at is not None and first.approved_by is not None:
            await info.fulfil_request(conn, request_id=data.request_id, unit_id=unit_id, at=first.approved_at,
                                      event_id=first.approved_by)


async def on_unit(conn: repo.Conn, event_id: str, unit: UnitRegistered, now: datetime, grace: timedelta) -> None:
    """A unit registered (or re-registered): its pack's quotas for the current periods; quotas it no longer
    owes (another kind or level) end."""
    pack = info_pack_for(None, unit_id=unit.unit_id, unit_kind=unit.kind)
    clocks = quota_clocks(pack, unit_id=unit.unit_id, unit_kind=unit.kind, level=unit.level, now=now, grace=grace,
                          opened_by=event_id)
    await info.open_clocks(conn, clocks)
    await info.end_other_quota_clocks(conn, unit_id=unit.unit_id, keep=[c.clock_id for c in clocks], now=now,
                                      event_id=event_id)
