"""The archive benchmark's peer: the `eventsourcing` library's PostgreSQL store on the same server as ours.

Each aggregate is an incident report of ``PER`` events (submitted, then follow-ups of the same size as our
benchmark's events); aggregates are saved ``SAVE_BATCH`` per transaction (100 is the library's best case).
Measures the append rate, the rate of reading the whole application log in pages of 1000 (what a projection
rebuild does) and the rate of rehydrating up to 2000 aggregates from their events. Prints one JSON object.

Usage: .venv/bin/python -m bench.peer_eventsourcing DSN N_AGGREGATES PER [SAVE_BATCH]   (the database must exist)
Needs the `bench` extra (``pip install -e '.[bench]'``; ``./baosong bench`` installs it).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any
from urllib.parse import unquote, urlsplit

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

PAGE = 1000
REHYDRATED = 2000


class Report(Aggregate):
    @event("Submitted")
    def __init__(self, unit: str, title: str, deaths: int) -> None:
        self.unit, self.title, self.deaths = unit, title, deaths
        self.updates: list[str] = []

    @event("FollowedUp")
    def follow_up(self, text: str) -> None:
        self.updates.append(text)


class Reports(Application):
    pass


def environment(dsn: str) -> dict[str, str]:
    """The library's settings for the PostgreSQL server and database a DSN names."""
    url = urlsplit(dsn)
    return {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432), "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""), "POSTGRES_DBNAME": url.path.lstrip("/")}


def measure(dsn: str, aggregates: int, per: int, save_batch: int) -> dict[str, Any]:
    app = Reports(env=environment(dsn))
    ids, pending = [], []
    t = time.perf_counter()
    for i in range(aggregates):
        report = Report(unit=f"unit-{i % 50}", title="道路交通事故 " * 4, deaths=i % 3)
        for j in range(per - 1):
            report.follow_up(f"续报 {j}: 事态进展与处置措施 " * 3)
        pending.append(report)
        ids.append(report.id)
        if len(pending) >= save_batch:
            app.save(*pending)
            pending = []
    if pending:
        app.save(*pending)
    appended = aggregates * per
    append_s = time.perf_counter() - t

    t = time.perf_counter()
    read, start = 0, 1
    while items := app.recorder.select_notifications(start=start, limit=PAGE):
        read += len(items)
        start = items[-1].id + 1
    read_s = time.perf_counter() - t

    t = time.perf_counter()
    for aggregate_id in ids[:REHYDRATED]:
        app.repository.get(aggregate_id)
    rehydrated = min(REHYDRATED, len(ids)) * per
    rehydrate_s = time.perf_counter() - t
    app.close()
    return {"events": appended, "save_batch": save_batch, "append": appended / append_s, "read_log": read / read_s,
            "read_events": read, "rehydrate": rehydrated / rehydrate_s}


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                             int(sys.argv[4]) if len(sys.argv) == 5 else 100)))
