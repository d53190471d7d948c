"""Publishes the chain's head to the audit topic (``ChainHeadPublished``) and logs it, every
``head_publish_interval_s`` when it changed, so an outside party can hold the store to it.

The event id is derived from (position, hash), so publishing the same head twice — after a restart —
is one fact, not two.
"""

from __future__ import annotations

import asyncio
import uuid

from faststream.kafka import KafkaBroker

from shared.db import Database
from shared.envelope import Envelope, now_utc
from shared.events import ChainHeadPublished
from shared.kafka import publish
from shared.logging import get_logger
from shared.topics import AUDIT

log = get_logger(__name__)
_NAMESPACE = uuid.UUID("0b9a3c7e-3f51-4a4e-8d2c-5e6f7a8b9c0d")


async def publish_head(broker: KafkaBroker, db: Database, last: tuple[int, bytes] | None) -> tuple[int, bytes]:
    """Publish the head if it moved since ``last``; the head now."""
    row = await db.pool.fetchrow("SELECT position, hash FROM archive.head")
    assert row is not None, "archive.head is missing: run the archive's migrations"
    head = (int(row["position"]), bytes(row["hash"]))
    if head == last:
        return head
    data = ChainHeadPublished(position=head[0], hash=head[1].hex(), recorded_at=now_utc())
    envelope = Envelope(
        id=str(uuid.uuid5(_NAMESPACE, f"{head[0]}:{head[1].hex()}")), source="/baosong/archive",
        type="ChainHeadPublished", subject="archive", time=data.recorded_at,
        data=data.model_dump(mode="json"), partitionkey="archive")
    await publish(broker, AUDIT, envelope)
    log.info("chain head published", position=head[0], hash=head[1].hex(), topic=AUDIT)
    return head


async def run(broker: KafkaBroker, db: Database, interval_s: float) -> None:
    """Forever: every ``interval_s``, publish the head if it changed (a failure is retried next time)."""
    last: tuple[int, bytes] | None = None
    while True:
        await asyncio.sleep(interval_s)
        try:
            last = await publish_head(broker, db, last)
        except Exception as exc:  # Kafka or PostgreSQL away for a while: the next round tries again
            log.warning("chain head not published; retrying", error=str(exc))
