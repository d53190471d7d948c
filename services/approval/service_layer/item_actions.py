"""What callers do with an item over HTTP: sign it off, acknowledge it, adopt it, forward it, instruct on it.

Each action locks the item's row for its transaction, so two actions on one item run one after the other
(two decisions racing on a step: one wins, the other gets 409). The action's rows and its events commit
together (outbox); the events are published before the answer when Kafka is reachable, else the relay
retries them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from services.approval.adapters import item_store
from services.approval.adapters.item_store import KnownItem
from services.approval.adapters.outbox import Relay, enqueue
from services.approval.adapters.store import Conn
from services.approval.domain import item_facts
from services.approval.domain.item_facts import ItemContext
from services.approval.domain.item_reach import check_reached, check_role, forward_target, publication_for
from services.approval.domain.item_signoff import Pending, check_item_decision, sign_off_hops
from services.approval.domain.signoff import Decision, Refused
from shared.auth import Principal
from shared.db import Database
from shared.envelope import Envelope, now_utc
from shared.events import UnitRegistered
from shared.information import info_pack_for, load_info_pack
from shared.item import InstructionLevel
from shared.topics import ITEMS


def item_not_found(item_id: str) -> Refused:
    return Refused(404, "Not found", f"审批服务中还没有信息 {item_id!r}；刚提交的信息可能仍在传送中，请稍后重试",
                   f"approval has no item {item_id!r} yet; one just submitted may still be arriving: retry shortly")


def unregistered(unit_id: str) -> Refused:
    return Refused(409, "Conflict", f"单位 {unit_id!r} 尚未登记", f"unit {unit_id!r} is not registered yet")


class ItemActions:
    def __init__(self, db: Database, relay: Relay):
        self._db, self._relay = db, relay

    async def decide(self, principal: Principal, item_id: str, decision: Decision, comment: str,
                     skip: bool = False) -> dict[str, Any]:
        async with self._db.pool.acquire() as conn, conn.transaction():
            item = await self._item(conn, item_id)
            steps = load_info_pack(item.pack).sign_off
            step = check_item_decision(roles=principal.roles, unit=principal.unit, decision=decision, comment=comment,
                                       item=Pending(item.reporting_unit, item.state, item.steps_done), steps=steps,
                                       skip=skip)
            ctx = self._context(item, principal)
            forwarded_to: list[str] = []
            if decision == "reject":
                events = [item_facts.rejected(ctx, step=step.index, stage=steps[step.index].stage_name,
                                              approver=principal.subject, role=step.role, comment=comment)]
                state, done = "rejected", item.steps_done
            else:
                events = [item_facts.approved(ctx, step=step.last, approver=principal.subject, role=step.role,
                                              comment=comment, final=step.final, stage=steps[step.last].stage_name,
                                              skipped=tuple(steps[i].stage_name for i in step.skipped))]
                state, done = ("approved" if step.final else "pending"), step.last + 1
                if step.final:
                    sent = await self._send_out(conn, dataclasses.replace(ctx, causation_id=events[0].id), item)
                    events += sent
                    forwarded_to = [e.data["to_unit_id"] for e in sent]
            decided = step.index if decision == "reject" else step.last
            await item_store.save_decision(conn, event_id=events[0].id, item_id=item_id, unit_id=item.reporting_unit,
                                           step=decided, approver=principal.subject, role=step.role,
                                           decision=decision, comment=comment, final=step.final or decision == "reject",
                                           at=ctx.time)
            await item_store.set_state(conn, item_id, state=state, steps_done=done, at=ctx.time)
            await enqueue(conn, ITEMS, events)
        await self._relay.try_flush()
        waiting = steps[done] if state == "pending" else None
        return {"item_id": item_id, "unit_id": item.reporting_unit, "decision": decision, "step": decided,
                "stage": steps[decided].stage_name, "role": step.role, "final": step.final and decision == "approve",
                "state": state, "waiting_for": waiting.model_dump(mode="json") if waiting else None,
                "forwarded_to": forwarded_to, "events": [e.id for e in events]}

    async def acknowledge(self, principal: Principal, item_id: str) -> dict[str, Any]:
        async with self._db.pool.acquire() as conn, conn.transaction():
            item = await self._item(conn, item_id)
            unit = check_reached(principal.unit, await item_store.reached(conn, item_id))
            event = item_facts.acknowledged(self._context(item, principal), unit_id=unit, by=principal.subject)
            at, recorded = await item_store.save_receipt(conn, item_id=item_id, unit_id=unit, by=principal.subject,
                                                         at=event.time, event_id=event.id)
            if recorded:
                await enqueue(conn, ITEMS, [event])
        if recorded:
            await self._relay.try_flush()
        return {"item_id": item_id, "unit_id": unit, "acknowledged_at": at.isoformat(), "duplicate": not recorded,
                "event_id": event.id}

    async def adopt(self, principal: Principal, item_id: str, publication: str, issue: str) -> dict[str, Any]:
        check_role(principal.roles, "editor", action_zh="采用信息", action_en="adopt an item")
        async with self._db.pool.acquire() as conn, conn.transaction():
            item = await self._item(conn, item_id)
            unit = await self._reached_unit(conn, item_id, principal)
            pack = info_pack_for(None, unit_id=unit.unit_id, unit_kind=unit.kind)
            found = publication_for(pack, unit, publication)
            adoption_id = item_facts.adoption_id(item_id, found.name, unit.unit_id)
            earlier = await item_store.adoption(conn, adoption_id)
            if earlier is not None:
                raise Refused(409, "Conflict", f"本单位的“{found.name}”已采用该信息（{earlier['issue']}）",
                              f"your unit's {found.name!r} has already adopted this item ({earlier['issue']})",
                              extra={"adoption_id": adoption_id, "issue": earlier["issue"]})
            event = item_facts.adopted(self._context(item, principal), unit_id=unit.unit_id, publication=found.name,
                                       issue=issue, level=found.level, by=principal.subject)
            await item_store.save_adoption(conn, adoption_id=adoption_id, item_id=item_id, unit_id=unit.unit_id,
                                           publication=found.name, issue=issue, level=found.level,
                                           by=principal.subject, at=event.time, event_id=event.id)
            await enqueue(conn, ITEMS, [event])
        await self._relay.try_flush()
        return {**event.data, "policy": pack.ref, "event_id": event.id}

    async def forward(self, principal: Principal, item_id: str) -> dict[str, Any]:
        check_role(principal.roles, "editor", action_zh="转报信息", action_en="forward an item")
        async with self._db.pool.acquire() as conn, conn.transaction():
            item = await self._item(conn, item_id)
            reached = await item_store.reached(conn, item_id)
            unit = await self._reached_unit(conn, item_id, principal, reached)
            to = forward_target(unit, forwarded_from_here=await item_store.forwarded_from(conn, item_id, unit.unit_id),
                                reached=reached)
            event = item_facts.forwarded(self._context(item, principal), from_unit_id=unit.unit_id, to_unit_id=to,
                                         channel="main", by=principal.subject)
            await item_store.save_forward(conn, event_id=event.id, item_id=item_id, from_unit_id=unit.unit_id,
                                          to_unit_id=to, channel="main", by=principal.subject, at=event.time)
            await enqueue(conn, ITEMS, [event])
        await self._relay.try_flush()
        return {**event.data, "forwarded_at": event.time.isoformat(), "event_id": event.id}

    async def instruct(self, principal: Principal, item_id: str, level: InstructionLevel, text: str) -> dict[str, Any]:
        check_role(principal.roles, "principal", action_zh="批示", action_en="record an instruction")
        async with self._db.pool.acquire() as conn, conn.transaction():
            item = await self._item(conn, item_id)
            unit = check_reached(principal.unit, await item_store.reached(conn, item_id))
            event = item_facts.instruction(self._context(item, principal), unit_id=unit, level=level, text=text,
                                           by=principal.subject)
            given = str(event.data["instruction_id"])
            if await item_store.instruction_exists(conn, given):
                raise Refused(409, "Conflict", "您已对该信息作出该级批示", "you have already recorded an instruction"
                              " of this level on this item", extra={"instruction_id": given})
            await item_store.save_instruction(conn, instruction_id=given, item_id=item_id, unit_id=unit, level=level,
                                              text=text, by=principal.subject, at=event.time, event_id=event.id)
            await enqueue(conn, ITEMS, [event])
        await self._relay.try_flush()
        return {**event.data, "event_id": event.id}

    @staticmethod
    async def _item(conn: Conn, item_id: str) -> KnownItem:
        found = await item_store.item(conn, item_id, lock=True)
        if found is None:
            raise item_not_found(item_id)
        return found

    @staticmethod
    async def _reached_unit(conn: Conn, item_id: str, principal: Principal,
                            reached: set[str] | None = None) -> UnitRegistered:
        unit_id = check_reached(principal.unit, reached if reached is not None
                                else await item_store.reached(conn, item_id))
        unit = await item_store.unit(conn, unit_id)
        if unit is None:
            raise unregistered(unit_id)
        return unit

    @staticmethod
    def _context(item: KnownItem, principal: Principal) -> ItemContext:
        return ItemContext(item_id=item.item_id, author_unit_id=item.reporting_unit, policy=item.policy,
                           actor=principal.subject, actor_unit=principal.unit, time=now_utc())

    @staticmethod
    async def _send_out(conn: Conn, ctx: ItemContext, item: KnownItem) -> list[Envelope]:
        """The final sign-off sends the item to the unit's parent and department parent."""
        unit = await item_store.unit(conn, item.reporting_unit)
        if unit is None:
            raise unregistered(item.reporting_unit)
        events = []
        for to, channel in sign_off_hops(unit):
            event = item_facts.forwarded(ctx, from_unit_id=unit.unit_id, to_unit_id=to, channel=channel, by=None)
            await item_store.save_forward(conn, event_id=event.id, item_id=item.item_id, from_unit_id=unit.unit_id,
                                          to_unit_id=to, channel=channel, by=None, at=ctx.time)
            events.append(event)
        return events
