"""已知悉: ``POST /v1/breaches/{breach_id}/acknowledgements`` on a real escalation process, its BreachAcknowledged
on the real broker, and the archive (a real process) showing who acknowledged and when."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from shared.auth import mint_token
from shared.producers import ProducerKeys
from shared.topics import REPORTS, UNITS
from tests.conftest import Infra
from tests.integration.escalation.conftest import wait_units
from tests.integration.escalation.support import Kafka, Watcher, breaches_of, now, report_submitted, unit_registered
from tests.support.services import running_service

pytestmark = pytest.mark.integration

TOWN, COUNTY, CITY, OTHER = "ack-town", "ack-county", "ack-city", "ack-other-county"


@pytest.fixture(scope="module")
async def services(infra: Infra, tmp_path_factory: pytest.TempPathFactory, kafka: Kafka,
                   owner_db: asyncpg.Connection) -> AsyncIterator[tuple[str, str]]:
    """(escalation, archive) URLs, over a town below a county below a city, and a county elsewhere."""
    logs = tmp_path_factory.mktemp("acknowledgements") / "logs"
    await kafka.publish(UNITS, unit_registered(CITY, level="prefecture"),
                        unit_registered(COUNTY, level="county", parent_id=CITY),
                        unit_registered(TOWN, parent_id=COUNTY), unit_registered(OTHER, level="county"))
    with running_service(infra, "escalation", logs) as escalation, running_service(infra, "archive", logs) as archive:
        await wait_units(owner_db, CITY, COUNTY, TOWN, OTHER)
        yield escalation, archive


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=20) as client:
        yield client


def bearer(infra: Infra, unit: str | None, role: str = "duty_officer", **claims: str) -> dict[str, str]:
    token = mint_token((infra.keys / "jwt.pem").read_bytes(), subject=claims.get("subject", f"{role}@{unit}"),
                       unit=unit, roles=[role], name=claims.get("name"))
    return {"Authorization": f"Bearer {token}"}


async def breach_of_late_report(kafka: Kafka, watcher: Watcher) -> dict[str, Any]:
    """The town reports an incident 3 h after it happened: escalation breaches it at once (迟报)."""
    incident = f"ack-{uuid.uuid4()}"
    await kafka.publish(REPORTS, report_submitted(incident, unit=TOWN, occurred_at=now() - timedelta(hours=3)))
    [breach] = await watcher.wait_for(breaches_of(incident), within=15)
    return dict(breach["data"])


async def until(fetch: Any, done: Any, within: float = 15) -> Any:
    for _ in range(int(within / 0.2)):
        answer = await fetch()
        if done(answer):
            return answer
        await asyncio.sleep(0.2)
    raise AssertionError(f"not so within {within}s: {answer}")


async def test_a_duty_officer_above_acknowledges_once_and_everyone_who_sees_it_sees_who_and_when(
        infra: Infra, services: tuple[str, str], kafka: Kafka, watcher: Watcher, http: httpx.AsyncClient) -> None:
    escalation, archive = services
    breach = await breach_of_late_report(kafka, watcher)
    url = f"{escalation}/v1/breaches/{breach['breach_id']}/acknowledgements"

    outside = await http.post(url, headers=bearer(infra, OTHER))  # a county that does not see the breach
    assert outside.status_code == 403
    below = await http.post(url, headers=bearer(infra, TOWN, "reporter"))  # the right unit, not a duty officer
    assert below.status_code == 403 and below.headers["content-type"].startswith("application/problem+json")
    assert "值班员" in below.json()["detail"] and "duty officer" in below.json()["detail"]
    unknown = await http.post(f"{escalation}/v1/breaches/no-such-breach/acknowledgements",
                              headers=bearer(infra, COUNTY))
    assert unknown.status_code == 404 and "no-such-breach" in unknown.json()["detail"]
    assert (await http.post(url)).status_code == 401

    before = now()
    first = await http.post(url, headers=bearer(infra, COUNTY, subject="zhangwei", name="张伟"))
    assert first.status_code == 201, first.text
    ack = first.json()
    assert {k: ack[k] for k in ("breach_id", "incident_id", "unit_id", "acknowledged_by", "acknowledged_by_name",
                                "acknowledged_by_unit")} == {
        "breach_id": breach["breach_id"], "incident_id": breach["incident_id"], "unit_id": TOWN,
        "acknowledged_by": "zhangwei", "acknowledged_by_name": "张伟", "acknowledged_by_unit": COUNTY}
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(ack["acknowledged_at"]) <= now()

    again = await http.post(url, headers=bearer(infra, TOWN, subject="lisi", name="李四"))  # the breached unit
    assert again.status_code == 200 and again.json() == ack

    events = await watcher.wait_for(lambda e: e["type"] == "BreachAcknowledged"
                                    and e["data"]["breach_id"] == breach["breach_id"])
    await asyncio.sleep(1)
    [event] = watcher.matching(lambda e: e["type"] == "BreachAcknowledged"
                               and e["data"]["breach_id"] == breach["breach_id"])
    assert event is events[0] and event["data"] == ack and event["partitionkey"] == breach["incident_id"]
    value, headers = event["_record"]
    assert ProducerKeys.load(infra.producer_keys).check("BreachAcknowledged", value, headers) == "escalation"

    async def breaches(unit: str) -> dict[str, Any]:
        answer = await http.get(f"{archive}/v1/breaches", params={"incident_id": breach["incident_id"]},
                           headers=bearer(infra, unit))
        assert answer.status_code == 200, answer.text
        [only] = answer.json()["breaches"]
        return dict(only)

    for unit in (CITY, TOWN):  # above and the breached unit itself
        seen = await until(lambda unit=unit: breaches(unit), lambda b: b["acknowledged_by"] is not None)
        assert (seen["acknowledged_by"], seen["acknowledged_at"]) == ("zhangwei", ack["acknowledged_at"])
        assert seen["acknowledged_by_name"] == "张伟"
    board = (await http.get(f"{archive}/v1/board", headers=bearer(infra, COUNTY))).json()
    [shown] = [b for b in board["breaches"] if b["breach_id"] == breach["breach_id"]]
    assert shown["acknowledged_by_name"] == "张伟" and shown["acknowledged_at"] == ack["acknowledged_at"]
    assert shown["contact"] == {"name": "李四", "phone": "0871-1234567"}  # the town's report's contact


async def test_concurrent_acknowledgements_make_one_event_and_all_answer_with_it(
        infra: Infra, services: tuple[str, str], kafka: Kafka, watcher: Watcher) -> None:
    escalation, _ = services
    breach = await breach_of_late_report(kafka, watcher)
    url = f"{escalation}/v1/breaches/{breach['breach_id']}/acknowledgements"
    async with httpx.AsyncClient(timeout=20) as client:
        answers = await asyncio.gather(*[
            client.post(url, headers=bearer(infra, unit, subject=f"officer-{i}"))
            for i, unit in enumerate([TOWN, COUNTY, CITY, TOWN, COUNTY, CITY])])
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.text for a in answers}) == 1
    await asyncio.sleep(2)
    assert len(watcher.matching(lambda e: e["type"] == "BreachAcknowledged"
                                and e["data"]["breach_id"] == breach["breach_id"])) == 1


async def test_the_board_pages_through_every_breach(infra: Infra, services: tuple[str, str], kafka: Kafka,
                                                    watcher: Watcher, http: httpx.AsyncClient) -> None:
    _, archive = services
    for _ in range(3):
        await breach_of_late_report(kafka, watcher)
    headers = bearer(infra, TOWN)
    async def board(**params: int) -> dict[str, Any]:
        answer = await http.get(f"{archive}/v1/board", params=params, headers=headers)
        return dict(answer.json())

    total = (await until(board, lambda b: b["breaches_total"] >= 3))["breaches_total"]
    pages = [(await board(breaches_offset=o, breaches_limit=2))["breaches"] for o in range(0, total, 2)]
    ids = [b["breach_id"] for page in pages for b in page]
    assert len(ids) == len(set(ids)) == total
    positions = [b["position"] for page in pages for b in page]
    assert positions == sorted(positions, reverse=True)  # newest first across pages
    bad = await http.get(f"{archive}/v1/board", params={"breaches_limit": 0}, headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "breaches_limit"
