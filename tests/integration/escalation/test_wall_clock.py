"""Escalation with the wall clock (no shift): the contract's default-pack semantics, and a SIGKILL during
a burst of deadlines that must lose none and double none."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest

from shared.topics import REPORTS
from tests.conftest import Infra
from tests.integration.escalation.support import Escalation, Kafka, Watcher, breaches_of, now, report_submitted

pytestmark = pytest.mark.integration
TWO_HOURS = timedelta(hours=2)


@pytest.fixture(scope="module")
async def service(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Escalation]:
    proc = Escalation(infra, tmp_path_factory.mktemp("escalation-wall") / "logs")
    try:
        await asyncio.to_thread(proc.start)
        yield proc
    finally:
        proc.stop()


def at(e: dict[str, Any], field: str) -> datetime:
    return datetime.fromisoformat(e["data"][field])


async def test_contract_late_breach_within_5s_of_t_plus_2h(service: Escalation, kafka: Kafka,
                                                           watcher: Watcher) -> None:
    occurred = now() - TWO_HOURS + timedelta(seconds=4)
    inc = f"wall-{occurred.timestamp()}"
    await kafka.publish(REPORTS, report_submitted(inc, unit="wall-town", occurred_at=occurred))
    await asyncio.sleep(2)
    assert watcher.matching(breaches_of(inc)) == []  # not before T+2h
    [late] = await watcher.wait_for(breaches_of(inc), within=10)
    assert late["data"]["kind"] == "late" and late["data"]["obligation"] == "written_report"
    assert late["data"]["unit_id"] == "wall-town" and late["data"]["policy"] == "county-2h-10h@1"
    assert at(late, "deadline_at") == occurred + TWO_HOURS
    assert timedelta(0) <= at(late, "detected_at") - at(late, "deadline_at") < timedelta(seconds=5)
    assert late["_consumed_at"] - at(late, "deadline_at") < timedelta(seconds=5)


async def test_contract_report_arriving_after_the_deadline_breaches_at_once(service: Escalation, kafka: Kafka,
                                                                           watcher: Watcher) -> None:
    occurred = now() - TWO_HOURS - timedelta(minutes=1)
    inc = f"wall-after-{occurred.timestamp()}"
    published = now()
    await kafka.publish(REPORTS, report_submitted(inc, unit="wall-town", occurred_at=occurred))
    [late] = await watcher.wait_for(breaches_of(inc), within=10)
    assert late["data"]["kind"] == "late" and at(late, "deadline_at") == occurred + TWO_HOURS
    assert late["_consumed_at"] - published < timedelta(seconds=5)


async def test_sigkill_during_a_burst_of_deadlines_loses_none_and_doubles_none(
        service: Escalation, kafka: Kafka, watcher: Watcher, owner_db: asyncpg.Connection) -> None:
    n = 300
    first = now() + timedelta(seconds=15)
    tag = f"burst-{first.timestamp()}"
    incidents = [f"{tag}-{i}" for i in range(n)]
    # late deadlines every 20 ms over 6 s, starting 15 s from now
    await kafka.publish(REPORTS, *[report_submitted(inc, unit="burst-town",
                                                    occurred_at=first + timedelta(milliseconds=20 * i) - TWO_HOURS)
                                   for i, inc in enumerate(incidents)])
    for _ in range(200):
        opened = await owner_db.fetchval("SELECT count(*) FROM escalation.clocks WHERE incident_id LIKE $1"
                                         " AND kind = 'late'", f"{tag}-%")
        if opened == n:
            break
        await asyncio.sleep(0.1)
    assert opened == n
    await asyncio.sleep(max(0.0, (first - now()).total_seconds()) + 3)  # about half have fired
    fired_before = await owner_db.fetchval("SELECT count(*) FROM escalation.clocks WHERE incident_id LIKE $1"
                                           " AND kind = 'late' AND state = 'fired'", f"{tag}-%")
    service.kill()
    await asyncio.to_thread(service.start)
    mine = set(incidents)
    is_mine = lambda e: e["type"] == "DeadlineBreached" and e["data"].get("incident_id") in mine  # noqa: E731
    await watcher.wait_for(lambda e: is_mine(e), count=n, within=60)
    await asyncio.sleep(1)
    seen = watcher.matching(is_mine)
    ids_per_incident = Counter(e["data"]["incident_id"] for e in {e["id"]: e for e in seen}.values())
    assert 0 < fired_before < n, "the kill must fall inside the burst"
    assert set(ids_per_incident) == mine and set(ids_per_incident.values()) == {1}  # none lost, none doubled
    assert all(e["id"] == e["data"]["breach_id"] and e["data"]["kind"] == "late" for e in seen)
    assert await owner_db.fetchval("SELECT count(*) FROM escalation.clocks WHERE incident_id LIKE $1"
                                   " AND kind = 'late' AND state = 'fired'", f"{tag}-%") == n
