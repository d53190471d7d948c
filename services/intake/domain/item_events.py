"""Turning a checked work-information item into its fact, ``ItemSubmitted`` (keyed by item id), pure.

Ids are derived (uuid5), so recomputing after a crash yields the same event.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from services.intake.domain.submission import NAMESPACE, SOURCE, Who
from shared.envelope import Envelope
from shared.events import ItemSubmitted
from shared.information import InfoPack
from shared.item import Item


def item_id_for(unit_id: str, key: str) -> str:
    """The item id a (unit, Idempotency-Key) pair always maps to (apart from its reports' ids)."""
    return f"itm-{uuid.uuid5(NAMESPACE, 'item' + chr(0) + unit_id + chr(0) + key)}"


def item_submitted(item: Item, *, item_id: str, received_at: datetime, pack: InfoPack, who: Who) -> Envelope:
    """The event of a newly received item: its pack and its due time (``InfoPack.due_at``) decided now."""
    data = ItemSubmitted(item_id=item_id, received_at=received_at, item=item, policy=pack.ref,
                         due_at=pack.due_at(item.kind, happened_on=item.happened_on, received_at=received_at))
    return Envelope(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"baosong:ItemSubmitted:{item_id}")),
        source=SOURCE, type="ItemSubmitted", subject=item_id, time=received_at,
        data=data.model_dump(mode="json"), partitionkey=item_id, correlationid=item_id, actor=who.actor,
        actorunit=who.actor_unit, policy=pack.ref,
    )
