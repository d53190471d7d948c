"""The fast append path on the real PostgreSQL: orjson bodies beside older stdlib ones, the optimistic
id look-up, the one-round-trip lock, concurrent writers, and migration 005 over rows stored before it."""

import asyncio
import json
from collections import Counter
from typing import Any

import asyncpg
import pytest

from services.archive.adapters.reads import Reads
from services.archive.adapters.store import CHUNK, EventStore, Incoming
from services.archive.adapters.verify import verify_chain
from services.archive.domain.chain import canonical_bytes, legacy_body, link_hash
from shared.db import Database
from tests.conftest import Infra
from tests.support.archive_events import Story
from tests.support.databases import migration, scratch_database

pytestmark = pytest.mark.integration


async def insert_as_before(owner: asyncpg.Connection, envelope: dict[str, Any], *, version: int = 1) -> int:
    """Store ``envelope`` as the store did before orjson (stdlib canonical body), extending the chain."""
    async with owner.transaction():
        head = await owner.fetchrow("SELECT position, hash FROM archive.head FOR UPDATE")
        position, body, now = head["position"] + 1, legacy_body(envelope), await owner.fetchval("SELECT now()")
        await owner.execute(
            "INSERT INTO archive.events (position, recorded_at, body, hash, prev_hash, stream_version, event_id,"
            " type, stream, report_id, incident_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            position, now, body, link_hash(bytes(head["hash"]), position, now, body), head["hash"], version,
            envelope["id"], envelope["type"], envelope["subject"], envelope["data"].get("report_id"),
            envelope["data"].get("incident_id"))
    return int(position)


def with_float(envelope: dict[str, Any]) -> dict[str, Any]:
    """An envelope whose stdlib and orjson bodies differ (1.5e-07 vs 1.5e-7)."""
    return {**envelope, "data": {**envelope["data"], "ratio": 1.5e-7}}


async def test_a_redelivery_of_an_event_stored_in_the_older_form_is_a_duplicate_not_a_conflict(
    store: EventStore, owner: asyncpg.Connection,
) -> None:
    old = with_float(Story().submitted())
    assert legacy_body(old) != canonical_bytes(old).decode()
    position = await insert_as_before(owner, old)
    count = await owner.fetchval("SELECT count(*) FROM archive.events")
    again = await store.append([Incoming(old)])
    assert [(a.position, a.outcome) for a in again] == [(position, "duplicate")]
    assert await owner.fetchval("SELECT count(*) FROM archive.events") == count
    altered = {**old, "data": {**old["data"], "ratio": 2.5e-7}}
    conflict = await store.append([Incoming(altered)])
    assert [(a.position, a.outcome) for a in conflict] == [(position, "conflict")]
    assert await owner.fetchval("SELECT count(*) FROM archive.conflicts WHERE event_id = $1", old["id"]) == 1


async def test_a_batch_mixing_redeliveries_and_new_events_stays_gap_free(
    store: EventStore, infra: Infra, owner: asyncpg.Connection,
) -> None:
    story, other = Story(), Story()
    old = [story.submitted(), other.submitted()]
    first = await store.append([Incoming(e) for e in old])
    new = [story.approved(), other.approved()]
    again = await store.append([Incoming(new[0]), Incoming(old[0]), Incoming(new[1]), Incoming(old[1])])
    assert [a.outcome for a in again] == ["appended", "duplicate", "appended", "duplicate"]
    assert (again[1].position, again[3].position) == (first[0].position, first[1].position)
    assert again[2].position == again[0].position + 1
    rows = await owner.fetch("SELECT event_id, stream_version FROM archive.events WHERE event_id = ANY($1::text[])"
                             " ORDER BY position", [e["id"] for e in new])
    assert [(r["event_id"], r["stream_version"]) for r in rows] == [(new[0]["id"], 2), (new[1]["id"], 2)]
    assert (await verify_chain(infra.owner_dsn)).intact


