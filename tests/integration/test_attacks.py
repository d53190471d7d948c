"""The forged-approval attack of issue 16, end to end, with all four services as real processes on the real
SASL broker and database.

A reporter files a report whose late deadline has passed. Then attackers publish, for that very report,
a ReportApproved + ReportForwarded (the forward backdated to 30 minutes after the occurrence, so that, were it
believed, the report would count as forwarded on time and escalation would close its clocks):

- with the broker's super user's credentials and no signature;
- with intake's credentials, signed with intake's key (a compromised intake: it may write the topic and
  it holds a real key, but intake may not make approvals);
- with approval's credentials, naming approval as producer but signed with the attacker's own key (whoever
  holds approval's Kafka password still lacks its signing key);

and, besides, a UnitRegistered moving the reporter's unit under another parent (signed with approval's key),
a DeadlineBreached charging the superior unit with concealment (escalation's credentials, its name, no
signature) and a ReportSubmitted signed by intake but altered after signing.

Escalation's clock is held four hours back while the forgeries arrive, so the report's late deadline is
still ahead of it: had it believed the backdated forward, the clock would be closed before it fell due.
Then its clock is put right, and the late breach must come.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from deploy.proc import free_port
from shared.events import DeadlineBreached, ReportApproved, ReportForwarded, UnitRegistered
from shared.producers import PRODUCER_HEADER, Signer
from shared.topics import BREACHES, REPORTS, UNITS
from tests.conftest import Infra
from tests.support.archive_events import Story, envelope
from tests.support.reports import report
from tests.support.services import running_service
from tests.support.units import register_units
from tests.support.waiting import until

pytestmark = pytest.mark.integration

FAST_HEALTH = {"BAOSONG_HEALTH_STUCK_AFTER_S": "2", "BAOSONG_CONSUMER_RETRY_MAX_BACKOFF_S": "1"}
HELD_BACK_S = -4 * 3600  # escalation's clock while the forgeries arrive: the late deadline still 3 h ahead
TOWN, COUNTY = "town-a-office", "county-x-office"


class Webhook:
    """A duty room's webhook receiver: every notification escalation sends, kept."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/duty"

    def breaches(self) -> list[dict[str, Any]]:
        return [n["event"] for n in self.received if n["event"]["type"] == "DeadlineBreached"]



@contextmanager
def serving_webhook() -> Iterator[Webhook]:
    hook = Webhook()
    thread = threading.Thread(target=hook.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        hook.server.shutdown()
        hook.server.server_close()


@dataclass
class Stack:
    urls: dict[str, str]
    clock_file: Path
    webhook: Webhook


@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("attack-logs")
    clock_file = logs / "escalation-clock"
    clock_file.write_text("0")
    with (serving_webhook() as webhook,
          running_service(infra, "intake", logs, **FAST_HEALTH) as intake,
          running_service(infra, "approval", logs, **FAST_HEALTH) as approval,
          running_service(infra, "escalation", logs, **FAST_HEALTH, BAOSONG_CLOCK_FILE=str(clock_file),
                          BAOSONG_WEBHOOK_URL=webhook.url) as escalation,
          running_service(infra, "archive", logs, **FAST_HEALTH) as archive):
        register_units(intake, infra.token(unit=None, role="admin"))
        yield Stack({"intake": intake, "approval": approval, "escalation": escalation, "archive": archive},
                    clock_file, webhook)


@dataclass(frozen=True)
class Forgery:
    """One forged record: who sends it (Kafka client options), where, its bytes and headers, and the
    reason every consumer must give for refusing it."""

    attack: str
    topic: str
    event: dict[str, Any]
    kafka: dict[str, str]
    headers: list[tuple[str, bytes]]
    refusal: str
    value: bytes = b""

    def __post_init__(self) -> None:
        if not self.value:
            object.__setattr__(self, "value", json.dumps(self.event).encode())

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.value).hexdigest()


