"""Projections on the real store: the live projector and a rebuild from position 0 agree, and the
live projector carries on into the swapped-in tables."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from services.archive.adapters.projector import Projector
from services.archive.adapters.rebuild import KEYS, SWAPPING, rebuild
from services.archive.adapters.store import EventStore, Incoming
from services.archive.domain.projections import PROJECTIONS
from shared.db import Database
from tests.conftest import Infra
from tests.support.archive_events import Story, unit

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]


def cli_rebuild(infra: Infra, *names: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deploy.cli", "projections", "rebuild", "--dsn", infra.owner_dsn,
                           *names], cwd=REPO, capture_output=True, text=True, timeout=60, check=False)


async def snapshot(owner: asyncpg.Connection) -> dict[str, dict[str, object]]:
    return {name: {r["key"]: json.loads(r["doc"]) for r in await owner.fetch(
        f"SELECT key, doc::text AS doc FROM archive.proj_{name}")} for name in PROJECTIONS}


async def test_a_projection_rebuilt_from_scratch_equals_the_live_one(
    store: EventStore, db: Database, infra: Infra, owner: asyncpg.Connection,
) -> None:
    stories = [Story(unit_id=f"town-{i}", parent_id="county-x-office") for i in range(5)]
    await store.append([Incoming(unit("county-x-office", level="county"))]
                       + [Incoming(unit(s.unit_id, "county-x-office")) for s in stories])
    for i, story in enumerate(stories):  # interleave stories across several batches
        await store.append([Incoming(e) for e in story.all()[: 2 + i % 3]])
    await store.append([Incoming(e) for s in stories for e in s.all()[2 + stories.index(s) % 3:]])
    projector = Projector(db, batch=7)
    await projector.catch_up()
    live = await snapshot(owner)
    assert live["incidents"][stories[0].incident_id]["reports"][0]["status"] == "forwarded"
    assert live["units"]["town-1"]["parent_id"] == "county-x-office"

    folded = await rebuild(infra.owner_dsn, list(PROJECTIONS.values()))
    assert folded == await owner.fetchval("SELECT position FROM archive.head")
    assert await snapshot(owner) == live
    checkpoints = {r["projection"]: r["position"] for r in await owner.fetch("SELECT * FROM archive.checkpoints")}
    assert set(checkpoints.values()) == {folded}

    later = Story(unit_id="town-0")
    await store.append([Incoming(later.submitted())])
    await projector.catch_up()  # the live projector writes into the swapped-in tables
    doc = json.loads(await owner.fetchval("SELECT doc::text FROM archive.proj_reports WHERE key = $1",
                                          later.report_id))
    assert doc["status"] == "pending_approval"
    assert await db.pool.fetchval("SELECT count(*) FROM archive.proj_reports WHERE key = $1", later.report_id) == 1

    done = cli_rebuild(infra, "reports", "incidents", "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "rebuilt" in done.stdout
    assert KEYS in done.stderr and SWAPPING in done.stderr, done.stderr  # the bar says what it waits for
    assert (await snapshot(owner))["reports"][later.report_id]["status"] == "pending_approval"
    unknown = cli_rebuild(infra, "nonsense")
    assert unknown.returncode == 2
    assert "nonsense" in unknown.stderr


async def test_a_rebuild_in_shares_equals_the_live_one_when_a_documents_events_span_streams(
    store: EventStore, db: Database, infra: Infra, owner: asyncpg.Connection,
) -> None:
    """A rebuild splits the store by stream, one share per process. A producer may put a report's events
    under different subjects (streams), so they land in different shares: such a document must still be
    folded whole, in order, whatever the number of shares."""
    story = Story()
    submitted, breached, approved, forwarded, acknowledged = story.all()
    share_of_incident = await owner.fetchval("SELECT (hashtext($1) & 2147483647) % 2", story.incident_id)
    while True:
        other = f"stray-{uuid.uuid4()}"
        if await owner.fetchval("SELECT (hashtext($1) & 2147483647) % 2", other) != share_of_incident:
            break
    for event in (approved, acknowledged):
        event["subject"] = event["partitionkey"] = other
    await store.append([Incoming(e) for e in (submitted, breached, approved, forwarded, acknowledged)])
    await Projector(db).catch_up()
    live = await snapshot(owner)
    report = live["reports"][story.report_id]
    assert (report["status"], report["acknowledged_by"]) == ("forwarded", [story.parent_id])

    for workers in (2, 3, 1):
        await rebuild(infra.owner_dsn, list(PROJECTIONS.values()), workers=workers)
        assert await snapshot(owner) == live, f"rebuilt in {workers} share(s)"