async def test_concurrent_writers_never_fork_or_gap_the_chain_and_number_streams_right(
    infra: Infra, owner: asyncpg.Connection,
) -> None:
    stories = [Story() for _ in range(6)]  # both writers write into the same six streams
    events = [e for s in stories for e in s.all()]
    by_stream: dict[str, list[str]] = {}
    for e in events:
        by_stream.setdefault(e["subject"], []).append(e["id"])
    # each writer gets every event (so half its appends race the other's redeliveries), in its own batches
    first = [[Incoming(e) for e in events[i::3]] for i in range(3)]
    second = [[Incoming(e) for e in reversed(events[i::2])] for i in range(2)]
    start = await owner.fetchval("SELECT position FROM archive.head")

    async def writer(batches: list[list[Incoming]]) -> list[str]:
        db = Database(infra.service_dsn("archive"))
        async with db.connected():
            store = EventStore(db)
            outcomes = []
            for batch in batches:
                outcomes += [a.event_id for a in await store.append(batch) if a.outcome == "appended"]
                await asyncio.sleep(0)
            return outcomes

    one, two = await asyncio.gather(writer(first), writer(second))
    assert sorted(one + two) == sorted(e["id"] for e in events)  # each event appended exactly once
    rows = await owner.fetch("SELECT position, event_id, stream, stream_version FROM archive.events"
                             " WHERE position > $1 ORDER BY position", start)
    assert Counter(r["event_id"] for r in rows) == Counter(e["id"] for e in events)
    assert [r["position"] for r in rows] == list(range(start + 1, start + 1 + len(rows)))
    for stream in by_stream:
        assert [r["stream_version"] for r in rows if r["stream"] == stream] == [1, 2, 3, 4, 5]
    verdict = await verify_chain(infra.owner_dsn)
    assert verdict.intact, verdict.problem


async def test_verify_catches_a_report_id_column_that_differs_from_the_body(
    store: EventStore, infra: Infra, owner: asyncpg.Connection,
) -> None:
    appended = await store.append([Incoming(Story().submitted())])
    target = appended[0].position
    original = await owner.fetchval("SELECT report_id FROM archive.events WHERE position = $1", target)
    try:
        await owner.execute("ALTER TABLE archive.events DISABLE TRIGGER events_append_only")
        await owner.execute("UPDATE archive.events SET report_id = 'rep-other' WHERE position = $1", target)
        verdict = await verify_chain(infra.owner_dsn)
        assert (verdict.bad_position, verdict.intact) == (target, False)
        assert "report_id" in verdict.problem
    finally:
        await owner.execute("UPDATE archive.events SET report_id = $2 WHERE position = $1", target, original)
        await owner.execute("ALTER TABLE archive.events ENABLE TRIGGER events_append_only")
    assert (await verify_chain(infra.owner_dsn)).intact


