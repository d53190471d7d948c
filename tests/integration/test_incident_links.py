"""Issue 17, items 3–5 and 9, through the HTTP APIs of the four services as real processes on the real broker and
database: every time answered at +08:00, reopening as an event, two incidents linked as one (one set of
obligations, the duplicate's breach superseded, never deleted; suggestions only), and a decision posted the
moment intake answers 202 never meeting a 404."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.offset import CHINA
from tests.conftest import Infra
from tests.support.reports import report
from tests.support.services import running_service

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def services(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    logs: Path = tmp_path_factory.mktemp("links-logs")
    with running_service(infra, "intake", logs) as intake, running_service(infra, "archive", logs) as archive, \
            running_service(infra, "escalation", logs) as escalation, \
            running_service(infra, "approval", logs) as approval:
        yield {"intake": intake, "approval": approval, "escalation": escalation, "archive": archive}


@dataclass(frozen=True)
class Units:
    county: str
    police: str
    town: str


@pytest.fixture
def units(infra: Infra, services: dict[str, str]) -> Units:
    """A county, its police bureau (a department) and a town under both, registered at intake and known to all."""
    s = uuid.uuid4().hex[:8]
    u = Units(f"county-{s}", f"police-{s}", f"town-{s}")
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    for unit_id, level, kind, parent, dept in ((u.county, "county", "general_office", None, None),
                                               (u.police, "county", "department", u.county, None),
                                               (u.town, "town", "general_office", u.county, u.police)):
        body = {"name": unit_id, "level": level, "kind": kind, "parent_id": parent, "department_parent_id": dept}
        assert httpx.put(f"{services['intake']}/v1/units/{unit_id}", json=body, headers=admin,
                         timeout=10).status_code == 201
    time.sleep(2)  # the contract: a unit is usable by every service within 2 s
    return u


def auth(infra: Infra, unit: str | None, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {infra.token(unit=unit, role=role)}"}


def eventually(get: Callable[[], httpx.Response], ok: Callable[[Any], bool], timeout_s: float = 20) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        r = get()
        if r.status_code == 200 and ok(r.json()):
            return r.json()
        assert time.monotonic() < deadline, r.text
        time.sleep(0.2)


TIME_NAMES = {"time", "at", "as_of", "since", "now"}


def times_not_at_plus_eight(doc: Any, path: str = "") -> list[str]:
    """Every time in ``doc`` (a member named ``…_at``, ``time`` …) that is not stated at +08:00."""
    out: list[str] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            here = f"{path}.{key}"
            if isinstance(value, str) and (key.endswith("_at") or key in TIME_NAMES) and len(value) >= 16:
                try:
                    parsed = datetime.fromisoformat(value)
                except ValueError:
                    continue
                if parsed.tzinfo is not None and not value.endswith("+08:00"):
                    out.append(f"{here}={value}")
            else:
                out += times_not_at_plus_eight(value, here)
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out += times_not_at_plus_eight(value, f"{path}[{i}]")
    return out


def submit(services: dict[str, str], infra: Infra, unit: str, **changes: Any) -> httpx.Response:
    body = report(**{"reporting_unit": unit, "location": {"unit_id": changes.pop("location", unit), "address": "x"},
                     **changes})
    return httpx.post(f"{services['intake']}/v1/reports", json=body, headers=auth(infra, unit, "reporter"),
                      timeout=15)


def ago(**delta: float) -> str:
    return (datetime.now(CHINA) - timedelta(**delta)).isoformat()


def test_every_time_the_apis_answer_is_at_plus_eight(infra: Infra, services: dict[str, str], units: Units) -> None:
    answer = submit(services, infra, units.town, occurred_at=ago(hours=3))
    assert answer.status_code == 202, answer.text
    first = answer.json()
    assert times_not_at_plus_eight(first) == [], first
    assert first["receipt"]["received_at"].endswith("+08:00")
    item = httpx.post(f"{services['intake']}/v1/items", headers=auth(infra, units.town, "reporter"), timeout=15, json={
        "reporting_unit": units.town, "kind": "news", "title": "城关镇推进秸秆禁烧", "body": "全镇未发生露天焚烧秸秆。",
        "author": {"name": "李明", "phone": "13800000000"}, "section": None,
        "happened_on": datetime.now(CHINA).date().isoformat(), "classification": "internal"})
    assert item.status_code == 202 and times_not_at_plus_eight(item.json()) == [], item.text
    report_id, incident_id = first["report_id"], first["incident_id"]
    decided = httpx.post(f"{services['approval']}/v1/reports/{report_id}/decisions", json={"decision": "approve"},
                         headers=auth(infra, units.town, "approver"), timeout=15)
    assert decided.status_code == 202, decided.text
    receipt = httpx.post(f"{services['approval']}/v1/reports/{report_id}/receipts",
                         headers=auth(infra, units.county, "duty_officer"), timeout=15)
    assert receipt.status_code == 202, receipt.text
    assert receipt.json()["acknowledged_at"].endswith("+08:00")
    reader = auth(infra, units.county, "duty_officer")
    archive = services["archive"]
    breaches = eventually(lambda: httpx.get(f"{archive}/v1/breaches", params={"incident_id": incident_id},
                                            headers=reader), lambda d: len(d["breaches"]) >= 1)
    eventually(lambda: httpx.get(f"{archive}/v1/reports/{report_id}", headers=reader),
               lambda d: d["status"] == "forwarded")
    reads = [breaches] + [httpx.get(f"{archive}{path}", headers=reader).json() for path in (
        f"/v1/reports/{report_id}", f"/v1/reports/{report_id}/history", f"/v1/incidents/{incident_id}",
        f"/v1/incidents/{incident_id}/timeline", f"/v1/incidents/{incident_id}/knowledge")]
    assert [times_not_at_plus_eight(doc) for doc in reads] == [[]] * len(reads)
    as_of = httpx.get(f"{archive}/v1/incidents/{incident_id}", params={"as_of": datetime.now(CHINA).isoformat()},
                      headers=reader).json()
    assert times_not_at_plus_eight(as_of) == [] and as_of["as_of"].endswith("+08:00")


def test_reopening_a_closed_incident_is_an_event_on_its_timeline(infra: Infra, services: dict[str, str],
                                                                 units: Units) -> None:
    first = submit(services, infra, units.town).json()
    incident = first["incident_id"]
    more = {"kind": "final", "incident_id": incident}
    assert submit(services, infra, units.town, **more).status_code == 202
    reopened = submit(services, infra, units.town, **{**more, "kind": "follow_up"}, reopen=True,
                      reopen_reason="发现新的遇难者")
    assert reopened.status_code == 202 and reopened.json()["reopened"] is True, reopened.text
    reader = auth(infra, units.town, "reporter")
    url = f"{services['archive']}/v1/incidents/{incident}"
    timeline = eventually(lambda: httpx.get(f"{url}/timeline", headers=reader),
                          lambda d: any(e["type"] == "IncidentReopened" for e in d["entries"]))
    types = [e["type"] for e in timeline["entries"] if e["type"] in ("ReportSubmitted", "IncidentReopened")]
    assert types == ["ReportSubmitted", "ReportSubmitted", "IncidentReopened", "ReportSubmitted"]
    entry = next(e for e in timeline["entries"] if e["type"] == "IncidentReopened")
    assert entry["details"]["reason"] == "发现新的遇难者"
    assert entry["details"]["report_id"] == reopened.json()["report_id"]
    state = eventually(lambda: httpx.get(url, headers=reader), lambda d: len(d["reports"]) == 3)
    assert state["status"] == "open" and [r["reason"] for r in state["reopenings"]] == ["发现新的遇难者"]


def test_linked_incidents_share_one_set_of_obligations_and_the_duplicates_breach_is_superseded(
        infra: Infra, services: dict[str, str], units: Units) -> None:
    """The contract's example: one homicide reported by the county police and later by the town opens two
    incidents and two late breaches; linked, one set of obligations remains and the duplicate's breach is
    superseded — kept, flagged, on both incident pages and in the breach list."""
    occurred = ago(hours=10, seconds=-25)  # late (2 h) long passed; missed (10 h) due in 25 s
    homicide = {"category": "case.homicide", "title": "某村发生一起杀人案件", "occurred_at": occurred,
                "casualties": {"deaths": 1, "injured": 0}, "location": units.town}
    by_police = submit(services, infra, units.police, **homicide)
    assert by_police.status_code == 202, by_police.text
    by_town = submit(services, infra, units.town, **{**homicide, "title": "本镇一村民被杀害"})
    primary, duplicate = by_police.json()["incident_id"], by_town.json()["incident_id"]
    archive, officer = services["archive"], auth(infra, units.county, "duty_officer")

    def breaches(incident: str) -> httpx.Response:
        return httpx.get(f"{archive}/v1/breaches", params={"incident_id": incident}, headers=officer)

    for incident in (primary, duplicate):
        eventually(lambda incident=incident: breaches(incident), lambda d: [b["kind"] for b in d["breaches"]]
                   == ["late"])
    suggested = httpx.get(f"{archive}/v1/incidents/{primary}/link-suggestions", headers=officer).json()
    assert [s["incident_id"] for s in suggested["suggestions"]] == [duplicate] and suggested["window_hours"] == 2

    links = f"{services['intake']}/v1/incidents/{primary}/links"
    body = {"duplicate_id": duplicate, "reason": "同一起杀人案，公安与镇分别报送"}
    assert httpx.post(links, json=body, headers=auth(infra, units.county, "reporter")).status_code == 403
    itself = httpx.post(links, json={**body, "duplicate_id": primary}, headers=officer)
    assert itself.status_code == 422 and [e["field"] for e in itself.json()["errors"]] == ["duplicate_id"]
    assert httpx.post(f"{services['intake']}/v1/incidents/inc-none/links", json=body,
                      headers=officer).status_code == 404
    linked = httpx.post(links, json=body, headers=officer)
    assert linked.status_code == 202, linked.text
    assert (linked.json()["primary_id"], linked.json()["duplicate_id"]) == (primary, duplicate)
    again = httpx.post(links, json=body, headers=officer)
    assert again.status_code == 202 and again.json() == linked.json()
    backwards = httpx.post(f"{services['intake']}/v1/incidents/{duplicate}/links",
                           json={**body, "duplicate_id": primary}, headers=officer)
    assert backwards.status_code == 409 and " / " in backwards.json()["detail"], backwards.text

    superseded = eventually(lambda: breaches(duplicate), lambda d: all(b["superseded"] for b in d["breaches"]))
    assert [(b["kind"], b["superseded_by"]) for b in superseded["breaches"]] == [("late", primary)]
    assert [b["superseded"] for b in breaches(primary).json()["breaches"]] == [False]
    dup_page = httpx.get(f"{archive}/v1/incidents/{duplicate}", headers=officer).json()
    primary_page = httpx.get(f"{archive}/v1/incidents/{primary}", headers=officer).json()
    assert dup_page["linked_to"]["incident_id"] == primary and dup_page["breaches"][0]["superseded"] is True
    assert [x["incident_id"] for x in primary_page["links"]] == [duplicate]
    assert {o["status"] for o in dup_page["obligations"]} <= {"superseded", "late", "met"}
    dup_types = [e["type"] for e in httpx.get(f"{archive}/v1/incidents/{duplicate}/timeline",
                                              headers=officer).json()["entries"]]
    assert "IncidentsLinked" in dup_types and "BreachSuperseded" in dup_types
    assert "IncidentsLinked" in [e["type"] for e in httpx.get(f"{archive}/v1/incidents/{primary}/timeline",
                                                              headers=officer).json()["entries"]]
    assert httpx.get(f"{archive}/v1/incidents/{primary}/link-suggestions",
                     headers=officer).json()["suggestions"] == []

    # One set of obligations: at 10 h the primary's obligation is missed; the duplicate's never fires.
    eventually(lambda: breaches(primary), lambda d: "missed" in [b["kind"] for b in d["breaches"]], timeout_s=60)
    time.sleep(3)
    assert [b["kind"] for b in breaches(duplicate).json()["breaches"]] == ["late"]


def test_suggestions_need_the_same_category_place_and_time_window(infra: Infra, services: dict[str, str],
                                                                  units: Units) -> None:
    base = {"category": "accident.fire", "casualties": {"deaths": 1, "injured": 0}}
    first = submit(services, infra, units.town, occurred_at=ago(hours=1), **base).json()["incident_id"]
    near = submit(services, infra, units.town, occurred_at=ago(minutes=30), **base).json()["incident_id"]
    submit(services, infra, units.town, occurred_at=ago(hours=4), **base)  # outside 2 h
    submit(services, infra, units.town, occurred_at=ago(hours=1), **{**base, "category": "accident.road_traffic"})
    reader = auth(infra, units.town, "reporter")
    eventually(lambda: httpx.get(f"{services['archive']}/v1/incidents/{near}", headers=reader), lambda d: True)
    got = eventually(lambda: httpx.get(f"{services['archive']}/v1/incidents/{first}/link-suggestions",
                                       headers=reader), lambda d: len(d["suggestions"]) >= 1)
    assert [(s["incident_id"], s["apart_minutes"]) for s in got["suggestions"]] == [(near, 30.0)]


async def test_a_decision_posted_the_moment_intake_answers_never_meets_404(infra: Infra, services: dict[str, str],
                                                                         units: Units) -> None:
    """50 pairs at once: POST a report to intake, and on its 202 at once POST the approver's decision."""
    reporter, approver = auth(infra, units.town, "reporter"), auth(infra, units.town, "approver")

    async def pair(client: httpx.AsyncClient, n: int) -> httpx.Response:
        body = report(reporting_unit=units.town, location={"unit_id": units.town, "address": f"K{n}"})
        accepted = await client.post(f"{services['intake']}/v1/reports", json=body, headers=reporter)
        assert accepted.status_code == 202, accepted.text
        return await client.post(f"{services['approval']}/v1/reports/{accepted.json()['report_id']}/decisions",
                                 json={"decision": "approve"}, headers=approver)

    async with httpx.AsyncClient(timeout=60) as client:
        answers = await asyncio.gather(*(pair(client, n) for n in range(50)))
        unknown = await client.post(f"{services['approval']}/v1/reports/rpt-{uuid.uuid4()}/decisions",
                                    json={"decision": "approve"}, headers=approver)
    statuses = sorted({a.status_code for a in answers})
    assert set(statuses) <= {202, 409}, [a.text for a in answers if a.status_code not in (202, 409)][:3]
    for refused in (a for a in answers if a.status_code == 409):
        assert int(refused.headers["Retry-After"]) >= 1 and " / " in refused.json()["detail"]
    print(f"50 pairs: {sum(a.status_code == 202 for a in answers)} × 202, "
          f"{sum(a.status_code == 409 for a in answers)} × 409")
    assert unknown.status_code == 404 and " / " in unknown.json()["detail"], unknown.text
