"""The trust matrix (contract "Trust boundaries"): role × unit relation × classification × endpoint.

Every case is generated from the rules below — not listed by hand — and run against the real intake,
approval and archive processes on the real broker and database. The caller's unit stands in one of six
relations to the unit the items belong to (a county, "own"): its town ("child"), a station reporting to
the county on the functional channel only ("department_child"), the prefecture ("parent"), the
neighbouring county ("sibling"), and a county of another prefecture ("other_prefecture"). Admin tokens
carry no unit. Reads also vary the token's clearance over every level.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from deploy.web_assets import ensure_echarts
from shared.incident_stats.figures import SHANGHAI, period_of
from tests.conftest import Infra
from tests.support.reports import report
from tests.support.services import running_service

pytestmark = pytest.mark.integration

ORDER = ("public", "internal", "secret", "confidential", "top_secret")  # the contract's words, in its order
ROLES = ("reporter", "approver", "principal", "duty_officer", "investigator", "admin")
RELATIONS = ("own", "child", "department_child", "parent", "sibling", "other_prefecture")
SUBMITTERS = ("reporter", "approver", "principal")
SEE_ALL = ("investigator", "admin")
KINDS = ("initial", "follow_up")
READS = ("report", "history", "incident", "timeline", "board", "approvals")
CALLERS = [(role, relation) for role in ROLES for relation in (("none",) if role == "admin" else RELATIONS)]


# -- the rules, written out ------------------------------------------------------------------------------

def expected_write(role: str, relation: str) -> int:
    """Filing about the county (an initial report located there, or a follow-up on its incident)."""
    if role not in SUBMITTERS:
        return 403
    return 202 if relation in ("own", "parent") else 403  # the county is the caller's unit or below it


def expected_item_write(role: str, relation: str) -> int:
    """Submitting a work-information item written by the county: only the county itself does that."""
    return 202 if role in SUBMITTERS and relation == "own" else 403


def expected_read(endpoint: str, role: str, relation: str, clearance: str, level: str) -> str:
    """What a caller gets of the county's report at ``level``: 403, absent (from a list), full or stub."""
    if role in SEE_ALL:
        in_scope = True
    elif endpoint == "approvals":
        in_scope = relation == "own"  # a unit reads its own queue only
    else:
        in_scope = relation in ("own", "parent")  # the unit's own reports and its subordinates'
    if not in_scope:
        return "absent" if endpoint == "board" else "403"
    return "full" if ORDER.index(clearance) >= ORDER.index(level) else "stub"


# -- the stack -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tree:
    suffix: str

    def unit(self, relation: str) -> str | None:
        return None if relation == "none" else f"{relation.replace('_', '-')}-{self.suffix}"

    @property
    def county(self) -> str:
        return f"own-{self.suffix}"

    def registrations(self) -> list[tuple[str, dict[str, Any]]]:
        """Parents first: (unit id, PUT body)."""
        u, other = self.unit, f"pref2-{self.suffix}"
        office = {"kind": "general_office"}
        return [
            (str(u("parent")), {"name": "州委办", "level": "prefecture", **office}),
            (other, {"name": "外州委办", "level": "prefecture", **office}),
            (self.county, {"name": "县委办", "level": "county", **office, "parent_id": u("parent")}),
            (str(u("sibling")), {"name": "邻县委办", "level": "county", **office, "parent_id": u("parent")}),
            (str(u("other_prefecture")), {"name": "外州某县委办", "level": "county", **office, "parent_id": other}),
            (str(u("child")), {"name": "城关镇党政办", "level": "town", **office, "parent_id": self.county}),
            (str(u("department_child")), {"name": "县应急站", "level": "town", "kind": "department",
                                          "department_parent_id": self.county}),
        ]


