"""The archive's store on the real PostgreSQL: idempotent, conflict-loud, gap-free and chained."""

from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from services.archive.adapters.store import ConflictingDuplicate, EventStore, Incoming
from services.archive.domain.chain import link_hash
from shared.db import Database
from tests.conftest import Infra

pytestmark = pytest.mark.integration


@pytest.fixture
async def store(infra: Infra) -> AsyncIterator[EventStore]:
    db = Database(infra.service_dsn("archive"))
    async with db.connected():
        yield EventStore(db)


def event(subject: str = "inc-1", **data: Any) -> Incoming:
    return Incoming({"id": str(uuid4()), "type": "ReportSubmitted", "subject": subject,
                     "time": "2026-11-23T00:05:00+08:00", "data": {"report_id": "r", **data}})


async def test_redelivered_event_is_a_no_op_that_reports_the_first_position(store: EventStore) -> None:
    e = event()
    first = await store.append([e])
    again = await store.append([e, e])
    assert not first[0].duplicate
    assert [a.position for a in again] == [first[0].position] * 2
    assert all(a.duplicate for a in again)


async def test_same_id_with_other_content_is_an_error(store: EventStore) -> None:
    e = event(deaths=1)
    await store.append([e])
    tampered = Incoming({**e.envelope, "data": {"report_id": "r", "deaths": 0}})
    with pytest.raises(ConflictingDuplicate):
        await store.append([tampered])


async def test_positions_are_gap_free_and_each_hash_links_to_the_previous(
    store: EventStore, infra: Infra,
) -> None:
    await store.append([event(f"inc-{i}") for i in range(5)])
    conn = await asyncpg.connect(infra.owner_dsn)
    try:
        rows = await conn.fetch("SELECT position, recorded_at, body, hash, prev_hash FROM archive.events"
                                " ORDER BY position")
    finally:
        await conn.close()
    assert [r["position"] for r in rows] == list(range(1, len(rows) + 1))
    prev = b""
    for r in rows:
        assert bytes(r["prev_hash"]) == prev
        assert bytes(r["hash"]) == link_hash(prev, r["position"], r["recorded_at"], r["body"])
        prev = bytes(r["hash"])
