"""Work from the pages in Debian's Chromium (issue 20, item 2): the report form (报送突发事件), the approval inbox
(待办: 签发, 确认收到), the item form (报送信息). Each journey is done as a person does it — by the contract's
accessible names — and its result checked through the services' API, not the page.

Real intake, approval, archive and web processes on the session's broker and database; the units are registered
through intake as an administrator would.
"""

import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Infra
from tests.e2e.pages.test_browser import browser, shot, shots, sign_in
from tests.integration.pages.fixtures import wait_for
from tests.support.services import running_service
from tests.support.units import register_units
from tests.support.web import add_account, web_env

__all__ = ["browser", "shots"]
pytestmark = pytest.mark.browser
BEIJING = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Stack:
    urls: dict[str, str]
    county: str
    town: str


@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("forms-logs")
    s = uuid.uuid4().hex[:6]
    with ExitStack() as services:
        urls = {name: services.enter_context(running_service(infra, name, logs))
                for name in ("intake", "approval", "archive")}
        urls["web"] = services.enter_context(running_service(infra, "web", logs, **web_env(infra, urls)))
        county, town = f"fm-county-{s}", f"fm-town-{s}"
        register_units(urls["intake"], infra.token(unit=None, role="admin"),
                       [(county, "county", None), (town, "town", county)])
        yield Stack(urls, county, town)


def person(infra: Infra, stack: Stack, unit: str, role: str) -> tuple[str, str]:
    login = f"{role}-{uuid.uuid4().hex[:6]}"
    return login, add_account(infra, stack.urls["web"], login, unit, [role], name=f"{role}甲")


def open_as(browser: Browser, stack: Stack, account: tuple[str, str], path: str,
            viewport: dict[str, int] | None = None) -> Page:
    page = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})  # type: ignore[arg-type]
    page.goto(f"{stack.urls['web']}{path}")
    sign_in(page, *account)
    page.wait_for_url(re.compile(re.escape(path) + "$"))
    return page


def api(infra: Infra, stack: Stack, service: str, path: str, unit: str | None = None,
        role: str = "investigator") -> httpx.Response:
    headers = {"Authorization": f"Bearer {infra.token(unit=unit, role=role)}"}
    return httpx.get(f"{stack.urls[service]}{path}", headers=headers, timeout=10)


