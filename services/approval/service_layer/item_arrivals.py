"""An item intake accepted (``ItemSubmitted``) joins its writing unit's queue, waiting for its sign-off.

One transaction records the event id and stores the item, so a redelivered event changes nothing. The
item keeps the information pack its event names (``policy``), or the unit's by assignment when this
deployment does not have that pack.
"""

from __future__ import annotations

from services.approval.adapters import item_store, store
from shared.db import Database
from shared.envelope import Envelope
from shared.events import ItemSubmitted
from shared.information import info_pack_for


class ItemArrivals:
    def __init__(self, db: Database):
        self._db = db

    async def item_submitted(self, envelope: Envelope) -> None:
        data = ItemSubmitted.model_validate(envelope.data)
        async with self._db.pool.acquire() as conn, conn.transaction():
            if not await store.first_time(conn, envelope.id, envelope.type):
                return
            unit = await item_store.unit(conn, data.item.reporting_unit)
            pack = info_pack_for(data.policy, unit_id=data.item.reporting_unit, unit_kind=unit.kind if unit else None)
            await item_store.save_item(conn, data, pack=pack.name, event_id=envelope.id, submitted_by=envelope.actor)