@dataclass
class Stack:
    infra: Infra
    urls: dict[str, str]
    tree: Tree
    client: httpx.AsyncClient

    def headers(self, role: str, relation: str, clearance: str = "internal") -> dict[str, str]:
        unit = self.tree.unit(relation)
        token = self.infra.token(unit=unit, role=role, subject=f"{role}@{unit}", clearance=clearance)
        return {"Authorization": f"Bearer {token}"}

    async def submit(self, role: str, relation: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(f"{self.urls['intake']}/v1/reports", json=body,
                                      headers=self.headers(role, relation))


async def until(probe: Any, what: str, timeout_s: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await probe():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


@pytest.fixture(scope="module")
def services(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    ensure_echarts()
    logs: Path = tmp_path_factory.mktemp("logs")
    with running_service(infra, "intake", logs) as intake, running_service(infra, "approval", logs) as approval, \
            running_service(infra, "archive", logs) as archive:
        yield {"intake": intake, "approval": approval, "archive": archive}


@pytest.fixture(scope="module")
async def stack(infra: Infra, services: dict[str, str]) -> AsyncIterator[Stack]:
    tree = Tree(uuid.uuid4().hex[:8])
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=16)) as client:
        s = Stack(infra, services, tree, client)
        admin = s.headers("admin", "none")
        for unit_id, body in tree.registrations():
            r = await client.put(f"{services['intake']}/v1/units/{unit_id}", json=body, headers=admin)
            assert r.status_code in (200, 201), r.text
        names = {unit_id for unit_id, _ in tree.registrations()}

        async def archived() -> bool:
            r = await client.get(f"{services['archive']}/v1/units", headers=admin)
            return names <= {u["unit_id"] for u in r.json()["units"]}

        await until(archived, "the archive to know the units")
        yield s


def county_report(stack: Stack, reporting_unit: str | None, level: str, **changes: Any) -> dict[str, Any]:
    return report(reporting_unit=reporting_unit, classification=level,
                  location={"unit_id": stack.tree.county, "address": "307国道K12处"}, **changes)


# -- writing ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
async def incident(stack: Stack) -> str:
    """An incident located in the county, reported by the county: the one follow-ups are filed on."""
    r = await stack.submit("reporter", "own", county_report(stack, stack.tree.county, "internal"))
    assert r.status_code == 202, r.text
    return str(r.json()["incident_id"])


@pytest.mark.parametrize(("kind", "level"), list(itertools.product(KINDS, ORDER)))
async def test_scope_of_writing(stack: Stack, incident: str, kind: str, level: str) -> None:
    async def one(role: str, relation: str) -> str | None:
        extra = {"kind": kind, "incident_id": incident} if kind == "follow_up" else {}
        got = await stack.submit(role, relation, county_report(stack, stack.tree.unit(relation), level, **extra))
        want = expected_write(role, relation)
        if got.status_code != want:
            return f"{role}/{relation}: {got.status_code}, expected {want}: {got.text[:200]}"
        if want == 403 and got.headers["content-type"] != "application/problem+json":
            return f"{role}/{relation}: 403 without a problem: {got.text[:200]}"
        if want == 403 and role in SUBMITTERS and " / " not in got.json()["detail"]:  # refused for its scope
            return f"{role}/{relation}: 403 not in Chinese and English: {got.text[:200]}"
        return None

    wrong = [w for w in await asyncio.gather(*(one(role, relation) for role, relation in CALLERS)) if w]
    assert not wrong, "\n".join(wrong)
    refused = [str(stack.tree.unit(r)) for r in RELATIONS if expected_write("reporter", r) == 403]
    conn = await asyncpg.connect(stack.infra.owner_dsn)
    try:
        stored = await conn.fetchval("SELECT count(*) FROM intake.submissions WHERE unit_id = ANY($1::text[])",
                                     refused)
    finally:
        await conn.close()
    assert stored == 0, "a refused report was stored (and so published)"


@pytest.mark.parametrize("level", ORDER)
async def test_scope_of_writing_items(stack: Stack, level: str) -> None:
    body = {"reporting_unit": stack.tree.county, "kind": "news", "title": "县里推进秸秆禁烧",
            "body": "全县未发生焚烧。", "author": {"name": "李明"}, "classification": level}

    async def one(role: str, relation: str) -> str | None:
        got = await stack.client.post(f"{stack.urls['intake']}/v1/items", json=body,
                                      headers=stack.headers(role, relation))
        want = expected_item_write(role, relation)
        if got.status_code != want:
            return f"{role}/{relation}: {got.status_code}, expected {want}: {got.text[:200]}"
        if want == 403 and (got.headers["content-type"] != "application/problem+json"
                            or " / " not in got.json()["detail"]):
            return f"{role}/{relation}: 403 not a problem in Chinese and English: {got.text[:200]}"
        return None

    wrong = [w for w in await asyncio.gather(*(one(role, relation) for role, relation in CALLERS)) if w]
    assert not wrong, "\n".join(wrong)
    conn = await asyncpg.connect(stack.infra.owner_dsn)
    try:
        stored = await conn.fetchval("SELECT count(*) FROM intake.item_submissions WHERE unit_id <> $1 AND"
                                     " unit_id LIKE '%' || $2", stack.tree.county, stack.tree.suffix)
    finally:
        await conn.close()
    assert stored == 0, "an item refused for another unit was stored (and so published)"


# -- reading ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    level: str
    report_id: str
    incident_id: str
    title: str
    summary: str


@pytest.fixture(scope="module")
async def items(stack: Stack) -> dict[str, Item]:
    """One report of the county at every level, archived and waiting in the county's queue."""
    made: dict[str, Item] = {}
    for level in ORDER:
        title, summary = f"{level}标题-{stack.tree.suffix}", f"{level}摘要-{stack.tree.suffix}"
        r = await stack.submit("reporter", "own", county_report(stack, stack.tree.county, level, title=title,
                                                                summary=summary))
        assert r.status_code == 202, r.text
        made[level] = Item(level, r.json()["report_id"], r.json()["incident_id"], title, summary)
    admin = stack.headers("admin", "none", "top_secret")

    async def everywhere() -> bool:
        queue = await stack.client.get(f"{stack.urls['approval']}/v1/approvals", headers=admin,
                                       params={"unit_id": stack.tree.county})
        waiting = {i["report_id"] for i in queue.json()["items"]}
        for item in made.values():
            got = await stack.client.get(f"{stack.urls['archive']}/v1/incidents/{item.incident_id}", headers=admin)
            if got.status_code != 200 or item.report_id not in waiting:
                return False
        return True

    await until(everywhere, "every item in the archive and the county's queue")
    return made


async def fetch(stack: Stack, endpoint: str, item: Item, headers: dict[str, str]) -> httpx.Response:
    archive, approval = stack.urls["archive"], stack.urls["approval"]
    url = {"report": f"{archive}/v1/reports/{item.report_id}",
           "history": f"{archive}/v1/reports/{item.report_id}/history",
           "incident": f"{archive}/v1/incidents/{item.incident_id}",
           "timeline": f"{archive}/v1/incidents/{item.incident_id}/timeline",
           "board": f"{archive}/v1/board",
           "approvals": f"{approval}/v1/approvals"}[endpoint]
    params = {"unit_id": stack.tree.county} if endpoint == "approvals" else None
    return await stack.client.get(url, headers=headers, params=params)


def entry(endpoint: str, body: dict[str, Any], item: Item) -> dict[str, Any] | None:
    """The item's own entry in a list (the board's awaiting sign-off, the queue), None when absent."""
    listed = body["awaiting_sign_off"] if endpoint == "board" else body["items"]
    return next((e for e in listed if e["report_id"] == item.report_id), None)


def observed(endpoint: str, got: httpx.Response, item: Item) -> str:
    """403, absent, full or stub — or what is wrong with the answer."""
    if got.status_code == 403 and got.headers["content-type"] == "application/problem+json":
        return "403"
    if got.status_code != 200:
        return f"{got.status_code}: {got.text[:200]}"
    text, body = got.text, got.json()
    if endpoint in ("board", "approvals"):
        found = entry(endpoint, body, item)
        if found is None:
            return "absent" if item.title not in text else "absent from the list, its title shown elsewhere"
        withheld = found.get("withheld") is True
    else:
        withheld = '"withheld":true' in text.replace(" ", "")
    if not withheld:
        return "full" if item.title in text else "neither full nor withheld"
    if item.title in text or item.summary in text:
        return "stub showing the title or text"
    if f'"classification":"{item.level}"' not in text.replace(" ", ""):
        return "stub without its classification"
    return "stub"


@pytest.mark.parametrize(("endpoint", "level"), list(itertools.product(READS, ORDER)))
async def test_classification_and_scope_of_reading(stack: Stack, items: dict[str, Item], endpoint: str,
                                                   level: str) -> None:
    item = items[level]
    gate = asyncio.Semaphore(8)

    async def one(role: str, relation: str, clearance: str) -> str | None:
        async with gate:
            got = await fetch(stack, endpoint, item, stack.headers(role, relation, clearance))
        want, seen = expected_read(endpoint, role, relation, clearance, level), observed(endpoint, got, item)
        return None if seen == want else f"{role}/{relation}/clearance {clearance}: {seen}, expected {want}"

    cases = [(role, relation, clearance) for (role, relation), clearance in itertools.product(CALLERS, ORDER)]
    wrong = [w for w in await asyncio.gather(*(one(*case) for case in cases)) if w]
    assert not wrong, f"{len(wrong)} of {len(cases)} wrong:\n" + "\n".join(wrong)


async def test_the_statistics_and_the_monthly_report_show_no_item(stack: Stack, items: dict[str, Item]) -> None:
    """They are the 公示栏, per unit figures only: no title or text of any report, at any clearance."""
    period = period_of(datetime.now(SHANGHAI))
    for clearance in ORDER:
        headers = stack.headers("duty_officer", "parent", clearance)
        for path in ("/v1/stats/units", "/v1/stats/report"):
            got = await stack.client.get(f"{stack.urls['archive']}{path}", headers=headers, params={"period": period})
            assert got.status_code == 200, got.text
            assert not [i.title for i in items.values() if i.title in got.text or i.summary in got.text]
