"""The pages in Debian's Chromium (Playwright, never a downloaded browser): signing in and out, lock-out, CSRF,
live board, replay slider, charts. The pages are served by web, which calls the archive as the signed-in person.

Each test saves a screenshot: to docs/screenshots/ (the docs show them) when
BAOSONG_SCREENSHOTS=docs, else to pytest's temporary folder, so a test run leaves the tree clean.
"""

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from deploy.web_assets import ensure_browser
from tests.conftest import Infra
from tests.integration.pages.fixtures import two_step_incident
from tests.integration.pages.scenario import PERIOD, Scenario
from tests.support.web import add_account

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


def sign_in(page: Page, login: str, password: str) -> None:
    """As a person does it: the fields labelled 账号 and 密码, and the button 登录."""
    page.get_by_label("账号").fill(login)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def signed_in(browser: Browser, web: str, account: tuple[str, str], path: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{web}{path}")  # not signed in: the sign-in page, which comes back here after
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    sign_in(page, *account)
    page.wait_for_url(f"{web}{path}")
    return page


@pytest.fixture(scope="module")
def duty_officer(infra: Infra, web: str, scenario: Scenario) -> tuple[str, str]:
    login = f"duty-{scenario.suffix}"
    return login, add_account(infra, web, login, scenario.county, ["duty_officer"], name="值班员甲")


@pytest.fixture(scope="module")
def reporter(infra: Infra, web: str, scenario: Scenario) -> tuple[str, str]:
    login = f"reporter-{scenario.suffix}"
    return login, add_account(infra, web, login, scenario.town_a, ["reporter"], name="报送员乙")


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("BAOSONG_SCREENSHOTS") == "docs":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SHOTS
    return tmp_path_factory.mktemp("screenshots")


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"))


def test_board_receives_a_breach_live(infra: Infra, web: str, scenario: Scenario, browser: Browser,
                                      duty_officer: tuple[str, str], shots: Path) -> None:
    page = signed_in(browser, web, duty_officer, "/")
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


def test_slider_replays_the_incident(infra: Infra, archive: str, web: str, scenario: Scenario, browser: Browser,
                                     duty_officer: tuple[str, str], shots: Path) -> None:
    token = infra.token(unit=scenario.county, role="duty_officer")
    incident = two_step_incident(infra, archive, scenario, {"Authorization": f"Bearer {token}"})
    page = signed_in(browser, web, duty_officer, f"/incidents/{incident}")
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


def test_statistics_page_shows_charts(web: str, scenario: Scenario, browser: Browser, reporter: tuple[str, str],
                                      shots: Path) -> None:
    page = signed_in(browser, web, reporter, f"/stats?period={PERIOD}")
    expect(page.locator(f'#ranking tr[data-unit="{scenario.school_b}"]')).to_contain_text("县第一中学", timeout=10_000)
    expect(page.locator("#rate-chart canvas")).to_have_count(1)
    expect(page.locator("#trend-chart canvas")).to_have_count(1)
    rows = page.locator("#ranking tr")
    assert rows.count() >= 3
    shot(page, shots, "stats")
    page.goto(web + (page.locator("#report-html").get_attribute("href") or ""))
    expect(page.locator(f'#units tr[data-unit="{scenario.school_b}"] td.missed')).to_have_text("1")
    expect(page.locator("#rate-chart svg")).to_have_count(1)
    expect(page.locator("#problems")).to_contain_text("漏报")
    shot(page, shots, "report")
    page.close()


def test_signing_in_shows_the_duty_board_and_signing_out_ends_the_session(
        web: str, browser: Browser, duty_officer: tuple[str, str], shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{web}/")
    expect(page.get_by_label("账号")).to_be_visible()
    shot(page, shots, "signin")
    sign_in(page, *duty_officer)
    page.wait_for_url(f"{web}/")
    expect(page.locator("header #who")).to_contain_text("值班员甲", timeout=10_000)
    expect(page.locator("#live")).to_contain_text("●", timeout=10_000)
    cookie = next(c for c in page.context.cookies() if c["name"] == "baosong_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # the page's scripts cannot read the session
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/signin$"))
    assert not [c for c in page.context.cookies() if c["name"] == "baosong_session"]
    page.goto(f"{web}/")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2F$"))
    page.close()


def test_five_wrong_passwords_lock_the_login_and_the_page_says_until_when(
        infra: Infra, web: str, scenario: Scenario, browser: Browser, shots: Path) -> None:
    login = f"locked-{scenario.suffix}"
    password = add_account(infra, web, login, scenario.county, ["duty_officer"])
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{web}/signin")
    for left in (4, 3, 2, 1):
        sign_in(page, login, "wrong-password")
        expect(page.get_by_role("alert")).to_contain_text(f"还可尝试 {left} 次")
    sign_in(page, login, "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("账号已锁定")
    expect(page.get_by_role("alert")).to_contain_text("请于北京时间")
    shot(page, shots, "signin-locked")
    sign_in(page, login, password)  # the right password, too soon
    expect(page.get_by_role("alert")).to_contain_text("账号已锁定")
    assert page.url.endswith("/signin")
    page.close()


def test_a_change_without_the_csrf_token_is_refused(web: str, browser: Browser, reporter: tuple[str, str]) -> None:
    page = signed_in(browser, web, reporter, "/")
    status = page.evaluate("""async () => (await fetch('/api/intake/v1/reports', {method: 'POST',
        headers: {'content-type': 'application/json'}, body: '{}'})).status""")
    assert status == 403
    with_token = page.evaluate("""async () => {
        const me = await (await fetch('/v1/session')).json();
        return (await fetch('/api/intake/v1/reports', {method: 'POST', body: '{}',
          headers: {'content-type': 'application/json', 'X-CSRF-Token': me.csrf_token}})).status; }""")
    assert with_token == 422  # past the CSRF check: intake itself names the missing fields
    page.close()
