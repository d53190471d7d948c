"""Sign-off chains and 责任倒查 through the HTTP APIs of intake, approval, escalation and archive, all real
processes on the real broker and database. A town is assigned the ``county-full-chain`` pack (drafter →
section head → leader in charge → principal) by ``by_unit`` in a copy of the packs (BAOSONG_PACKS_DIR); the test
moves escalation's clock past a step's hold and past the written-report deadline while the report waits
for the leader in charge."""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.policy import PACKS_DIR
from tests.conftest import Infra
from tests.integration.escalation.support import ServiceClock
from tests.support.reports import report
from tests.support.services import running_service

pytestmark = pytest.mark.integration

SUFFIX = uuid.uuid4().hex[:8]
COUNTY, TOWN, PLAIN_TOWN = f"chain-county-{SUFFIX}", f"chain-town-{SUFFIX}", f"plain-town-{SUFFIX}"
DRAFTER, SECTION_HEAD, LEADER, PRINCIPAL = "李明", "科长王五", "副镇长赵六", "镇长钱七"


@dataclass
class Stack:
    urls: dict[str, str]
    clock: ServiceClock
    infra: Infra

    def headers(self, role: str, subject: str | None = None, unit: str | None = TOWN) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.infra.token(unit=unit, role=role, subject=subject)}"}

    def decide(self, report_id: str, role: str, subject: str, unit: str = TOWN, **body: Any) -> httpx.Response:
        return httpx.post(f"{self.urls['approval']}/v1/reports/{report_id}/decisions",
                          json={"decision": "approve", "comment": "同意", **body},
                          headers=self.headers(role, subject, unit), timeout=10)

    def read(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.urls['archive']}{path}", headers=self.headers("investigator", "inv", None),
                         timeout=10)


@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home = tmp_path_factory.mktemp("chains")
    packs = home / "packs"
    shutil.copytree(PACKS_DIR, packs)
    (packs / "assignments.yaml").write_text(f"default: county-2h-10h\nby_unit: {{{TOWN}: county-full-chain}}\n"
                           "by_kind: {school: school-2h}\n", encoding="utf-8")
    clock = ServiceClock(home / "clock")
    env = {"BAOSONG_PACKS_DIR": str(packs)}
    logs: Path = home / "logs"
    with ExitStack() as stack:
        urls = {name: stack.enter_context(running_service(infra, name, logs, **env))
                for name in ("intake", "approval", "archive")}
        urls["escalation"] = stack.enter_context(running_service(
            infra, "escalation", logs, BAOSONG_CLOCK_FILE=str(clock.path), **env))
        admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
        for unit_id, level, parent in ((COUNTY, "county", None), (TOWN, "town", COUNTY), (PLAIN_TOWN, "town", COUNTY)):
            body = {"name": unit_id, "level": level, "kind": "general_office", "parent_id": parent}
            assert httpx.put(f"{urls['intake']}/v1/units/{unit_id}", json=body, headers=admin,
                             timeout=10).status_code in (200, 201)
        yield Stack(urls, clock, infra)


def eventually(get: Callable[[], httpx.Response], ok: Callable[[Any], bool], what: str, timeout_s: float = 30) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        r = get()
        if r.status_code in (200, 202) and ok(r.json()):
            return r.json()
        assert time.monotonic() < deadline, f"{what}: {r.status_code} {r.text[:2000]}"
        time.sleep(0.2)


def submit(stack: Stack, unit: str, occurred_at: datetime) -> dict[str, Any]:
    body = report(reporting_unit=unit, location={"unit_id": unit, "address": "307国道K12处"},
                  occurred_at=occurred_at.isoformat())
    answer = httpx.post(f"{stack.urls['intake']}/v1/reports", json=body, timeout=10,
                        headers=stack.headers("reporter", DRAFTER, unit))
    assert answer.status_code == 202, answer.text
    result: dict[str, Any] = answer.json()
    return result


def queued(stack: Stack, report_id: str, unit: str = TOWN) -> Callable[[], httpx.Response]:
    return lambda: httpx.get(f"{stack.urls['approval']}/v1/approvals", timeout=10,
                             headers=stack.headers("approver", "clerk", unit))


def in_queue(report_id: str) -> Callable[[Any], bool]:
    return lambda doc: any(i["report_id"] == report_id for i in doc["items"])


def overdue_steps(stack: Stack, incident_id: str, count: int) -> list[tuple[Any, ...]]:
    """The incident's StepOverdue reminders, once there are ``count`` (report, unit, step, stage, roles)."""
    doc = eventually(lambda: stack.read(f"/v1/incidents/{incident_id}/timeline"),
                     lambda d: sum(e["type"] == "StepOverdue" for e in d["entries"]) >= count, "StepOverdue")
    found = [e["details"] for e in doc["entries"] if e["type"] == "StepOverdue"]
    return [(r["report_id"], r["unit_id"], r["step"], r["stage"], r["roles"]) for r in found]


