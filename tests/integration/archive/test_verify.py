"""``./baosong verify`` on the real store: intact chains pass; an edit behind the triggers' back is named."""

import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from services.archive.adapters.store import EventStore, Incoming
from services.archive.adapters.verify import verify_chain
from tests.conftest import Infra
from tests.support.archive_events import Story

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]


def cli_verify(infra: Infra) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deploy.cli", "verify", "--dsn", infra.owner_dsn], cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=False)


async def test_intact_chain_verifies_with_count_and_head(store: EventStore, infra: Infra,
                                                         owner: asyncpg.Connection) -> None:
    await store.append([Incoming(e) for e in Story().all()])
    head = await owner.fetchrow("SELECT position, hash FROM archive.head")
    verdict = await verify_chain(infra.owner_dsn)
    assert verdict.intact, verdict.problem
    assert (verdict.count, verdict.head_hash) == (head["position"], bytes(head["hash"]).hex())
    done = cli_verify(infra)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{head['position']} events" in done.stdout
    assert bytes(head["hash"]).hex() in done.stdout


@pytest.mark.parametrize(("edit", "problem"), [
    ("SET body = replace(body, '\"late\"', '\"missed\"')", "hash does not match"),
    ("SET type = 'ReportRejected'", "column type differs"),
])
async def test_an_edit_made_with_triggers_disabled_is_caught_at_its_position(
    store: EventStore, infra: Infra, owner: asyncpg.Connection, edit: str, problem: str,
) -> None:
    appended = await store.append([Incoming(e) for e in Story().all()])
    target = appended[1].position
    original = await owner.fetchrow("SELECT body, type FROM archive.events WHERE position = $1", target)
    superuser = owner  # the stack's owner is PostgreSQL's superuser: it may disable triggers
    try:
        await superuser.execute("ALTER TABLE archive.events DISABLE TRIGGER events_append_only")
        await superuser.execute(f"UPDATE archive.events {edit} WHERE position = $1", target)
        await superuser.execute("ALTER TABLE archive.events ENABLE TRIGGER events_append_only")
        verdict = await verify_chain(infra.owner_dsn)
        assert not verdict.intact
        assert verdict.bad_position == target
        assert problem in verdict.problem
        assert verdict.count == target - 1
        done = cli_verify(infra)
        assert done.returncode == 1
        assert f"position {target}" in done.stdout
    finally:  # put the row back so the rest of the session's chain stays intact
        await superuser.execute("ALTER TABLE archive.events DISABLE TRIGGER events_append_only")
        await superuser.execute("UPDATE archive.events SET body = $2, type = $3 WHERE position = $1", target,
                                original["body"], original["type"])
        await superuser.execute("ALTER TABLE archive.events ENABLE TRIGGER events_append_only")
    assert (await verify_chain(infra.owner_dsn)).intact


async def test_a_head_that_does_not_name_the_last_event_is_caught(
    store: EventStore, infra: Infra, owner: asyncpg.Connection,
) -> None:
    await store.append([Incoming(Story().submitted())])
    head = await owner.fetchrow("SELECT position, hash FROM archive.head")
    try:
        await owner.execute("UPDATE archive.head SET position = position - 1")
        verdict = await verify_chain(infra.owner_dsn)
        assert not verdict.intact
        assert "archive.head" in verdict.problem
    finally:
        await owner.execute("UPDATE archive.head SET position = $1, hash = $2", head["position"], head["hash"])