async def test_migration_005_back_fills_report_and_incident_ids_of_rows_stored_before_it(infra: Infra) -> None:
    async with scratch_database(infra.superuser_dsn, "archive_m005") as (conn, dsn):
        for name in ("001_event_store.sql", "002_append_only.sql", "003_projections.sql", "004_single_parse.sql"):
            await conn.execute(migration("archive", name))
        story = Story()
        odd = {**story.approved(), "data": {"report_id": 7, "incident_id": None}}
        envelopes = [story.submitted(), with_float(story.forwarded()), odd, {**story.acknowledged(), "data": "x"}]
        prev = b""
        for position, e in enumerate(envelopes, start=1):
            body, now = legacy_body(e), await conn.fetchval("SELECT now()")
            digest = link_hash(prev, position, now, body)
            await conn.execute("INSERT INTO archive.events (position, recorded_at, body, hash, prev_hash,"
                               " stream_version, event_id, type, stream) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                               position, now, body, digest, prev, position, e["id"], e["type"], e["subject"])
            prev = digest
        await conn.execute(migration("archive", "005_no_data_column.sql"))
        rows = await conn.fetch("SELECT report_id, incident_id FROM archive.events ORDER BY position")
        assert [tuple(r) for r in rows] == [(story.report_id, story.incident_id)] * 2 + [(None, None)] * 2
        assert (await verify_chain(dsn)).intact
        assert json.loads(await conn.fetchval("SELECT body FROM archive.events WHERE position = 2")) == envelopes[1]


async def test_an_incidents_history_includes_events_of_other_streams_that_name_it(
    store: EventStore, db: Database,
) -> None:
    story, other = Story(), Story()
    elsewhere = {**other.approved(), "data": {**other.approved()["data"], "incident_id": story.incident_id}}
    mine = [story.submitted(), elsewhere, story.approved(), other.submitted()]
    await store.append([Incoming(e) for e in mine])
    history = await Reads(db).history("incident_id", story.incident_id)
    assert [event.type for event, _ in history] == ["ReportSubmitted", "ReportApproved", "ReportApproved"]
    assert [event.position for event, _ in history] == sorted(event.position for event, _ in history)
    assert elsewhere["subject"] != story.incident_id
    assert len(await Reads(db).history("incident_id", other.incident_id)) == 1


async def test_a_batch_of_several_pipelined_copies_falls_back_whole_on_a_redelivery_in_a_later_copy(
    store: EventStore, infra: Infra, owner: asyncpg.Connection,
) -> None:
    """A batch longer than one COPY chunk: chained across its COPYs; a stored id met in its last chunk, or an
    id repeated within the batch, rolls the optimistic transaction back and the careful path appends the
    rest once."""
    assert CHUNK < 300
    stories = [Story() for _ in range(2 * CHUNK // 5 + 1)]
    events = [e for s in stories for e in s.all()]  # 5 events a story: more than two chunks
    start = await owner.fetchval("SELECT position FROM archive.head")
    first = await store.append([Incoming(e) for e in events])
    assert [a.position for a in first] == list(range(start + 1, start + 1 + len(events)))

    fresh = [e for _ in range(2 * CHUNK // 5 + 1) for e in Story().all()]
    redelivered, repeated = events[-1], fresh[3]
    batch = [*fresh, repeated]
    batch.insert(len(fresh) - 2, redelivered)  # in the last chunk
    outcomes = await store.append([Incoming(e) for e in batch])
    assert Counter(a.outcome for a in outcomes) == {"appended": len(fresh), "duplicate": 2}
    assert outcomes[len(fresh) - 2].position == first[-1].position
    assert outcomes[-1].position == outcomes[3].position
    rows = await owner.fetch("SELECT position, event_id FROM archive.events WHERE position > $1 ORDER BY position",
                             start)
    assert [r["position"] for r in rows] == list(range(start + 1, start + 1 + len(events) + len(fresh)))
    assert Counter(r["event_id"] for r in rows) == Counter(e["id"] for e in events + fresh)
    verdict = await verify_chain(infra.owner_dsn)
    assert verdict.intact, verdict.problem


@pytest.mark.parametrize("where", [0, CHUNK + 3])  # while the lock is in flight; while a COPY is
async def test_an_event_that_is_not_json_fails_its_batch_whole_and_the_store_goes_on(
    store: EventStore, owner: asyncpg.Connection, where: int,
) -> None:
    events = [e for _ in range(CHUNK // 5 + 2) for e in Story().all()]
    events[where] = {**events[where], "data": {**events[where]["data"], "ratio": float("nan")}}
    head = await owner.fetchval("SELECT position FROM archive.head")
    with pytest.raises(ValueError, match="NaN"):
        await store.append([Incoming(e) for e in events])
    assert await owner.fetchval("SELECT position FROM archive.head") == head
    appended = await store.append([Incoming(e) for e in events[:where] + events[where + 1:]])
    assert [a.position for a in appended] == list(range(head + 1, head + len(events)))