def test_the_four_step_chain_runs_and_a_breach_names_who_held_it(stack: Stack) -> None:
    occurred = datetime.now(UTC) - timedelta(minutes=90)  # the written report is late at +2 h: 30 min from now
    first = submit(stack, TOWN, occurred)
    assert first["policy"] == "county-full-chain@1"
    report_id, incident_id = first["report_id"], first["incident_id"]
    eventually(queued(stack, report_id), in_queue(report_id), "the report in the town's queue")

    # the section head holds it longer than the pack's 20 minutes: that step's own reminder
    stack.clock.set(datetime.now(UTC) + timedelta(minutes=20, seconds=5))
    assert overdue_steps(stack, incident_id, 1) == [(report_id, TOWN, 1, "section_head", ["section_head"])]

    # the chain's order: not the reporter, not the leader before the section head
    assert stack.decide(report_id, "reporter", DRAFTER).status_code == 403
    early = stack.decide(report_id, "leader", LEADER)
    assert early.status_code == 409 and "科室负责人审核" in early.json()["detail"]
    step_1 = stack.decide(report_id, "section_head", SECTION_HEAD)
    assert step_1.status_code == 202, step_1.text
    assert (step_1.json()["state"], step_1.json()["step"], step_1.json()["stage"]) == ("awaiting_leader", 1,
                                                                                       "section_head")
    assert step_1.json()["waiting_for"]["roles"] == ["leader"]
    assert stack.decide(report_id, "section_head", SECTION_HEAD).status_code == 409  # its step is decided

    # the leader in charge holds it 20 minutes from the section head's decision: the leader's step is reminded
    stack.clock.set(datetime.now(UTC) + timedelta(minutes=20, seconds=5))
    assert overdue_steps(stack, incident_id, 2)[1] == (report_id, TOWN, 2, "leader", ["leader"])

    # the deadline passes while the leader in charge holds it
    stack.clock.set(occurred + timedelta(hours=2, seconds=1))
    breaches = eventually(lambda: stack.read(f"/v1/breaches?incident_id={incident_id}"),
                          lambda doc: any(b["kind"] == "late" for b in doc["breaches"]), "the late breach")
    [late] = [b for b in breaches["breaches"] if b["kind"] == "late" and b["obligation"] == "written_report"]
    responsible = late["responsible"]
    assert responsible["unit_id"] == TOWN
    assert [(p["subject"], p["role"], p["stage"], p["step"], p["held"]) for p in responsible["persons"]] == [
        (DRAFTER, "reporter", "drafter", None, False),
        (SECTION_HEAD, "section_head", "section_head", 1, False),
        (None, "leader", "leader", 2, True),
    ]
    eventually(lambda: stack.read(f"/v1/incidents/{incident_id}"),
               lambda doc: any(b.get("responsible") == responsible for b in doc["breaches"]), "on the incident")

    # the chain runs to its end: the leader, then the principal signs and the report goes up
    step_2 = stack.decide(report_id, "leader", LEADER)
    assert (step_2.json()["state"], step_2.json()["step"]) == ("awaiting_principal", 2), step_2.text
    step_3 = stack.decide(report_id, "principal", PRINCIPAL)
    assert (step_3.json()["state"], step_3.json()["forwarded_to"]) == ("signed", [COUNTY]), step_3.text
    history = eventually(lambda: stack.read(f"/v1/reports/{report_id}/history"),
                         lambda doc: any(e["type"] == "ReportForwarded" for e in doc["events"]), "the forward")
    approvals = [e["data"] for e in history["events"] if e["type"] == "ReportApproved"]
    assert [(a["approver"], a["role"], a["step"], a["stage"], a["final"]) for a in approvals] == [
        (SECTION_HEAD, "section_head", 1, "section_head", False), (LEADER, "leader", 2, "leader", False),
        (PRINCIPAL, "principal", 3, "principal", True)]


def test_in_an_emergency_the_principal_passes_over_the_steps_the_pack_lets_them(stack: Stack) -> None:
    second = submit(stack, TOWN, datetime.now(UTC) - timedelta(minutes=5))
    report_id = second["report_id"]
    eventually(queued(stack, report_id), in_queue(report_id), "the report in the town's queue")
    refused = stack.decide(report_id, "principal", PRINCIPAL)
    assert refused.status_code == 409  # not without saying it is an emergency
    passed = stack.decide(report_id, "principal", PRINCIPAL, skip_steps=True)
    assert passed.status_code == 202, passed.text
    assert (passed.json()["state"], passed.json()["skipped"], passed.json()["forwarded_to"]) == (
        "signed", ["section_head", "leader"], [COUNTY])


def test_the_default_pack_keeps_one_step_and_names_the_approver_who_held_it(stack: Stack) -> None:
    stack.clock.set(datetime.now(UTC))
    occurred = datetime.now(UTC) - timedelta(minutes=100)
    plain = submit(stack, PLAIN_TOWN, occurred)
    assert plain["policy"] == "county-2h-10h@1"
    incident_id = plain["incident_id"]
    eventually(queued(stack, plain["report_id"], PLAIN_TOWN), in_queue(plain["report_id"]), "queued")
    assert stack.decide(plain["report_id"], "section_head", "x", PLAIN_TOWN).status_code == 403
    stack.clock.set(occurred + timedelta(hours=2, seconds=1))
    breaches = eventually(lambda: stack.read(f"/v1/breaches?incident_id={incident_id}"),
                          lambda doc: any(b["kind"] == "late" for b in doc["breaches"]), "the late breach")
    [late] = [b for b in breaches["breaches"] if b["obligation"] == "written_report"]
    assert [(p["subject"], p["stage"], p["held"]) for p in late["responsible"]["persons"]] == [
        (DRAFTER, "drafter", False), (None, "approver", True)]