def pick(page: Page, label: str, option: str) -> None:
    """An Element Plus select, as a person uses it: open it by its label, click the option."""
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def when(page: Page, label: str, at: datetime) -> None:
    """A date-time picker, typed in Beijing time as the person reads the clock."""
    field = page.get_by_label(label, exact=True)
    field.fill(at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"))
    field.press("Enter")


def fill_report(page: Page, title: str, occurred: datetime, deaths: int = 1) -> None:
    page.get_by_label("标题", exact=True).fill(title)
    pick(page, "类别", "道路交通事故")
    when(page, "发生时间", occurred)
    page.get_by_label("发生地点", exact=True).fill("307国道K12处")
    page.get_by_label("死亡", exact=True).fill(str(deaths))
    page.get_by_label("受伤", exact=True).fill("3")
    page.get_by_label("基本情况", exact=True).fill("两车相撞，1人死亡，3人受伤，伤员已送医。")
    page.get_by_label("签发人", exact=True).fill("张三")
    page.get_by_label("联系人", exact=True).fill("李四")
    page.get_by_label("联系电话", exact=True).fill("0871-1234567")


def in_inbox(page: Page, row: str) -> Any:
    """The inbox row, reloading while the record is still on its way to approval."""
    def shown() -> bool:
        if page.locator(row).count():
            return True
        page.reload()
        page.locator("main h1").wait_for()
        page.wait_for_timeout(500)
        return bool(page.locator(row).count())
    wait_for(shown, timeout_s=30)
    return page.locator(row)


def test_a_report_filled_on_a_phone_is_signed_off_forwarded_and_received(
        infra: Infra, stack: Stack, browser: Browser, shots: Path) -> None:
    reporter = person(infra, stack, stack.town, "reporter")
    page = open_as(browser, stack, reporter, "/report", PHONE)
    fill_report(page, "城关镇307国道两车相撞", datetime.now(UTC) - timedelta(minutes=30))
    shot(page, shots, "report-form-phone")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#answer-report")).to_have_text(re.compile(r"\S"), timeout=15_000)
    report_id = page.locator("#answer-report").inner_text()
    expect(page.locator("#answer-grade")).to_have_text("IV 级")
    expect(page.locator("#answer-deadlines")).to_contain_text(stack.county)
    shot(page, shots, "report-answer-phone")
    page.close()

    archived: dict[str, Any] = {}

    def stored(status: str) -> bool:
        answer = api(infra, stack, "archive", f"/v1/reports/{report_id}")
        archived.update(answer.json() if answer.status_code == 200 else {})
        return archived.get("status") == status
    wait_for(lambda: stored("pending_approval"), timeout_s=30)
    assert archived["title"] == "城关镇307国道两车相撞" if "title" in archived else True

    approver = person(infra, stack, stack.town, "approver")
    page = open_as(browser, stack, approver, "/inbox")
    row = in_inbox(page, f'[data-report="{report_id}"]')
    expect(row).to_contain_text("城关镇307国道两车相撞")
    shot(page, shots, "inbox-todo")
    row.get_by_role("button", name="签发").click()
    expect(page.locator("#inbox-notice")).to_contain_text("已签发", timeout=15_000)
    page.close()
    wait_for(lambda: stored("forwarded"), timeout_s=30)
    assert stack.county in archived["forwarded_to"]

    duty = person(infra, stack, stack.county, "duty_officer")
    page = open_as(browser, stack, duty, "/inbox")
    row = in_inbox(page, f'[data-report="{report_id}"]')
    expect(row.get_by_role("button", name="签发")).to_have_count(0)  # a duty officer signs nothing off
    row.get_by_role("button", name="确认收到").click()
    expect(page.locator("#inbox-notice")).to_contain_text("已确认收到", timeout=15_000)
    page.close()
    forwards = api(infra, stack, "approval", f"/v1/reports/{report_id}/receipts").json()["forwards"]
    to_county = next(f for f in forwards if f["to_unit_id"] == stack.county)
    assert to_county["acknowledged"] is True
    assert to_county["acknowledged_by"] == duty[0]


def test_a_grave_report_shows_its_chain_and_goes_back_with_a_reason(
        infra: Infra, stack: Stack, browser: Browser, shots: Path) -> None:
    """Grade II needs the principal after the approver (two steps, shown); 退回 asks for its reason."""
    reporter = person(infra, stack, stack.town, "reporter")
    page = open_as(browser, stack, reporter, "/report")
    fill_report(page, "城关镇客车侧翻", datetime.now(UTC) - timedelta(minutes=20), deaths=12)
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#answer-grade")).to_have_text("II 级", timeout=15_000)
    report_id = page.locator("#answer-report").inner_text()
    page.close()

    approver = person(infra, stack, stack.town, "approver")
    page = open_as(browser, stack, approver, "/inbox")
    in_inbox(page, f'[data-report="{report_id}"]').get_by_role("button", name="签发").click()
    expect(page.locator("#inbox-notice")).to_contain_text("等待下一步签发", timeout=15_000)
    page.close()

    principal = person(infra, stack, stack.town, "principal")
    page = open_as(browser, stack, principal, "/inbox")
    row = in_inbox(page, f'[data-report="{report_id}"]')
    chain = row.get_by_role("list", name="审签流程")
    expect(chain.get_by_role("listitem")).to_have_count(2)
    expect(chain.get_by_role("listitem").first).to_contain_text("审核人：已同意")
    expect(chain.get_by_role("listitem").last).to_contain_text("主要领导：待签发")
    shot(page, shots, "inbox-chain")
    row.get_by_role("button", name="退回").click()
    page.get_by_role("button", name="确认退回").click()  # without a reason
    expect(page.locator("#error-comment")).to_contain_text(re.compile(r"\S+ / \S+"), timeout=15_000)
    page.get_by_label("退回理由").fill("伤亡人数与医院通报不符，请核实后重报")
    page.get_by_role("button", name="确认退回").click()
    expect(page.locator("#inbox-notice")).to_contain_text("已退回", timeout=15_000)
    page.close()

    def rejected() -> bool:
        answer = api(infra, stack, "archive", f"/v1/reports/{report_id}")
        return answer.status_code == 200 and answer.json().get("status") == "rejected"
    wait_for(rejected, timeout_s=30)


def test_a_future_occurrence_shows_intakes_message_beside_the_field(
        infra: Infra, stack: Stack, browser: Browser, shots: Path) -> None:
    reporter = person(infra, stack, stack.town, "reporter")
    page = open_as(browser, stack, reporter, "/report", PHONE)
    fill_report(page, "未来的事故", datetime.now(UTC) + timedelta(days=2))
    page.get_by_role("button", name="提交").click()
    beside = page.locator("#error-occurred_at")
    expect(beside).to_contain_text("发生时间不能晚于现在", timeout=15_000)
    expect(beside).to_contain_text("the occurrence time is in the future")
    expect(page.locator("#answer")).to_have_count(0)
    beside.scroll_into_view_if_needed()
    shot(page, shots, "report-invalid-phone")
    when(page, "发生时间", datetime.now(UTC) - timedelta(minutes=5))  # changing the field clears its message
    expect(beside).to_have_count(0)
    page.close()


def test_an_item_is_submitted_signed_off_and_reaches_the_upper_units_editor(
        infra: Infra, stack: Stack, browser: Browser, shots: Path) -> None:
    officer = person(infra, stack, stack.town, "reporter")
    page = open_as(browser, stack, officer, "/item", PHONE)
    page.get_by_label("标题", exact=True).fill("城关镇推进秸秆禁烧")
    page.get_by_label("正文", exact=True).fill("城关镇组织干部分片包村，巡查田间地头，全镇未发生露天焚烧秸秆。")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#answer-item")).to_have_text(re.compile(r"^itm-"), timeout=15_000)
    expect(page.locator("#answer-due")).to_contain_text("北京时间")
    item_id = page.locator("#answer-item").inner_text()
    shot(page, shots, "item-answer-phone")
    page.close()

    approver = person(infra, stack, stack.town, "approver")
    page = open_as(browser, stack, approver, "/inbox")
    row = in_inbox(page, f'[data-item="{item_id}"]')
    expect(row.locator(".chain")).to_have_count(0)  # one step: no chain to show
    row.get_by_role("button", name="签发").click()
    expect(page.locator("#inbox-notice")).to_contain_text("已签发", timeout=15_000)
    page.close()

    editor = person(infra, stack, stack.county, "editor")
    page = open_as(browser, stack, editor, "/inbox")
    row = in_inbox(page, f'[data-item="{item_id}"]')
    expect(row).to_contain_text("城关镇推进秸秆禁烧")
    shot(page, shots, "inbox-item-editor")
    row.get_by_role("button", name="确认收到").click()
    expect(page.locator("#inbox-notice")).to_contain_text("已确认收到", timeout=15_000)
    page.get_by_role("tab", name="已办").click()
    expect(page.locator(f'#done-items tr[data-item="{item_id}"]')).to_contain_text("已确认收到")
    page.close()
    item = api(infra, stack, "approval", f"/v1/items/{item_id}").json()
    assert item["state"] == "approved"
    reached = {r["unit_id"]: r for r in item["reached"]}
    assert reached[stack.county]["acknowledged_by"] == editor[0]
