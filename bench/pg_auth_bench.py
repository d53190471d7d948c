"""Benchmark: what scram-sha-256 costs a new PostgreSQL connection, beside trust, in the same run.

``.venv/bin/python -m bench.pg_auth_bench [N] [ROUNDS]`` makes a private cluster as ``up`` does (scram),
then alternates rounds of N connect-and-close over the loopback with its pg_hba.conf as made (scram) and
rewritten to ``trust`` (reloaded), and prints each round's median and the medians' ratio. The services
keep pooled connections, so they pay this once per connection, not per query.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

from deploy.postgres_local import HBA, LocalPostgres
from deploy.proc import free_port


async def connect_times(dsn: str, n: int) -> list[float]:
    spent = []
    for _ in range(n):
        t = time.perf_counter()
        conn = await asyncpg.connect(dsn)
        spent.append(time.perf_counter() - t)
        await conn.close()
    return spent


async def use_hba(pg: LocalPostgres, text: str, dsn: str) -> None:
    pg.hba_file.write_text(text)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()
    await asyncio.sleep(0.5)


async def main(pg: LocalPostgres, n: int, rounds: int) -> None:
    dsn = pg.superuser_dsn  # carries the password; trust ignores it, so both modes use one DSN
    medians: dict[str, list[float]] = {"scram-sha-256": [], "trust": []}
    await connect_times(dsn, 20)  # warm-up, not measured
    for _ in range(rounds):
        for method, hba in (("scram-sha-256", HBA), ("trust", HBA.replace("scram-sha-256", "trust"))):
            await use_hba(pg, hba, dsn)
            medians[method].append(statistics.median(await connect_times(dsn, n)) * 1000)
    await use_hba(pg, HBA, dsn)
    for method, values in medians.items():
        print(f"{method:>14}: median connect {statistics.median(values):.2f} ms (rounds: "
              + ", ".join(f"{v:.2f}" for v in values) + ")")
    ratio = statistics.median(medians["scram-sha-256"]) / statistics.median(medians["trust"])
    print(f"scram ÷ trust: {ratio:.2f}× per new connection ({os.cpu_count()} cores)")


if __name__ == "__main__":
    root = Path(tempfile.mkdtemp(prefix="baosong-bench-"))
    os.chmod(root, 0o755)
    cluster = LocalPostgres(root / "pg", free_port())
    try:
        cluster.init()
        cluster.start()
        asyncio.run(main(cluster, int(sys.argv[1]) if len(sys.argv) > 1 else 200,
                         int(sys.argv[2]) if len(sys.argv) > 2 else 3))
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
