"""Archive benchmark (a script, not a test): append and full-replay throughput of the archive's store
against PostgreSQL's own COPY ceiling (bench/pg_copy_ceiling.py) and the `eventsourcing` library's
PostgreSQL store (bench/peer_eventsourcing.py, SAVE_BATCH=100), all in one run on one private
PostgreSQL cluster started here.

Usage: ./baosong bench archive [SIZES...]     (default: 100000 1000000; installs the `bench` extra if needed)
   or: .venv/bin/python -m bench.archive_bench [SIZES...]   after .venv/bin/pip install -e '.[dev,bench]'
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import pg_copy_ceiling  # noqa: E402
from deploy.database import DATABASE, provision, service_roles  # noqa: E402
from deploy.postgres_local import LocalPostgres  # noqa: E402
from deploy.proc import free_port  # noqa: E402
from services.archive.adapters.rebuild import rebuild  # noqa: E402
from services.archive.adapters.store import EventStore, Incoming  # noqa: E402
from services.archive.adapters.verify import verify_chain  # noqa: E402
from services.archive.domain.projections import PROJECTIONS  # noqa: E402
from shared.db import Database  # noqa: E402

BATCH = 1000
CEILING_ROWS = 100_000  # the ceiling's batched runs, whatever the sizes (as in every figure docs/archive.md quotes)
PEER_EVENTS_PER_AGGREGATE = 4  # as our story: submitted, approved, forwarded, acknowledged
PEER_SAVE_BATCH = 100  # aggregates per transaction: the peer's best case
SUMMARY = "某路段发生两车相撞事故，已组织救援。" * 3


def story(i: int) -> list[dict[str, Any]]:
    """One incident's four events (submitted, approved, forwarded, acknowledged), ~1.9 kB in all."""
    incident, report_id, unit = f"inc-{uuid.uuid4()}", f"rep-{uuid.uuid4()}", f"town-{i % 50}"
    def env(kind: str, data: dict[str, Any], minute: int) -> dict[str, Any]:
        return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/baosong/bench", "type": kind,
                "subject": incident, "time": f"2026-11-23T08:{minute:02d}:00+08:00",
                "datacontenttype": "application/json", "partitionkey": incident, "actor": f"clerk@{unit}",
                "data": {"report_id": report_id, "incident_id": incident, **data}}
    report = {"kind": "initial", "reporting_unit": unit, "title": "道路交通事故 " * 4,
              "category": "accident.road_traffic", "occurred_at": "2026-11-23T08:05:00+08:00",
              "location": {"unit_id": unit, "address": "307国道K12处"},
              "casualties": {"deaths": i % 3, "injured": 4}, "summary": SUMMARY}
    ob = {"obligation": "written_report", "unit_id": unit, "to_unit_id": "county-07",
          "late_at": "2026-11-23T10:05:00+08:00", "missed_at": "2026-11-23T18:05:00+08:00"}
    return [
        env("ReportSubmitted", {"received_at": "2026-11-23T08:10:00+08:00", "report": report, "reportable": True,
                                "grade": "IV", "reasons": ["road traffic: deaths ≥ 1"], "policy": "county-2h-10h@1",
                                "obligations": [ob]}, 10),
        env("ReportApproved", {"unit_id": unit, "approver": "p", "role": "principal", "final": True}, 20),
        env("ReportForwarded", {"from_unit_id": unit, "to_unit_id": "county-07", "channel": "main"}, 21),
        env("ReportAcknowledged", {"unit_id": "county-07", "by": "duty@county-07"}, 30),
    ]


async def ours(pg: LocalPostgres, n: int, *, replay: bool = True) -> dict[str, float]:
    """Append ``n`` events in batches of 1000, then replay: verify the chain, rebuild every projection."""
    admin = await asyncpg.connect(pg.superuser_dsn)
    await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    await admin.close()
    await provision(pg.superuser_dsn, pg.passwords(service_roles()))
    db = Database(pg.dsn("archive_svc", DATABASE))
    store, spent, done, i = EventStore(db), 0.0, 0, 0
    async with db.connected():
        while done < n:
            batch: list[Incoming] = []
            while len(batch) < min(BATCH, n - done):
                batch.extend(Incoming(e, "baosong.reports", 0, done + len(batch)) for e in story(i))
                i += 1
            batch = batch[: n - done]
            t = time.perf_counter()
            await store.append(batch)
            spent += time.perf_counter() - t
            done += len(batch)
            if done % 100_000 == 0:
                print(f"  ours: appended {done:,} ({done / spent:,.0f}/s)", file=sys.stderr, flush=True)
    if not replay:
        return {"append": n / spent}
    owner = pg.dsn("postgres", DATABASE)
    await settle(owner)
    t = time.perf_counter()
    verdict = await verify_chain(owner)
    verify_s = time.perf_counter() - t
    assert verdict.intact and verdict.count == n, verdict
    replay: dict[str, float] = {}
    for label, workers in (("replay", None), ("replay_1", 1)):  # one process per core (the default), then one
        t = time.perf_counter()
        folded = await rebuild(owner, list(PROJECTIONS.values()), workers=workers)
        replay[label] = n / (time.perf_counter() - t)
        assert folded == n
        print(f"  ours: {label} {replay[label]:,.0f}/s", file=sys.stderr, flush=True)
    return {"append": n / spent, "verify": n / verify_s, **replay}