def signed(producer: str, key: Ed25519PrivateKey, value: bytes) -> list[tuple[str, bytes]]:
    return [(k, v.encode()) for k, v in Signer(producer, key).headers(value).items()]


def forgeries(infra: Infra, report_id: str, incident_id: str, occurred: datetime) -> list[Forgery]:
    """Every forged record the attackers publish about the report ``report_id``."""
    on_time = occurred + timedelta(minutes=30)
    own_key = Ed25519PrivateKey.generate()  # the attacker's: approval's password does not give its key

    def approval_pair() -> tuple[dict[str, Any], dict[str, Any]]:
        approved = envelope(ReportApproved(report_id=report_id, incident_id=incident_id, unit_id=TOWN,
                                           approver="principal@town-a-office", role="principal", final=True),
                            subject=incident_id, time=on_time - timedelta(minutes=1))
        forwarded = envelope(ReportForwarded(report_id=report_id, incident_id=incident_id, from_unit_id=TOWN,
                                             to_unit_id=COUNTY), subject=incident_id, time=on_time)
        return approved, forwarded

    out: list[Forgery] = []
    for attack, principal, sign, refusal in (
        ("super user, unsigned", "admin", lambda _t, _v: [], "not by an unnamed producer"),
        ("intake's credentials and signing key (intake compromised)", "intake",
         lambda t, v: infra.signed_headers(t, v, producer="intake"), "not by intake"),
        ("approval's credentials, signed with the attacker's own key", "approval",
         lambda _t, v: signed("approval", own_key, v), "does not carry approval's signature"),
    ):
        for event in approval_pair():
            value = json.dumps(event).encode()
            out.append(Forgery(f"{event['type']}: {attack}", REPORTS, event, infra.kafka_options(principal),
                               sign(event["type"], value), refusal, value))

    moved = envelope(UnitRegistered(unit_id=TOWN, name="伪造单位", level="town",  # type: ignore[arg-type]
                                    kind="general_office", parent_id="rogue-county"), subject=TOWN)
    moved_value = json.dumps(moved).encode()
    out.append(Forgery("UnitRegistered: super user, signed with approval's key", UNITS, moved,
                       infra.kafka_options("admin"), infra.signed_headers("UnitRegistered", moved_value,
                                                                          producer="approval"),
                       "not by approval", moved_value))

    framed = envelope(DeadlineBreached(
        breach_id="forged-breach", incident_id=incident_id, unit_id=COUNTY, obligation="written_report",
        kind="missed", deadline_at=occurred + timedelta(hours=2), detected_at=occurred + timedelta(hours=2),
        policy="forged", suspected_concealment=True), subject=incident_id)
    out.append(Forgery("DeadlineBreached: escalation's credentials, its name, no signature", BREACHES, framed,
                       infra.kafka_options("escalation"), [(PRODUCER_HEADER, b"escalation")],
                       "does not carry escalation's signature"))

    story = Story(unit_id=TOWN, parent_id=COUNTY)
    genuine = story.submitted()
    genuine.update(subject=incident_id, partitionkey=incident_id)
    genuine["data"]["incident_id"] = incident_id
    headers = infra.signed_headers("ReportSubmitted", json.dumps(genuine).encode())
    altered = {**genuine, "data": {**genuine["data"], "reportable": False}}  # changed after intake signed it
    out.append(Forgery("ReportSubmitted: signed by intake, altered after signing", REPORTS, altered,
                       infra.kafka_options("intake"), headers, "does not carry intake's signature"))
    return out


async def publish(infra: Infra, forgery: Forgery) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", **forgery.kafka)
    await producer.start()
    try:
        key = str(forgery.event.get("partitionkey") or forgery.event["subject"]).encode()
        await producer.send_and_wait(forgery.topic, forgery.value, key=key, headers=forgery.headers)
    finally:
        await producer.stop()


def late_report(hours_ago: float, title: str) -> tuple[dict[str, Any], datetime]:
    occurred = (datetime.now(UTC) - timedelta(hours=hours_ago)).replace(microsecond=0)
    return report(occurred_at=occurred.isoformat(), title=title), occurred


