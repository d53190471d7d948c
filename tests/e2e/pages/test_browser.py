"""The pages in Debian's Chromium (Playwright, never a downloaded browser): live board, replay slider, charts.

Each test saves a screenshot: to docs/screenshots/ (the docs show them) when
BAOSONG_SCREENSHOTS=docs, else to pytest's temporary folder, so a test run leaves the tree clean.
"""

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from deploy.web_assets import ensure_browser
from tests.conftest import Infra
from tests.integration.pages.fixtures import two_step_incident
from tests.integration.pages.scenario import PERIOD, Scenario

pytestmark = pytest.mark.browser
DOCS_SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = ensure_browser()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium),
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


def signed_in(browser: Browser, archive: str, token: str, path: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{archive}/")
    page.fill("#signin input[name=token]", token)
    page.click("#signin button")
    page.wait_for_load_state()
    if path != "/":
        page.goto(f"{archive}{path}")
    return page


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("BAOSONG_SCREENSHOTS") == "docs":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SHOTS
    return tmp_path_factory.mktemp("screenshots")


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"))


def test_board_receives_a_breach_live(infra: Infra, archive: str, scenario: Scenario, browser: Browser,
                                      shots: Path) -> None:
    page = signed_in(browser, archive, infra.token(unit=scenario.county, role="duty_officer"), "/")
    expect(page.locator("#live")).to_contain_text("●", timeout=10_000)
    expect(page.locator("#breaches tr.breach").first).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    live = Scenario(suffix=scenario.suffix)
    breach = live.breach(f"inc-live-{scenario.suffix}", scenario.town_a, "missed", datetime.now(UTC))
    live.publish(infra)
    row = page.locator(f'#breaches tr[data-breach="{breach.data["breach_id"]}"]')
    expect(row).to_be_visible(timeout=15_000)
    expect(row).to_contain_text("漏报")
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    shot(page, shots, "board")
    page.close()


def test_slider_replays_the_incident(infra: Infra, archive: str, scenario: Scenario, browser: Browser,
                                      shots: Path) -> None:
    token = infra.token(unit=scenario.county, role="duty_officer")
    incident = two_step_incident(infra, archive, scenario, {"Authorization": f"Bearer {token}"})
    page = signed_in(browser, archive, token, f"/incidents/{incident}")
    timeline = page.locator("#timeline li")
    expect(timeline).to_have_count(2, timeout=10_000)
    expect(page.locator("#knew tr")).to_have_count(2)
    page.locator("#slider").fill("0")
    expect(timeline).to_have_count(1, timeout=10_000)
    expect(page.locator("#knew tr")).to_have_count(1)
    expect(page.locator('#reports td[data-status="pending_approval"]')).to_have_text("待签发")
    page.locator("#slider").fill("1")
    expect(timeline).to_have_count(2, timeout=10_000)
    expect(page.locator('#reports td[data-status="forwarded"]')).to_have_text("已转报")
    expect(page.locator("#knew tr")).to_have_count(2)
    shot(page, shots, "incident")
    page.close()


def test_statistics_page_shows_charts(infra: Infra, archive: str, scenario: Scenario, browser: Browser,
                                      shots: Path) -> None:
    page = signed_in(browser, archive, infra.token(unit=scenario.town_a, role="reporter"), f"/stats?period={PERIOD}")
    expect(page.locator(f'#ranking tr[data-unit="{scenario.school_b}"]')).to_contain_text("县第一中学", timeout=10_000)
    expect(page.locator("#rate-chart canvas")).to_have_count(1)
    expect(page.locator("#trend-chart canvas")).to_have_count(1)
    rows = page.locator("#ranking tr")
    assert rows.count() >= 3
    shot(page, shots, "stats")
    page.goto(archive + (page.locator("#report-html").get_attribute("href") or ""))
    expect(page.locator(f'#units tr[data-unit="{scenario.school_b}"] td.missed')).to_have_text("1")
    expect(page.locator("#rate-chart svg")).to_have_count(1)
    expect(page.locator("#problems")).to_contain_text("漏报")
    shot(page, shots, "report")
    page.close()
