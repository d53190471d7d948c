"""How long the pages' reads take on a store of N incidents: ``python bench/pages_stats.py N``.

Run against a stack started with ``./baosong up --detach`` (same env; it runs no demo); it appends N
synthetic incidents (submission, forward or breach) straight into the archive's store, then times
``/v1/stats/units``, ``/v1/stats/months`` and ``/v1/board``: the first call, then the median of the
others. For the cold start, restart the stack (``./baosong down``, then ``up`` again) and run with N = 0:
the first calls then read the whole store.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from deploy.database import DATABASE, service_role
from deploy.stack import StackConfig
from services.archive.adapters.store import EventStore, Incoming
from shared.auth import mint_token
from shared.db import Database


def incident(i: int, base: datetime) -> list[Incoming]:
    inc, unit = f"bench-{uuid.uuid4().hex[:12]}", f"bench-unit-{i % 50}"
    at = base + timedelta(minutes=7 * i)
    late = at + timedelta(hours=2)
    ob = {"obligation": "written_report", "unit_id": unit, "to_unit_id": "bench-county",
          "late_at": late.isoformat(), "missed_at": (late + timedelta(hours=8)).isoformat()}
    report = {"reporting_unit": unit, "title": "测试", "kind": "initial", "location": {"unit_id": unit},
              "occurred_at": at.isoformat()}
    events = [("ReportSubmitted", at, {"report_id": f"r-{inc}", "incident_id": inc, "received_at": at.isoformat(),
                                       "report": report, "grade": "IV", "obligations": [ob]})]
    if i % 4:
        events.append(("ReportForwarded", at + timedelta(hours=1), {
            "report_id": f"r-{inc}", "incident_id": inc, "from_unit_id": unit, "to_unit_id": "bench-county"}))
    else:
        events.append(("DeadlineBreached", late, {"breach_id": f"b-{inc}", "incident_id": inc, "unit_id": unit,
                                                  "obligation": "written_report", "kind": "late",
                                                  "deadline_at": late.isoformat(), "detected_at": late.isoformat(),
                                                  "policy": "bench"}))
    return [Incoming({"id": str(uuid.uuid4()), "type": t, "subject": inc, "time": when.isoformat(), "data": d})
            for t, when, d in events]


async def fill(dsn: str, n: int) -> None:
    db = Database(dsn)
    async with db.connected():
        store, base = EventStore(db), datetime.now(UTC) - timedelta(days=60)
        batch: list[Incoming] = []
        for i in range(n):
            batch += incident(i, base)
            if len(batch) >= 1000:
                await store.append(batch)
                batch = []
        if batch:
            await store.append(batch)


def timed(url: str, headers: dict[str, str], runs: int = 5) -> tuple[float, float]:
    """Milliseconds: the first call, and the median of the ``runs - 1`` after it."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        assert httpx.get(url, headers=headers, timeout=120).status_code == 200
        times.append((time.perf_counter() - t0) * 1000)
    return times[0], statistics.median(times[1:])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    cfg = StackConfig.from_env()
    asyncio.run(fill(cfg.postgres.dsn(service_role("archive"), DATABASE), n))
    headers = {"Authorization": "Bearer " + mint_token(cfg.private_key.read_bytes(), subject="bench", unit=None,
                                                       roles=["admin"])}
    base = cfg.url("archive")
    period = datetime.now(UTC).strftime("%Y-%m")
    for name, path in (("stats/units", f"/v1/stats/units?period={period}"),
                       ("stats/months (6)", f"/v1/stats/months?until={period}"), ("board", "/v1/board")):
        first, then = timed(base + path, headers)
        print(f"{name:<18} first {first:8.1f} ms, then {then:6.1f} ms (median of 4; {n} incidents added)")


if __name__ == "__main__":
    main()
