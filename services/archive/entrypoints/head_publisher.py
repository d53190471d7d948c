"""Publishes the chain's head, signed, every ``head_publish_interval_s`` when it changed, so an outside
party can hold the store to it: first appended to the heads file (outside PostgreSQL, fsynced), then
to the audit topic (``ChainHeadPublished``) and the log.

The event id is derived from (position, hash), so publishing the same head twice — after a restart —
is one fact, not two. The file gets a head once: at start the publisher reads the file's last head.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from faststream.kafka import KafkaBroker

from services.archive.adapters import heads_file
from shared.db import Database
from shared.envelope import Envelope, now_utc
from shared.events import ChainHeadPublished
from shared.kafka import publish
from shared.logging import get_logger
from shared.signing import Signer
from shared.topics import AUDIT

log = get_logger(__name__)
_NAMESPACE = uuid.UUID("0b9a3c7e-3f51-4a4e-8d2c-5e6f7a8b9c0d")
Head = tuple[int, str]


class HeadPublisher:
    def __init__(self, broker: KafkaBroker, db: Database, signer: Signer, heads_path: Path):
        self._broker, self._db, self._signer, self._path = broker, db, signer, heads_path
        self._filed: Head | None = heads_file.last_head(heads_path)
        self._published: Head | None = None

    async def publish_head(self) -> Head:
        """Sign the head, file it and publish it, unless it is the one last filed / published; the head now."""
        row = await self._db.pool.fetchrow("SELECT position, hash FROM archive.head")
        assert row is not None, "archive.head is missing: run the archive's migrations"
        head: Head = (int(row["position"]), bytes(row["hash"]).hex())
        if head == self._published or head[0] == 0:  # nothing new, or an empty chain
            return head
        unsigned = ChainHeadPublished(position=head[0], hash=head[1], recorded_at=now_utc())
        signed = self._signer.sign(unsigned.model_dump(mode="json", exclude={"key_id", "signature"}))
        if head != self._filed:
            await asyncio.to_thread(heads_file.append, self._path, signed)
            self._filed = head
        data = ChainHeadPublished.model_validate(signed)
        envelope = Envelope(
            id=str(uuid.uuid5(_NAMESPACE, f"{head[0]}:{head[1]}")), source="/baosong/archive",
            type="ChainHeadPublished", subject="archive", time=data.recorded_at,
            data=signed, partitionkey="archive")
        await publish(self._broker, AUDIT, envelope)
        self._published = head
        log.info("chain head published", position=head[0], hash=head[1], topic=AUDIT, file=str(self._path))
        return head

    async def run(self, interval_s: float) -> None:
        """Forever: every ``interval_s``, publish the head if it changed (a failure is retried next time)."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.publish_head()
            except Exception as exc:  # Kafka, PostgreSQL or the disk away for a while: the next round tries again
                log.warning("chain head not published; retrying", error=str(exc))
