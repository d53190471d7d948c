"""The duty board in Debian's Chromium against real escalation, archive, intake and web processes: a duty officer
signs in, sees a breach escalation raised with how long it is overdue and whom to call, clicks 已知悉, and the API
shows who acknowledged it and when; the stream's state reads 实时."""

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import Infra
from tests.e2e.pages.test_browser import browser, shot, shots, signed_in
from tests.integration.pages.scenario import Scenario
from tests.support.services import running_service
from tests.support.web import add_account, web_env

pytestmark = pytest.mark.browser
__all__ = ["browser", "shots"]


@pytest.fixture(scope="module")
def board_web(infra: Infra, archive: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(web, escalation): the pages calling this archive, escalation (已知悉) and intake (accounts' units)."""
    logs = tmp_path_factory.mktemp("board-logs")
    with running_service(infra, "escalation", logs) as escalation, running_service(infra, "intake", logs) as intake, \
            running_service(infra, "web", logs, **web_env(infra, {"archive": archive, "intake": intake,
                                                                  "escalation": escalation})) as web:
        yield web, escalation


@pytest.fixture(scope="module")
def late_incident(infra: Infra, archive: str, board_web: tuple[str, str]) -> tuple[Scenario, str]:
    """A town reported an incident that happened 3 h ago and has not sent it on: escalation breaches it (迟报)."""
    s = Scenario()
    s.unit(s.county, "测试县政府办", "county", "general_office", None)
    s.unit(s.town_a, "城关镇党政办", "town", "general_office", s.county)
    occurred = (datetime.now(UTC) - timedelta(hours=3)).astimezone().isoformat()
    incident, _ = s.submit(s.town_a, occurred, "城关镇化工厂泄漏")
    s.publish(infra)
    return s, incident


def breaches_of(infra: Infra, archive: str, scenario: Scenario, incident: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{archive}/v1/breaches", params={"incident_id": incident}, timeout=10,
                       headers={"Authorization": f"Bearer {infra.token(unit=scenario.county, role='duty_officer')}"})
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["breaches"]
    return found


def test_a_duty_officer_acknowledges_a_breach_on_the_board(
        infra: Infra, archive: str, board_web: tuple[str, str], late_incident: tuple[Scenario, str],
        browser: Browser, shots: Path) -> None:
    web, _ = board_web
    scenario, incident = late_incident
    deadline = time.monotonic() + 30
    while not (found := breaches_of(infra, archive, scenario, incident)):
        assert time.monotonic() < deadline, "escalation raised no breach"
        time.sleep(0.3)
    [breach] = found
    assert breach["acknowledged_by"] is None and breach["acknowledged_at"] is None

    login = f"duty-board-{scenario.suffix}"
    account = login, add_account(infra, web, login, scenario.county, ["duty_officer"], name="值班员丙")
    page = signed_in(browser, web, account, "/")
    expect(page.locator("#live")).to_have_text(re.compile("实时"), timeout=10_000)
    row = page.locator(f'#breaches tr[data-breach="{breach["breach_id"]}"]')
    expect(row).to_contain_text("迟报", timeout=15_000)
    expect(row).to_contain_text(re.compile(r"已超时 (\d+小时)?\d+分"))  # 3 h after, 2 h allowed: about 1 小时
    expect(row.get_by_role("link", name="0871-1234567")).to_have_attribute("href", "tel:0871-1234567")
    expect(row).to_contain_text("李四")
    shot(page, shots, "board-breach")

    row.get_by_role("button", name="已知悉").click()
    expect(row).to_contain_text(re.compile(r"已知悉：值班员丙 \d{4}/\d{1,2}/\d{1,2}"))
    expect(row.get_by_role("button", name="已知悉")).to_have_count(0)
    [acknowledged] = breaches_of(infra, archive, scenario, incident)
    assert acknowledged["acknowledged_by"] == login and acknowledged["acknowledged_by_name"] == "值班员丙"
    at = datetime.fromisoformat(acknowledged["acknowledged_at"])
    assert abs((datetime.now(UTC) - at).total_seconds()) < 60
    expect(page.locator("#live")).to_have_text(re.compile("实时"))
    shot(page, shots, "board-acknowledged")
    page.close()


def test_the_board_mutes_and_remembers_it(board_web: tuple[str, str], late_incident: tuple[Scenario, str],
                                          infra: Infra, browser: Browser) -> None:
    web, _ = board_web
    scenario, _ = late_incident
    login = f"duty-mute-{scenario.suffix}"
    page = signed_in(browser, web, (login, add_account(infra, web, login, scenario.county, ["duty_officer"])), "/")
    mute = page.locator("#mute")
    expect(mute).to_have_attribute("aria-pressed", "false")
    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator("#mute")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#page")).to_contain_text(re.compile(r"第 1 / \d+ 页"))
    page.close()
