"""The archive's store on the real PostgreSQL: idempotent, conflict-loud, gap-free, chained, append-only."""

import json

import asyncpg
import pytest

from services.archive.adapters.store import EventStore, Incoming
from services.archive.domain.chain import link_hash
from tests.support.archive_events import Story

pytestmark = pytest.mark.integration


async def test_redelivered_event_is_a_no_op_that_reports_the_first_position(
    store: EventStore, owner: asyncpg.Connection,
) -> None:
    e = Incoming(Story().submitted())
    first = await store.append([e])
    before = await owner.fetchval("SELECT count(*) FROM archive.events")
    again = await store.append([e, e])
    assert first[0].outcome == "appended"
    assert [a.position for a in again] == [first[0].position] * 2
    assert [a.outcome for a in again] == ["duplicate", "duplicate"]
    assert await owner.fetchval("SELECT count(*) FROM archive.events") == before
    assert await owner.fetchval("SELECT count(*) FROM archive.events WHERE event_id = $1", e.envelope["id"]) == 1


async def test_conflicting_duplicate_is_recorded_with_both_bodies_and_the_batch_commits(
    store: EventStore, owner: asyncpg.Connection,
) -> None:
    story = Story(deaths=1)
    original = story.submitted()
    await store.append([Incoming(original)])
    altered = {**original, "data": {**original["data"], "reasons": ["altered"]}}
    other = Incoming(story.approved())
    result = await store.append([Incoming(altered, "baosong.reports", 2, 77), other])
    assert result[0].outcome == "conflict"
    assert result[1].outcome == "appended"
    rows = await owner.fetch("SELECT * FROM archive.conflicts WHERE event_id = $1", original["id"])
    assert len(rows) == 1
    assert json.loads(rows[0]["stored_body"])["data"]["reasons"] == original["data"]["reasons"]
    assert json.loads(rows[0]["incoming_body"])["data"]["reasons"] == ["altered"]
    assert (rows[0]["topic"], rows[0]["kafka_partition"], rows[0]["kafka_offset"]) == ("baosong.reports", 2, 77)
    # the same conflicting message delivered again is not recorded twice
    again = await store.append([Incoming(altered, "baosong.reports", 2, 77)])
    assert again[0].outcome == "conflict"
    assert await owner.fetchval("SELECT count(*) FROM archive.conflicts WHERE event_id = $1", original["id"]) == 1


async def test_stream_versions_continue_across_batches_and_duplicates_take_none(
    store: EventStore, owner: asyncpg.Connection,
) -> None:
    story, other = Story(), Story()
    submitted, approved, forwarded = story.submitted(), story.approved(), story.forwarded()
    await store.append([Incoming(submitted), Incoming(other.submitted())])
    # one batch: an event already stored, a new one, the same new one again, another stream's event
    await store.append([Incoming(submitted), Incoming(approved), Incoming(approved), Incoming(other.approved())])
    await store.append([Incoming(forwarded)])
    rows = await owner.fetch("SELECT stream, stream_version, event_id FROM archive.events"
                             " WHERE stream = ANY($1::text[]) ORDER BY position",
                             [submitted["subject"], other.submitted()["subject"]])
    mine = [(r["stream_version"], r["event_id"]) for r in rows if r["stream"] == submitted["subject"]]
    assert mine == [(1, submitted["id"]), (2, approved["id"]), (3, forwarded["id"])]
    assert [r["stream_version"] for r in rows if r["stream"] != submitted["subject"]] == [1, 2]


async def test_positions_are_gap_free_and_each_hash_links_to_the_previous(
    store: EventStore, owner: asyncpg.Connection,
) -> None:
    await store.append([Incoming(e) for e in Story().all()])
    rows = await owner.fetch("SELECT position, recorded_at, body, hash, prev_hash FROM archive.events"
                             " ORDER BY position")
    assert [r["position"] for r in rows] == list(range(1, len(rows) + 1))
    prev = b""
    for r in rows:
        assert bytes(r["prev_hash"]) == prev
        assert bytes(r["hash"]) == link_hash(prev, r["position"], r["recorded_at"], r["body"])
        prev = bytes(r["hash"])
    head = await owner.fetchrow("SELECT position, hash FROM archive.head")
    assert (head["position"], bytes(head["hash"])) == (rows[-1]["position"], prev)


@pytest.mark.parametrize("statement", [
    "UPDATE archive.events SET kafka_offset = 1 WHERE position = 1",
    "DELETE FROM archive.events WHERE position = 1",
    "TRUNCATE archive.events",
    "UPDATE archive.head SET position = 0",
    "SELECT * FROM archive.lock_head()",  # only through begin_append
])
async def test_the_service_role_may_only_select_and_insert(store: EventStore, statement: str) -> None:
    await store.append([Incoming(Story().submitted())])
    async with store._db.pool.acquire() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(statement)


@pytest.mark.parametrize("statement", [
    "UPDATE archive.events SET kafka_offset = 1 WHERE position = 1",
    "DELETE FROM archive.events WHERE position = 1",
    "DELETE FROM archive.events WHERE false",
    "TRUNCATE archive.events",
])
async def test_triggers_refuse_changes_even_to_the_owner(
    store: EventStore, owner: asyncpg.Connection, statement: str,
) -> None:
    await store.append([Incoming(Story().submitted())])
    count = await owner.fetchval("SELECT count(*) FROM archive.events")
    with pytest.raises(asyncpg.PostgresError, match="append-only"):
        await owner.execute(statement)
    assert await owner.fetchval("SELECT count(*) FROM archive.events") == count


async def test_the_database_refuses_a_row_that_does_not_extend_the_chain(
    store: EventStore, owner: asyncpg.Connection,
) -> None:
    await store.append([Incoming(Story().submitted())])
    head = await owner.fetchrow("SELECT position, hash FROM archive.head")
    event = Story().submitted()
    body = json.dumps(event)
    with pytest.raises(asyncpg.PostgresError, match="does not extend the chain"):
        await owner.execute(
            "INSERT INTO archive.events (position, recorded_at, body, hash, prev_hash, stream_version, event_id,"
            " type, stream) VALUES ($1, now(), $2, '\\x00', '\\x01', 1, $3, 't', 's')",
            head["position"] + 1, body, event["id"])
    with pytest.raises(asyncpg.PostgresError, match="does not extend the chain"):
        await owner.execute(
            "INSERT INTO archive.events (position, recorded_at, body, hash, prev_hash, stream_version, event_id,"
            " type, stream) VALUES ($1, now(), $2, '\\x00', $3, 1, $4, 't', 's')",
            head["position"] + 2, body, head["hash"], event["id"])
