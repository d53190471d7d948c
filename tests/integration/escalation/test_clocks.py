"""Escalation against the real broker and database, its clock moved by the test (BAOSONG_CLOCK_FILE).

Every test takes "now" from the service's shifted clock and only moves it forward, so the tests can
share one process.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import asyncpg
import pytest

from deploy.proc import free_port
from shared.envelope import Envelope
from shared.events import IncidentRegraded, ReportAcknowledged
from shared.topics import REPORTS, UNITS
from tests.conftest import Infra
from tests.integration.escalation.conftest import applied, wait_units
from tests.integration.escalation.support import (
    Escalation,
    Kafka,
    ServiceClock,
    Watcher,
    breaches_of,
    report_forwarded,
    report_submitted,
    unit_registered,
)

pytestmark = pytest.mark.integration
H = timedelta(hours=1)
M = timedelta(minutes=1)


class Receiver:
    """A real HTTP receiver (a duty room's webhook) that answers 500 to the first ``fail_first`` requests."""

    def __init__(self, fail_first: int):
        self.fail_first, self.requests = fail_first, []  # type: ignore[var-annotated]
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                self.send_response(500 if len(outer.requests) <= outer.fail_first else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    flaky, dead = Receiver(fail_first=2), Receiver(fail_first=10**6)
    yield flaky, dead
    flaky.server.shutdown()
    dead.server.shutdown()


@pytest.fixture(scope="module")
async def service(infra: Infra, tmp_path_factory: pytest.TempPathFactory, kafka: Kafka,
                  receivers: tuple[Receiver, Receiver], owner_db: asyncpg.Connection) -> AsyncIterator[ServiceClock]:
    root = tmp_path_factory.mktemp("escalation")
    clock = ServiceClock(root / "clock")
    flaky, dead = receivers
    await kafka.publish(UNITS, unit_registered("b-school", kind="school", parent_id="b-edu-bureau"),
                        unit_registered("wh-town", parent_id="wh-county"),
                        unit_registered("wh-county", level="county"),
                        unit_registered("rg-bureau", kind="department", parent_id="rg-main"),
                        unit_registered("ps-school", kind="school", parent_id="ps-edu-bureau"))
    proc = Escalation(infra, root / "logs", BAOSONG_CLOCK_FILE=str(clock.path),
                      BAOSONG_WEBHOOK_URLS=json.dumps({"wh-town": flaky.url, "wh-county": dead.url}),
                      BAOSONG_WEBHOOK_ATTEMPTS="3", BAOSONG_WEBHOOK_BACKOFF_S="0.1")
    try:
        await asyncio.to_thread(proc.start)
        await wait_units(owner_db, "b-school", "wh-town", "wh-county", "rg-bureau", "ps-school")
        yield clock
    finally:
        proc.stop()


def at(e: dict[str, Any], field: str) -> datetime:
    return datetime.fromisoformat(e["data"][field])


# The pack intake stated for each unit's report (ReportSubmitted.policy).
POLICIES = {"b-county": "county-2h-10h@1", "b-county-nr": "county-2h-10h@1", "b-city30": "city-30min@1",
            "b-city12": "city-1h-2h@1", "b-bureau4": "bureau-grade@1", "b-bureau3": "bureau-grade@1",
            "b-school": "school-2h@1", "b-routine": "routine@1"}

# (unit, obligation, kind, deadline after T0) as docs/rules.md §4 states them, per pack.
BOUNDARIES = [
    ("b-county", "written_report", "late", 2 * H), ("b-county", "written_report", "missed", 10 * H),
    ("b-county-nr", "routine_report", "late", 48 * H),
    ("b-city30", "phone_report", "late", 30 * M),
    ("b-city12", "phone_report", "late", 1 * H), ("b-city12", "written_report", "late", 2 * H),
    ("b-city12", "written_report", "missed", 24 * H),
    ("b-bureau4", "phone_report", "late", 30 * M), ("b-bureau4", "written_report", "late", 2 * H),
    ("b-bureau3", "phone_report", "late", 30 * M), ("b-bureau3", "written_report", "late", 1 * H),
    ("b-school", "phone_report", "late", 2 * H),  # counted from discovery, T0 (it occurred at T0 − 1 h)
    ("b-routine", "routine_report", "late", 48 * H),
]


async def test_each_pack_breaches_exactly_at_its_limits(service: ServiceClock, kafka: Kafka, watcher: Watcher,
                                                        owner_db: asyncpg.Connection) -> None:
    t0 = service.now().replace(microsecond=0)
    ids = {u: f"inc-{u}-{t0.timestamp():.0f}" for u, *_ in BOUNDARIES}
    submitted = [
        report_submitted(ids[u], unit=u, occurred_at=t0 - H if u == "b-school" else t0,
                         discovered_at=t0 if u == "b-school" else None,
                         reportable=u not in ("b-county-nr", "b-routine"), grade="III" if u == "b-bureau3" else "IV",
                         policy=POLICIES[u])
        for u in ids]
    await kafka.publish(REPORTS, *submitted)
    await applied(owner_db, *[e.id for e in submitted])
    mine = set(ids.values())

    def breaches() -> list[tuple[str, str, str, timedelta]]:
        return sorted((e["data"]["unit_id"], e["data"]["obligation"], e["data"]["kind"], at(e, "deadline_at") - t0)
                      for e in watcher.matching(lambda e: e["type"] == "DeadlineBreached"
                                                and e["data"].get("incident_id") in mine))

    for step in sorted({d for *_, d in BOUNDARIES}):
        service.set(t0 + step - timedelta(seconds=1.5))
        await asyncio.sleep(1.2)  # six ticks of the due loop, still before the deadline
        assert breaches() == sorted(b for b in BOUNDARIES if b[3] < step), f"early breach before T0+{step}"
        service.set(t0 + step)
        expected = sorted(b for b in BOUNDARIES if b[3] <= step)
        for _ in range(100):
            if breaches() == expected:
                break
            await asyncio.sleep(0.05)
        assert breaches() == expected, f"at T0+{step}"
    for e in watcher.matching(lambda e: e["type"] == "DeadlineBreached" and e["data"].get("incident_id") in mine):
        assert timedelta(0) <= at(e, "detected_at") - at(e, "deadline_at") < timedelta(seconds=5)
        assert e["id"] == e["data"]["breach_id"]


async def test_late_then_missed_and_a_late_report_still_prevents_missed(
        service: ServiceClock, kafka: Kafka, watcher: Watcher, owner_db: asyncpg.Connection) -> None:
    t0 = service.now()
    silent, tardy = f"lm-silent-{t0.timestamp()}", f"lm-tardy-{t0.timestamp()}"
    tardy_report = report_submitted(tardy, unit="lm-town", occurred_at=t0)
    silent_report = report_submitted(silent, unit="lm-town", occurred_at=t0)
    await kafka.publish(REPORTS, silent_report, tardy_report)
    await applied(owner_db, silent_report.id, tardy_report.id)
    service.set(t0 + 2 * H)
    await watcher.wait_for(lambda e: breaches_of(silent)(e) or breaches_of(tardy)(e), count=2, within=5)
    forward = report_forwarded(tardy, tardy_report.data["report_id"], from_unit="lm-town",
                               to_unit="lm-county", at=t0 + 3 * H)
    await kafka.publish(REPORTS, forward)
    await applied(owner_db, forward.id)
    service.set(t0 + 10 * H)
    missed = await watcher.wait_for(lambda e: breaches_of(silent)(e) and e["data"]["kind"] == "missed", within=5)
    await asyncio.sleep(1.0)
    assert sorted((e["data"]["unit_id"], e["data"]["obligation"], e["data"]["kind"])
                  for e in watcher.matching(breaches_of(tardy))) == [
        ("lm-county", "receipt", "late"),  # the county never acknowledged it (回执) within 1 h
        ("lm-town", "written_report", "late")]
    assert len({e["id"] for e in watcher.matching(breaches_of(silent))}) == 2
    assert at(missed[0], "deadline_at") == t0 + 10 * H


@pytest.mark.parametrize("forger", ["", "intake", "escalation"])
async def test_a_forward_not_signed_by_approval_closes_no_clock(
        forger: str, service: ServiceClock, kafka: Kafka, watcher: Watcher, owner_db: asyncpg.Connection) -> None:
    """The forged-approval attack: a ReportForwarded that looks like approval's, unsigned or signed by a
    service that may write the topic but may not make the event, leaves every clock open."""
    t0 = service.now()
    inc = f"fg-{forger or 'none'}-{t0.timestamp()}"
    submitted = report_submitted(inc, unit="lm-town", occurred_at=t0)
    await kafka.publish(REPORTS, submitted)
    await applied(owner_db, submitted.id)
    forged = report_forwarded(inc, submitted.data["report_id"], from_unit="lm-town", to_unit="lm-county",
                              at=t0 + 30 * M)
    await kafka.publish(REPORTS, forged, signed_by=forger)
    await asyncio.sleep(1.5)
    assert not await owner_db.fetchval("SELECT count(*) FROM escalation.seen WHERE event_id = $1", forged.id)
    service.set(t0 + 10 * H)
    await watcher.wait_for(lambda e: breaches_of(inc)(e) and e["data"]["kind"] == "missed", within=5)
    assert {(e["data"]["obligation"], e["data"]["kind"]) for e in watcher.matching(breaches_of(inc))} == {
        ("written_report", "late"), ("written_report", "missed")}


async def test_a_phone_reports_forward_meets_only_the_phone_obligation_as_it_states_its_channel(
        service: ServiceClock, kafka: Kafka, watcher: Watcher, owner_db: asyncpg.Connection) -> None:
    t0 = service.now()
    inc = f"pf-{t0.timestamp()}"
    written = report_submitted(inc, unit="pf-town", occurred_at=t0)
    # the forward itself says it carries a phone report; escalation holds no submission of that report
    phoned = report_forwarded(inc, str(uuid.uuid4()), from_unit="pf-town", to_unit="pf-county", at=t0 + 30 * M,
                              report_channel="phone")
    await kafka.publish(REPORTS, written, phoned)
    await applied(owner_db, written.id, phoned.id)
    service.set(t0 + 2 * H)
    await watcher.wait_for(breaches_of(inc), count=2, within=5)
    await asyncio.sleep(0.5)
    assert sorted((e["data"]["unit_id"], e["data"]["obligation"], e["data"]["kind"])
                  for e in watcher.matching(breaches_of(inc))) == [
        ("pf-county", "receipt", "late"), ("pf-town", "written_report", "late")]


async def test_a_report_after_its_deadline_breaches_at_once(service: ServiceClock, kafka: Kafka,
                                                           watcher: Watcher) -> None:
    t0 = service.now()
    old = f"old-{t0.timestamp()}"
    await kafka.publish(REPORTS, report_submitted(old, unit="old-town", occurred_at=t0 - 3 * H))
    [late] = await watcher.wait_for(breaches_of(old), within=5)
    assert late["data"]["kind"] == "late"
    assert at(late, "detected_at") - t0 < timedelta(seconds=5)


async def test_the_clocks_follow_the_pack_intake_stated_and_choose_by_unit_only_without_a_known_one(
        service: ServiceClock, kafka: Kafka, watcher: Watcher, owner_db: asyncpg.Connection) -> None:
    t0 = service.now().replace(microsecond=0)
    stated, unknown = f"ps-stated-{t0.timestamp()}", f"ps-unknown-{t0.timestamp()}"
    by_city = report_submitted(stated, unit="ps-town", occurred_at=t0, policy="city-30min@1")
    by_unit = report_submitted(unknown, unit="ps-school", occurred_at=t0, policy="no-such-pack@7")
    await kafka.publish(REPORTS, by_city, by_unit)
    await applied(owner_db, by_city.id, by_unit.id)
    service.set(t0 + 30 * M)  # ps-town's own choice would be the default pack: nothing due at 30 min
    [late] = await watcher.wait_for(breaches_of(stated), within=5)
    assert (late["data"]["obligation"], late["data"]["kind"]) == ("phone_report", "late")
    assert late["data"]["policy"] == "city-30min@1" and at(late, "deadline_at") - t0 == 30 * M
    service.set(t0 + 2 * H)  # the unknown pack gives way to the school's (assignments.yaml by kind)
    [late] = await watcher.wait_for(breaches_of(unknown), within=5)
    assert (late["data"]["obligation"], late["data"]["kind"]) == ("phone_report", "late")
    assert late["data"]["policy"] == "school-2h@1" and at(late, "deadline_at") - t0 == 2 * H


async def test_another_unit_reporting_first_makes_the_breach_suspected_concealment(
        service: ServiceClock, kafka: Kafka, watcher: Watcher, owner_db: asyncpg.Connection) -> None:
    t0 = service.now()
    told, own = f"cc-told-{t0.timestamp()}", f"cc-own-{t0.timestamp()}"
    by_police = report_submitted(told, unit="cc-town", reporter="cc-police-dept", occurred_at=t0)
    by_town = report_submitted(own, unit="cc-town2", occurred_at=t0)
    await kafka.publish(REPORTS, by_police, by_town)
    await applied(owner_db, by_police.id, by_town.id)
    service.set(t0 + 2 * H)
    [flagged] = await watcher.wait_for(breaches_of(told), within=5)
    [plain] = await watcher.wait_for(breaches_of(own), within=5)
    assert flagged["data"]["unit_id"] == "cc-town" and flagged["data"]["suspected_concealment"] is True
    cited = [ev for ev in flagged["data"]["evidence"] if ev.get("other_channel")]
    assert [(ev["event_id"], ev["unit_id"]) for ev in cited] == [(by_police.id, "cc-police-dept")]
    assert plain["data"]["suspected_concealment"] is False


async def test_reminders_before_the_deadline_and_follow_ups_until_the_final_report(
        service: ServiceClock, kafka: Kafka, watcher: Watcher, owner_db: asyncpg.Connection) -> None:
    t0 = service.now()
    inc = f"rm-{t0.timestamp()}"
    first = report_submitted(inc, unit="rm-town", occurred_at=t0)
    await kafka.publish(REPORTS, first)
    await applied(owner_db, first.id)  # opened while its reminders are still ahead
    service.set(t0 + 0.8 * 2 * H)
    approaching = await watcher.wait_for(
        lambda e: e["type"] == "DeadlineApproaching" and e["data"]["incident_id"] == inc, count=2, within=5)
    assert sorted((e["data"]["share"], at(e, "deadline_at")) for e in approaching) == [
        (0.5, t0 + 2 * H), (0.8, t0 + 2 * H)]
    forward = report_forwarded(inc, first.data["report_id"], from_unit="rm-town", to_unit="rm-county",
                               at=t0 + 1.7 * H)
    await kafka.publish(REPORTS, forward)
    await applied(owner_db, forward.id)
    service.set(t0 + 24 * H)
    [due] = await watcher.wait_for(lambda e: e["type"] == "FollowUpDue" and e["data"]["incident_id"] == inc)
    assert due["data"]["sequence"] == 1 and at(due, "due_at") == t0 + 24 * H
    final = report_submitted(inc, unit="rm-town", occurred_at=t0, kind="final")
    await kafka.publish(REPORTS, final)
    await applied(owner_db, final.id)
    service.set(t0 + 49 * H)
    await asyncio.sleep(1.0)
    # forwarded before T+2h: no breach of rm-town (only the county's missing receipt)
    assert [(e["data"]["unit_id"], e["data"]["obligation"]) for e in watcher.matching(breaches_of(inc))] == [
        ("rm-county", "receipt")]
    assert [e["data"]["share"] for e in watcher.matching(
        lambda e: e["type"] == "DeadlineApproaching" and e["data"]["incident_id"] == inc
        and e["data"]["unit_id"] == "rm-town")] == [0.5, 0.8]  # the missed deadline's reminders closed with it
    assert len(watcher.matching(lambda e: e["type"] == "FollowUpDue" and e["data"]["incident_id"] == inc)) == 1


async def test_a_reopened_incident_owes_its_follow_ups_again(
        service: ServiceClock, kafka: Kafka, watcher: Watcher, owner_db: asyncpg.Connection) -> None:
    t0 = service.now()
    inc = f"ro-{t0.timestamp()}"
    due_of = lambda e: e["type"] == "FollowUpDue" and e["data"]["incident_id"] == inc  # noqa: E731
    for event in (report_submitted(inc, unit="ro-town", occurred_at=t0),
                  report_submitted(inc, unit="ro-town", occurred_at=t0, kind="final")):
        await kafka.publish(REPORTS, event)
        await applied(owner_db, event.id)
    service.set(t0 + 25 * H)
    await asyncio.sleep(1.0)
    assert watcher.matching(due_of) == []  # closed: no 续报 owed
    reopened = report_submitted(inc, unit="ro-town", occurred_at=t0, kind="follow_up",
                                reopen_reason="发现新的遇难者")
    await kafka.publish(REPORTS, reopened)
    await applied(owner_db, reopened.id)
    assert await owner_db.fetchval("SELECT closed_at FROM escalation.incidents WHERE incident_id = $1", inc) is None
    service.set(t0 + 49 * H)
    [due] = await watcher.wait_for(due_of, within=5)
    assert due["data"]["sequence"] == 2 and at(due, "due_at") == t0 + 48 * H  # 续报一 (T+24h) fell while closed


async def test_breaches_reach_the_duty_rooms_with_retries_and_a_dead_letter(
        service: ServiceClock, kafka: Kafka, watcher: Watcher, receivers: tuple[Receiver, Receiver],
        owner_db: asyncpg.Connection) -> None:
    flaky, dead = receivers
    t0 = service.now()
    inc = f"wh-{t0.timestamp()}"
    await kafka.publish(REPORTS, report_submitted(inc, unit="wh-town", occurred_at=t0 - 2 * H - M))
    [breach] = await watcher.wait_for(breaches_of(inc), within=5)
    for _ in range(200):
        got = [r for r in flaky.requests if r["event"]["id"] == breach["id"]]
        if len(got) >= 3 and await owner_db.fetchval(
                "SELECT count(*) FROM escalation.dead_letters WHERE event_id = $1", breach["id"]):
            break
        await asyncio.sleep(0.1)
    assert len(got) == 3 and {r["recipient_unit"] for r in got} == {"wh-town"}  # two 500s, then delivered
    assert got[-1]["event"]["data"]["breach_id"] == breach["data"]["breach_id"]
    assert len([r for r in dead.requests if r["event"]["id"] == breach["id"]]) == 3
    letter = await owner_db.fetchrow("SELECT recipient, attempts, last_error FROM escalation.dead_letters"
                                     " WHERE event_id = $1", breach["id"])
    assert dict(letter) == {"recipient": "wh-county", "attempts": 3, "last_error": "HTTP 500"}
    delivered = await owner_db.fetchval("SELECT status FROM escalation.deliveries WHERE event_id = $1"
                                        " AND recipient = 'wh-town'", breach["id"])
    assert delivered == "delivered"




async def test_regrading_adds_the_new_grades_limit_and_a_receipt_meets_the_receipt_clock(
        service: ServiceClock, kafka: Kafka, watcher: Watcher, owner_db: asyncpg.Connection) -> None:
    t0 = service.now()
    inc = f"rg-{t0.timestamp()}"
    first = report_submitted(inc, unit="rg-bureau", occurred_at=t0, grade="IV", policy="bureau-grade@1")
    await kafka.publish(REPORTS, first)
    regraded = IncidentRegraded(incident_id=inc, report_id=first.data["report_id"], previous_grade="IV", grade="III",
                                policy="bureau-grade@1")
    await kafka.publish(REPORTS, Envelope(id=f"{inc}-regraded", source="/tests", type="IncidentRegraded", subject=inc,
                                          time=t0 + M, data=regraded.model_dump(mode="json"), partitionkey=inc))
    await applied(owner_db, first.id)
    for _ in range(100):  # the regrading is recorded on the incident
        if await owner_db.fetchval("SELECT grade FROM escalation.incidents WHERE incident_id = $1", inc) == "III":
            break
        await asyncio.sleep(0.05)
    service.set(t0 + 3 * H)
    await watcher.wait_for(breaches_of(inc), count=2, within=5)
    # reported only at T+3h; the parent acknowledges within its hour (回执), so no receipt breach follows
    forward = report_forwarded(inc, first.data["report_id"], from_unit="rg-bureau", to_unit="rg-main", at=t0 + 3 * H)
    await kafka.publish(REPORTS, forward)
    ack = ReportAcknowledged(report_id=first.data["report_id"], incident_id=inc, unit_id="rg-main", by="duty")
    await kafka.publish(REPORTS, Envelope(id=f"{inc}-ack", source="/tests", type="ReportAcknowledged", subject=inc,
                                          time=t0 + 3.5 * H, data=ack.model_dump(mode="json"), partitionkey=inc))
    await applied(owner_db, forward.id, f"{inc}-ack")
    service.set(t0 + 5 * H)
    await asyncio.sleep(1.2)
    # grade III owes the written report in 1 h; grade IV's 2 h clock was superseded by the regrading
    assert sorted((e["data"]["obligation"], e["data"]["kind"], at(e, "deadline_at") - t0)
                  for e in watcher.matching(breaches_of(inc))) == [
        ("phone_report", "late", 30 * M), ("written_report", "late", H)]