async def parked_by(http: httpx.AsyncClient, url: str, admin: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The service's parked records by the sha256 of their bytes."""
    got = await http.get(f"{url}/v1/parked", params={"limit": 1000, "state": "all"}, headers=admin)
    assert got.status_code == 200, got.text
    return {hashlib.sha256(base64.b64decode(row["value_base64"])).hexdigest(): row for row in got.json()["parked"]}


async def refused_by_archive(infra: Infra) -> dict[str, dict[str, Any]]:
    """The archive's ``ArchiveMessageUnreadable`` events marked refused, by the sha256 of the record's bytes."""
    conn = await asyncpg.connect(infra.owner_dsn)
    try:
        rows = await conn.fetch("SELECT body::jsonb -> 'data' AS data FROM archive.events WHERE type ="
                                " 'ArchiveMessageUnreadable' AND (body::jsonb -> 'data' ->> 'refused')::bool")
    finally:
        await conn.close()
    return {d["sha256"]: d for d in (json.loads(r["data"]) for r in rows)}


async def test_forged_approvals_units_and_breaches_are_refused_and_the_late_report_stays_late(
        infra: Infra, stack: Stack) -> None:
    reporter = {"Authorization": f"Bearer {infra.token(unit=TOWN, role='reporter')}"}
    approver = {"Authorization": f"Bearer {infra.token(unit=TOWN, role='approver')}"}
    investigator = {"Authorization": f"Bearer {infra.token(unit=None, role='investigator')}"}
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    urls, hook = stack.urls, stack.webhook
    async with httpx.AsyncClient(timeout=10) as http:
        async def file(title: str) -> tuple[dict[str, Any], datetime]:
            body, occurred = late_report(3, title)
            answer = await http.post(f"{urls['intake']}/v1/reports", json=body, headers=reporter)
            assert answer.status_code == 202, answer.text
            return answer.json(), occurred

        # A canary until the duty room hears of its late breach: escalation's notifier reads the breaches
        # topic from "latest", so only now will it see (and must refuse) a forged breach.
        async def notifier_listening() -> bool:
            if hook.breaches():
                return True
            await file("城关镇307国道两车相撞（哨兵）")
            await asyncio.sleep(3)
            return bool(hook.breaches())

        await until(notifier_listening, "escalation's notifier to deliver a genuine breach", timeout_s=180)

        stack.clock_file.write_text(str(HELD_BACK_S))
        await asyncio.sleep(0.5)  # the due loop reads the file each round (every 0.2 s)
        filed, occurred = await file("城关镇307国道两车相撞（迟报）")
        report_id, incident_id = filed["report_id"], filed["incident_id"]
        forged = forgeries(infra, report_id, incident_id, occurred)
        for forgery in forged:
            await publish(infra, forgery)

        # Every consumer that applies a type refused each forged record of that type, naming why.
        applied_by = {"escalation": {"ReportForwarded", "ReportSubmitted", "UnitRegistered", "DeadlineBreached"},
                      "approval": {"ReportSubmitted", "UnitRegistered"}, "intake": {"UnitRegistered"}}
        for service, types in applied_by.items():
            wanted = {f.sha256: f for f in forged if f.event["type"] in types}

            async def all_parked(url: str = urls[service], wanted: dict[str, Forgery] = wanted
                                 ) -> dict[str, dict[str, Any]] | None:
                parked = await parked_by(http, url, admin)
                return parked if set(wanted) <= set(parked) else None

            parked = await until(all_parked, f"{service} to park the forged records", timeout_s=120)
            for sha, forgery in wanted.items():
                row = parked[sha]
                assert row["error_type"] == "ForbiddenProducer", (service, forgery.attack, row)
                assert forgery.refusal in row["reason"], (service, forgery.attack, row["reason"])
                assert row["topic"] == forgery.topic

        # The archive kept every forged record, in the chain, marked refused, and applied none of them.
        async def all_kept() -> dict[str, dict[str, Any]] | None:
            kept = await refused_by_archive(infra)
            return kept if {f.sha256 for f in forged} <= set(kept) else None

        kept = await until(all_kept, "the archive to keep every forged record as refused")
        for forgery in forged:
            data = kept[forgery.sha256]
            assert data["reason"].startswith("refused: ") and forgery.refusal in data["reason"], forgery.attack
            assert base64.b64decode(data["raw_base64"]) == forgery.value

        shown = await http.get(f"{urls['archive']}/v1/reports/{report_id}", headers=investigator)
        assert shown.status_code == 200, shown.text
        assert shown.json()["status"] == "pending_approval", shown.json()
        queue = await http.get(f"{urls['approval']}/v1/approvals", headers=approver)
        assert report_id in {item["report_id"] for item in queue.json()["items"]}
        for url, path in ((urls["intake"], f"/v1/units/{TOWN}"), (urls["archive"], "/v1/units")):
            got = (await http.get(f"{url}{path}", headers=admin)).json()
            unit = got if "unit_id" in got else next(u for u in got["units"] if u["unit_id"] == TOWN)
            assert unit["parent_id"] == COUNTY, (url, unit)

        async def breaches() -> list[dict[str, Any]]:
            got = await http.get(f"{urls['archive']}/v1/breaches", params={"incident_id": incident_id},
                                 headers=investigator)
            assert got.status_code == 200, got.text
            found: list[dict[str, Any]] = got.json()["breaches"]
            return found

        assert await breaches() == [], "the clock was held back: nothing may be due yet"

        # Escalation's clock put right: the late deadline passed 1 h ago, its clock stayed open, it breaches.
        stack.clock_file.write_text("0")
        found = await until(breaches, "the late breach of the report the forgeries tried to hide")
        assert [(b["unit_id"], b["obligation"], b["kind"]) for b in found] == [(TOWN, "written_report", "late")]

        async def paged() -> bool:
            return any(e["data"]["incident_id"] == incident_id for e in hook.breaches())

        await until(paged, "the duty room to hear of the late breach")
        assert "forged-breach" not in {e["data"]["breach_id"] for e in hook.breaches()}
        assert "forged-breach" not in {b["breach_id"] for b in found}

        for service, url in urls.items():
            health = await http.get(f"{url}/healthz")
            assert health.status_code == 200, (service, health.text)


async def test_the_unit_directory_takes_only_an_admin_and_the_event_names_who_changed_it(
        infra: Infra, stack: Stack) -> None:
    intake = stack.urls["intake"]
    moved = {"name": "伪造单位", "level": "town", "kind": "general_office", "parent_id": "town-b-office"}
    async with httpx.AsyncClient(timeout=10) as http:
        for role in ("reporter", "approver", "principal", "duty_officer", "investigator"):
            token = infra.token(unit=COUNTY, role=role)
            answer = await http.put(f"{intake}/v1/units/{TOWN}", json=moved,
                                    headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 403, (role, answer.text)
        admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin', subject='admin@bureau')}"}
        renamed = {"name": "城关镇办公室", "level": "town", "kind": "general_office", "parent_id": COUNTY}
        assert (await http.put(f"{intake}/v1/units/{TOWN}", json=renamed, headers=admin)).status_code == 200
        assert (await http.get(f"{intake}/v1/units/{TOWN}", headers=admin)).json()["parent_id"] == COUNTY

    async def recorded() -> list[dict[str, Any]]:
        conn = await asyncpg.connect(infra.owner_dsn)
        try:
            rows = await conn.fetch("SELECT body FROM archive.events WHERE type = 'UnitRegistered' AND stream = $1",
                                    TOWN)
        finally:
            await conn.close()
        events = [json.loads(r["body"]) for r in rows]
        return [e for e in events if e["data"]["name"] == "城关镇办公室"]

    [event] = await until(recorded, "the archive to keep the change of the unit")
    assert (event["actor"], event.get("actorunit")) == ("admin@bureau", None)