async def settle(owner_dsn: str) -> None:
    """Not measured: let the database finish what the append left it (as pgbench vacuums before it runs).
    Right after a million appends autovacuum starts on the events table and a checkpoint writes the new
    pages out; a replay timed then shares both cores with them, while a real rebuild runs on an archive
    whose background work is long done."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        await conn.execute("VACUUM (ANALYZE) archive.events")
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


def peer(dsn: str, n: int) -> dict[str, float]:
    """The `eventsourcing` library's store on the same cluster, in a process of its own (as ours was measured
    in a process that had appended nothing else)."""
    done = subprocess.run([sys.executable, "-m", "bench.peer_eventsourcing", dsn, str(n // PEER_EVENTS_PER_AGGREGATE),
                           str(PEER_EVENTS_PER_AGGREGATE), str(PEER_SAVE_BATCH)],
                          cwd=REPO, capture_output=True, text=True, check=True)
    rates: dict[str, float] = json.loads(done.stdout)
    return rates


async def create_db(pg: LocalPostgres, name: str) -> None:
    admin = await asyncpg.connect(pg.superuser_dsn)
    await admin.execute(f"DROP DATABASE IF EXISTS {name}")
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()


async def main(sizes: list[int]) -> None:
    root = Path(tempfile.mkdtemp(prefix="archive-bench-"))
    os.chmod(root, 0o755)
    pg = LocalPostgres(root / "pg", free_port())
    pg.init()
    pg.start()
    try:
        # Not measured: on a fresh cluster whoever writes first also creates the WAL segment files (16 MB,
        # zero-filled), which everyone after recycles. Ours runs first at each size, the peer after it, so
        # without this our first 100,000 appends were 15-20 % slower, and a first 1,000,000 after a warm-up of
        # only 100,000 was 18.9k/s against 24.8k/s for the next 1,000,000 on the same cluster. So write as much
        # as the largest size once, before measuring anyone: the ceiling, ours and the peer all recycle.
        warm_up = max(sizes)
        warm = await ours(pg, warm_up, replay=False)
        print(f"warm-up (not measured): {warm_up:,} events appended at {warm['append']:,.0f}/s", file=sys.stderr)
        await create_db(pg, "ceiling")
        limit = await pg_copy_ceiling.measure(pg.dsn("postgres", "ceiling"), CEILING_ROWS)
        copy_ceiling = limit["copy_1000"]
        print("PostgreSQL ceiling: " + ", ".join(f"{k} {v:,.0f}/s" for k, v in limit.items()), file=sys.stderr)
        rows = []
        for n in sizes:
            print(f"size {n:,}", file=sys.stderr, flush=True)
            mine = await ours(pg, n)
            await create_db(pg, "peer")
            theirs = peer(pg.dsn("postgres", "peer"), n)
            print(f"  peer: {json.dumps(theirs)}", file=sys.stderr, flush=True)
            rows.append((n, mine, theirs["append"], theirs["read_log"]))
        print()
        print("| events | ours append/s | COPY ceiling/s | ours÷ceiling (≥0.5) | peer append/s | ours÷peer (≥3)"
              f" | ours replay/s, {os.cpu_count()} processes (≥50,000) | ours replay/s, 1 process | ours verify/s"
              " | peer read-log/s |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n, mine, peer_append, peer_read in rows:
            print(f"| {n:,} | {mine['append']:,.0f} | {copy_ceiling:,.0f} | {mine['append'] / copy_ceiling:.2f}"
                  f" | {peer_append:,.0f} | {mine['append'] / peer_append:.1f} | {mine['replay']:,.0f}"
                  f" | {mine['replay_1']:,.0f}"
                  f" | {mine['verify']:,.0f} | {peer_read:,.0f} |")
    finally:
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]))
