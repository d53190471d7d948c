"""Fixtures shared by the pages' integration and browser tests: one archive process, one scenario."""

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from deploy.web_assets import ensure_echarts
from tests.conftest import Infra
from tests.integration.pages.scenario import PERIOD, Scenario
from tests.support.services import running_service


@pytest.fixture(scope="module")
def archive(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ensure_echarts()
    with running_service(infra, "archive", tmp_path_factory.mktemp("logs")) as url:
        yield url


@pytest.fixture(scope="module")
def scenario(infra: Infra, archive: str) -> Scenario:
    s = Scenario().build()
    s.publish(infra)
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}

    def settled() -> bool:
        """Every figure and every unit (units travel on their own topic, so they may come later)."""
        rows = stats_rows(archive, admin)
        return (rows.get(s.school_b, {}).get("missed") == 1 and rows.get(s.town_a, {}).get("on_time") == 1
                and all(rows.get(unit, {}).get("kind") for unit in s.expected()))

    wait_for(settled, timeout_s=30)
    return s


def stats_rows(archive: str, headers: dict[str, str], period: str = PERIOD) -> dict[str, dict[str, Any]]:
    answer = httpx.get(f"{archive}/v1/stats/units", params={"period": period}, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["period"] == period
    return {r["unit_id"]: r for r in answer.json()["units"]}


def wait_for(check: Callable[[], bool], timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def two_step_incident(infra: Infra, archive: str, scenario: Scenario, headers: dict[str, str]) -> str:
    """An incident stored in two steps (submitted, then forwarded), so a replay can tell them apart."""
    step = Scenario(suffix=scenario.suffix)
    incident, late_at = step.submit(scenario.town_a, "2026-10-25T10:00:00+08:00", "城关镇民房火灾")
    url = f"{archive}/v1/incidents/{incident}/timeline"
    step.publish(infra)
    wait_for(lambda: len(httpx.get(url, headers=headers).json().get("entries", [])) == 1)
    step.events.clear()
    step.forward(incident, scenario.town_a, late_at)
    step.publish(infra)
    wait_for(lambda: len(httpx.get(url, headers=headers).json()["entries"]) == 2)
    return incident
