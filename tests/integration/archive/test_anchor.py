"""The anchored chain on the real store and broker: heads the archive published and signed hold a
superuser's rewrite-and-rehash, or a truncation, to account (``./baosong verify`` exits 1 naming the head)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from services.archive.adapters import heads_file
from services.archive.adapters.store import EventStore, Incoming
from services.archive.domain.chain import GENESIS, link_hash
from tests.conftest import Infra
from tests.support.archive_events import Story
from tests.support.services import running_service

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]


def cli(infra: Infra, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deploy.cli", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=60, check=False, env={**os.environ, **(env or {})})


def verify(infra: Infra, heads: Path | None) -> subprocess.CompletedProcess[str]:
    anchored = ["--heads", str(heads), "--key", str(infra.keys / "archive.pub.pem")] if heads else []
    return cli(infra, "verify", "--dsn", infra.owner_dsn, *anchored)


async def published_heads(infra: Infra, store: EventStore, owner: asyncpg.Connection, folder: Path) -> Path:
    """Append a story, let a real archive process publish (sign, file, send) the chain's head; the heads file."""
    await store.append([Incoming(e) for e in Story().all()])
    position = await owner.fetchval("SELECT position FROM archive.head")
    heads = folder / "heads.jsonl"
    with running_service(infra, "archive", folder, BAOSONG_HEAD_PUBLISH_INTERVAL_S="0.2",
                         BAOSONG_HEADS_FILE=str(heads)):
        deadline = time.monotonic() + 30
        while not (heads.exists() and any((h.record or {}).get("position", 0) >= position
                                          for h in heads_file.read(heads))):
            assert time.monotonic() < deadline, "the archive never filed its head"
            await asyncio.sleep(0.2)
    return heads


def first_head_from(heads: Path, position: int) -> int:
    """The line number of the first head at or after ``position``."""
    return next(h.line for h in heads_file.read(heads) if h.record and h.record["position"] >= position)


@asynccontextmanager
async def triggers_off(owner: asyncpg.Connection) -> AsyncIterator[None]:
    """What a superuser does first: switch off the append-only trigger."""
    await owner.execute("ALTER TABLE archive.events DISABLE TRIGGER events_append_only")
    try:
        yield
    finally:
        await owner.execute("ALTER TABLE archive.events ENABLE TRIGGER events_append_only")


async def rewrite_and_rehash(owner: asyncpg.Connection, target: int) -> list[asyncpg.Record]:
    """Change the event at ``target``, recompute every hash from there and the head; the rows as they were."""
    rows = await owner.fetch("SELECT position, recorded_at, body, hash, prev_hash FROM archive.events"
                             " WHERE position >= $1 ORDER BY position", target)
    prev = bytes(await owner.fetchval("SELECT hash FROM archive.events WHERE position = $1", target - 1)
                 or GENESIS)
    async with triggers_off(owner):
        for row in rows:
            body = row["body"].replace('"time":"2', '"time":"1', 1) if row["position"] == target else row["body"]
            new_hash = link_hash(prev, row["position"], row["recorded_at"], body)
            await owner.execute("UPDATE archive.events SET body = $2, hash = $3, prev_hash = $4 WHERE position = $1",
                                row["position"], body, new_hash, prev)
            prev = new_hash
        await owner.execute("UPDATE archive.head SET hash = $1", prev)
    return rows


async def put_back(owner: asyncpg.Connection, rows: list[asyncpg.Record]) -> None:
    async with triggers_off(owner):
        for row in rows:
            await owner.execute("UPDATE archive.events SET body = $2, hash = $3, prev_hash = $4 WHERE position = $1",
                                row["position"], row["body"], row["hash"], row["prev_hash"])
        await owner.execute("UPDATE archive.head SET hash = $1", rows[-1]["hash"])


