"""Work-information clocks against the real broker and database: an item's due time, a commissioned
request's due time per unit asked, a unit's quota at the end of its period; never doubled.

One escalation process, its clock moved only forward by the tests (BAOSONG_CLOCK_FILE); the quota test
moves it to the end of the month and so comes last.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest

from shared.periods import period_containing
from shared.topics import ITEMS, UNITS
from tests.conftest import Infra
from tests.integration.escalation.conftest import wait_units
from tests.integration.escalation.support import (
    Escalation,
    Kafka,
    ServiceClock,
    Watcher,
    item_decided,
    item_submitted,
    now,
    request_issued,
    unit_registered,
)
from tests.support.waiting import until

pytestmark = pytest.mark.integration
GRACE = timedelta(minutes=10)  # the default BAOSONG_QUOTA_GRACE_S
UNITS_ = {"wi-town": "town", "wi-req-a": "town", "wi-req-b": "town"}
QUOTA_UNITS = ("wi-q-short", "wi-q-met")  # departments: 5 approved items a month (info-county)


@dataclass
class Running:
    proc: Escalation
    clock: ServiceClock


@pytest.fixture(scope="module")
async def service(infra: Infra, tmp_path_factory: pytest.TempPathFactory, kafka: Kafka,
                  owner_db: asyncpg.Connection) -> AsyncIterator[Running]:
    root = tmp_path_factory.mktemp("escalation-info")
    clock = ServiceClock(root / "clock")
    await kafka.publish(UNITS, *[unit_registered(u, level=level, parent_id="wi-county") for u, level in UNITS_.items()],
                        *[unit_registered(u, level="county", kind="department", parent_id="wi-county")
                          for u in QUOTA_UNITS])
    proc = Escalation(infra, root / "logs", BAOSONG_CLOCK_FILE=str(clock.path))
    try:
        await asyncio.to_thread(proc.start)
        await wait_units(owner_db, *UNITS_, *QUOTA_UNITS)
        yield Running(proc, clock)
    finally:
        proc.stop()


def at(e: dict[str, Any], field: str) -> datetime:
    return datetime.fromisoformat(e["data"][field])


def breaches_of(field: str, key: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["type"] == "DeadlineBreached" and e["data"].get(field) == key


async def recorded(db: asyncpg.Connection, *item_ids: str, decided: int = 0) -> None:
    """Until escalation holds every item, ``decided`` of them approved or rejected."""
    async def done() -> bool:
        row = await db.fetchrow("SELECT count(*) AS n, count(approved_at) + count(rejected_at) AS decided"
                                " FROM escalation.items WHERE item_id = ANY($1::text[])", list(item_ids))
        return bool(row["n"] == len(item_ids) and row["decided"] == decided)
    await until(done, f"items {item_ids} recorded by escalation", 15)


async def test_an_item_not_signed_off_by_its_due_time_breaches_within_5s(
        service: Running, kafka: Kafka, watcher: Watcher, owner_db: asyncpg.Connection) -> None:
    t0 = service.clock.now()
    offset = t0 - now()
    due = t0 + timedelta(seconds=4)
    ids = {k: f"wi-{k}-{uuid.uuid4()}" for k in ("silent", "approved", "rejected", "first-step", "forged")}
    await kafka.publish(ITEMS, *[item_submitted(i, unit="wi-town", at=t0, due_at=due) for i in ids.values()])
    second = timedelta(seconds=1)
    await kafka.publish(ITEMS, item_decided(ids["approved"], unit="wi-town", at=t0 + second),
                        item_decided(ids["rejected"], unit="wi-town", at=t0 + second, approve=False),
                        item_decided(ids["first-step"], unit="wi-town", at=t0 + second, final=False))
    await kafka.publish(ITEMS, item_decided(ids["forged"], unit="wi-town", at=t0 + second), signed_by="intake")
    await recorded(owner_db, *ids.values(), decided=2)
    [late] = await watcher.wait_for(breaches_of("item_id", ids["silent"]), within=10)
    data = late["data"]
    assert (data["kind"], data["obligation"], data["unit_id"], data["incident_id"], data["request_id"]) == (
        "late", "routine_report", "wi-town", None, None)
    assert data["policy"] == "info-county@1" and at(late, "deadline_at") == due and late["id"] == data["breach_id"]
    assert timedelta(0) <= at(late, "detected_at") - due < timedelta(seconds=5)  # not before its due time
    assert late["_consumed_at"] + offset - due < timedelta(seconds=5)
    await watcher.wait_for(breaches_of("item_id", ids["forged"]), within=5)  # a forged approval meets nothing
    await watcher.wait_for(breaches_of("item_id", ids["first-step"]), within=5)  # only the final sign-off does
    await asyncio.sleep(1)
    assert watcher.matching(lambda e: e["type"] == "DeadlineBreached"
                            and e["data"].get("item_id") in (ids["approved"], ids["rejected"])) == []


async def test_a_request_missed_by_one_of_two_units_breaches_once_for_that_unit(
        service: Running, kafka: Kafka, watcher: Watcher, owner_db: asyncpg.Connection) -> None:
    t0 = service.clock.now()
    request = f"wi-req-{uuid.uuid4()}"
    answer, refused = f"wi-answer-{uuid.uuid4()}", f"wi-refused-{uuid.uuid4()}"
    # a's answer is approved before escalation sees the request (items and requests travel on different keys)
    await kafka.publish(ITEMS, item_submitted(answer, unit="wi-req-a", at=t0, request_id=request),
                        item_decided(answer, unit="wi-req-a", at=t0 + timedelta(minutes=10)),
                        item_submitted(refused, unit="wi-req-b", at=t0, request_id=request),
                        item_decided(refused, unit="wi-req-b", at=t0 + timedelta(minutes=10), approve=False))
    await recorded(owner_db, answer, refused, decided=2)
    due = t0 + timedelta(hours=1)
    await kafka.publish(ITEMS, request_issued(request, to_units=["wi-req-a", "wi-req-b"], due_at=due, at=t0))

    async def opened() -> bool:
        return bool(await owner_db.fetchval("SELECT count(*) FROM escalation.info_clocks WHERE request_id = $1",
                                            request) == 2)
    await until(opened, "the request's clocks opened", 15)
    service.clock.set(due - timedelta(seconds=1))
    await asyncio.sleep(1)
    assert watcher.matching(breaches_of("request_id", request)) == []
    service.clock.set(due)
    [missed] = await watcher.wait_for(breaches_of("request_id", request), within=5)
    await asyncio.sleep(1)
    assert len(watcher.matching(breaches_of("request_id", request))) == 1
    data = missed["data"]
    assert (data["kind"], data["obligation"], data["unit_id"], data["incident_id"], data["item_id"]) == (
        "request_missed", "request_reply", "wi-req-b", None, None)
    assert at(missed, "deadline_at") == due and data["policy"] == "info-county@1"
    assert at(missed, "detected_at") - due < timedelta(seconds=5)


async def test_redelivery_and_a_restart_never_double_an_information_breach(
        service: Running, kafka: Kafka, watcher: Watcher, owner_db: asyncpg.Connection) -> None:
    t0 = service.clock.now()
    item, request = f"wi-dup-{uuid.uuid4()}", f"wi-dup-req-{uuid.uuid4()}"
    submitted = item_submitted(item, unit="wi-town", at=t0, due_at=t0 + timedelta(seconds=2))
    issued = request_issued(request, to_units=["wi-req-b"], due_at=t0 + timedelta(seconds=2), at=t0)
    await kafka.publish(ITEMS, submitted, submitted, issued, issued)  # a redelivery of each
    await watcher.wait_for(breaches_of("item_id", item), within=10)
    await watcher.wait_for(breaches_of("request_id", request), within=5)

    async def marked_fired() -> bool:  # published, then committed: a kill between the two repeats the same id
        return bool(await owner_db.fetchval(
            "SELECT count(*) FROM escalation.info_clocks WHERE (item_id = $1 OR request_id = $2)"
            " AND state = 'fired'", item, request) == 2)
    await until(marked_fired, "both clocks marked fired", 5)
    service.proc.kill()
    await asyncio.to_thread(service.proc.start)
    await kafka.publish(ITEMS, submitted, issued)  # delivered again after the restart
    await recorded(owner_db, item)
    await asyncio.sleep(2)
    assert len(watcher.matching(breaches_of("item_id", item))) == 1
    assert len(watcher.matching(breaches_of("request_id", request))) == 1


async def test_at_a_periods_end_the_unit_short_of_its_quota_is_named_and_the_one_that_met_it_is_not(
        service: Running, kafka: Kafka, watcher: Watcher, owner_db: asyncpg.Connection) -> None:
    t0 = service.clock.now()
    short, met = QUOTA_UNITS
    period = period_containing(t0, "month")
    counted = {met: [f"wi-q-{uuid.uuid4()}" for _ in range(5)], short: [f"wi-q-{uuid.uuid4()}" for _ in range(2)]}
    not_counted = [f"wi-q-{uuid.uuid4()}" for _ in range(3)]  # short's: rejected, only a first step, none
    events = [e for unit, ids in counted.items() for i in ids
              for e in (item_submitted(i, unit=unit, at=t0), item_decided(i, unit=unit, at=t0))]
    events += [item_submitted(i, unit=short, at=t0) for i in not_counted]
    events += [item_decided(not_counted[0], unit=short, at=t0, approve=False),
               item_decided(not_counted[1], unit=short, at=t0, final=False)]
    await kafka.publish(ITEMS, *events)
    await recorded(owner_db, *counted[met], *counted[short], *not_counted, decided=8)
    of_quota = lambda unit: lambda e: e["type"] == "QuotaMissed" and e["data"]["unit_id"] == unit  # noqa: E731
    service.clock.set(period.end + GRACE - timedelta(seconds=2))
    await asyncio.sleep(1.2)
    assert watcher.matching(of_quota(short)) == []  # still within the grace after the period's end
    service.clock.set(period.end + GRACE)
    [missed] = await watcher.wait_for(of_quota(short), within=5)
    data = missed["data"]
    assert (data["period"], data["quota"], data["counted"], data["kinds"], data["policy"]) == (
        period.name, 5, 2, None, "info-county@1")
    assert missed["id"] == data["quota_id"] and at(missed, "detected_at") - (period.end + GRACE) < timedelta(seconds=5)
    await asyncio.sleep(1)
    assert watcher.matching(of_quota(met)) == [] and len(watcher.matching(of_quota(short))) == 1
    following = period_containing(period.end, "month").name
    assert await owner_db.fetchval("SELECT count(*) FROM escalation.info_clocks WHERE unit_id = $1 AND kind = 'quota'"
                                   " AND period = $2 AND state = 'open'", short, following) == 1