async def test_published_heads_hold_and_the_rewrite_and_rehash_attack_is_caught(
    infra: Infra, store: EventStore, owner: asyncpg.Connection, tmp_path: Path,
) -> None:
    heads = await published_heads(infra, store, owner, tmp_path)
    done = verify(infra, heads)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已锚定" in done.stdout
    target = await owner.fetchval("SELECT position - 2 FROM archive.head")
    rows = await rewrite_and_rehash(owner, target)
    assert await owner.fetchval("SELECT body FROM archive.events WHERE position = $1", target) != rows[0]["body"]
    try:
        unanchored = verify(infra, None)
        assert unanchored.returncode == 0, "the attack must pass a chain walk alone, or this test proves nothing"
        done = verify(infra, heads)
        assert done.returncode == 1, done.stdout
        line = first_head_from(heads, target)
        assert f"anchor BROKEN 与已发布链头不符: published head at line {line} (position" in done.stdout
        assert "history was rewritten" in done.stdout

        forged = tmp_path / "forged.jsonl"  # the attacker edits the heads file too: the signatures give it away
        now = {r["position"]: bytes(r["hash"]).hex()
               for r in await owner.fetch("SELECT position, hash FROM archive.events WHERE position >= $1", target)}
        records = [h.record for h in heads_file.read(heads)]
        forged.write_text("".join(json.dumps({**r, "hash": now.get(r["position"], r["hash"])}) + "\n"
                                  for r in records if r is not None))
        done = verify(infra, forged)
        assert done.returncode == 1
        assert f"line {line} (position" in done.stdout and "signature does not match" in done.stdout
    finally:
        await put_back(owner, rows)
    assert verify(infra, heads).returncode == 0


async def test_a_truncated_chain_is_caught(
    infra: Infra, store: EventStore, owner: asyncpg.Connection, tmp_path: Path,
) -> None:
    heads = await published_heads(infra, store, owner, tmp_path)
    last = await owner.fetchval("SELECT position FROM archive.head")
    cut = last - 3
    removed = await owner.fetch("SELECT * FROM archive.events WHERE position > $1 ORDER BY position", cut)
    async with triggers_off(owner):
        await owner.execute("DELETE FROM archive.events WHERE position > $1", cut)
        await owner.execute("UPDATE archive.head SET position = position - 3,"
                            " hash = (SELECT hash FROM archive.events WHERE position = $1)", cut)
    try:
        assert verify(infra, None).returncode == 0, "a truncation passes a chain walk alone"
        done = verify(infra, heads)
        assert done.returncode == 1, done.stdout
        assert f"published head at line {first_head_from(heads, cut + 1)} (position" in done.stdout
        assert f"the chain ends at position {cut}: it was cut short" in done.stdout
    finally:  # put the rows back: the trigger checks they extend the chain again and moves the head
        columns = list(removed[0].keys())
        await owner.executemany(
            f"INSERT INTO archive.events ({', '.join(columns)})"
            f" VALUES ({', '.join(f'${i}' for i in range(1, len(columns) + 1))})",
            [tuple(r.values()) for r in removed])
    assert await owner.fetchval("SELECT position FROM archive.head") == last
    assert verify(infra, heads).returncode == 0


async def test_heads_export_writes_signed_lines_an_outside_party_can_verify_with(
    infra: Infra, store: EventStore, owner: asyncpg.Connection, tmp_path: Path,
) -> None:
    heads = await published_heads(infra, store, owner, tmp_path / "archive")
    home = tmp_path / "home"
    (home / "anchors").mkdir(parents=True)
    shutil.copy(heads, home / "anchors" / "heads.jsonl")
    (home / "keys").mkdir()
    shutil.copy(infra.keys / "archive.pub.pem", home / "keys" / "archive-ed25519.pub.pem")
    kept = tmp_path / "for-the-investigator.jsonl"
    done = cli(infra, "heads", "export", str(kept), env={"BAOSONG_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    records: list[Any] = [json.loads(line) for line in kept.read_text().splitlines()]
    assert records == [h.record for h in heads_file.read(heads)]
    assert all(set(r) == {"position", "hash", "recorded_at", "key_id", "signature"} for r in records)
    assert "archive-ed25519.pub.pem" in done.stderr
    checked = cli(infra, "verify", "--dsn", infra.owner_dsn, "--heads", str(kept), env={"BAOSONG_HOME": str(home)})
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"all {len(records)} published heads" in checked.stdout
