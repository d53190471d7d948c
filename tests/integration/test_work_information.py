"""Work information across the services, as a county and its towns and villages use it (issue 19's "done when").

An item written in a village is signed there, adopted by the town's publication, forwarded (转报) and adopted by
the county's, and a county leader writes an instruction (批示) on it; a commissioned request (约稿) is answered by
one of two villages. Real intake, approval, escalation and assessment processes on the session's broker and
database; every expected point is computed from the information pack, not written here.
"""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from shared.information import InfoPack, info_pack_for
from shared.periods import period_containing
from tests.conftest import Infra
from tests.support.services import running_service
from tests.support.units import register_units
from tests.support.waiting import until

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Tree:
    county: str
    town: str
    village: str
    quiet_village: str


@dataclass(frozen=True)
class Stack:
    urls: dict[str, str]
    tree: Tree


@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    logs: Path = tmp_path_factory.mktemp("logs")
    s = uuid.uuid4().hex[:6]
    tree = Tree(f"wi-county-{s}", f"wi-town-{s}", f"wi-village-{s}", f"wi-quiet-{s}")
    with ExitStack() as services:
        urls = {
            name: services.enter_context(running_service(infra, name, logs))
            for name in ("intake", "approval", "escalation", "assessment")
        }
        register_units(
            urls["intake"],
            infra.token(unit=None, role="admin"),
            [
                (tree.county, "county", None),
                (tree.town, "town", tree.county),
                (tree.village, "village", tree.town),
                (tree.quiet_village, "village", tree.town),
            ],
        )
        yield Stack(urls, tree)


async def call(
    infra: Infra, method: str, url: str, unit: str | None, role: str, body: Any = None, **params: str
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {infra.token(unit=unit, role=role)}"}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.request(method, url, json=body, headers=headers, params=params)


async def accepted(
    infra: Infra, method: str, url: str, unit: str | None, role: str, body: Any = None
) -> dict[str, Any]:
    """The 202 answer, retried while the service has not yet heard of what the call names (404/409/422)."""

    async def attempt() -> dict[str, Any] | None:
        r = await call(infra, method, url, unit, role, body)
        assert r.status_code in (202, 404, 409, 422), r.text
        return r.json() if r.status_code == 202 else None

    answer: dict[str, Any] = await until(attempt, f"{method} {url} accepted", timeout_s=20)
    return answer


def item(unit: str, title: str, **extra: Any) -> dict[str, Any]:
    return {
        "reporting_unit": unit,
        "kind": "news",
        "title": title,
        "body": f"{title}。全镇落实到位。",
        "author": {"name": "李明", "phone": "13800000000"},
        "section": "综合科",
        **extra,
    }


async def score_of(infra: Infra, stack: Stack, unit_id: str, period: str, **params: str) -> dict[str, Any]:
    r = await call(
        infra,
        "GET",
        f"{stack.urls['assessment']}/v1/scores",
        stack.tree.county,
        "duty_officer",
        period=period,
        **params,
    )
    assert r.status_code == 200, r.text
    row: dict[str, Any] = next(u for u in r.json()["units"] if u["unit_id"] == unit_id)
    return row


def pack_of(unit_id: str) -> InfoPack:
    return info_pack_for(None, unit_id=unit_id, unit_kind="general_office")


async def test_an_item_travels_up_and_scores_for_its_village_by_the_pack(infra: Infra, stack: Stack) -> None:
    urls, tree = stack.urls, stack.tree
    title = f"村里推进秸秆禁烧 {uuid.uuid4().hex[:4]}"
    item_id = (
        await call(infra, "POST", f"{urls['intake']}/v1/items", tree.village, "reporter", item(tree.village, title))
    ).json()["item_id"]
    items = f"{urls['approval']}/v1/items/{item_id}"
    await accepted(
        infra, "POST", f"{items}/decisions", tree.village, "principal", {"decision": "approve", "comment": "同意"}
    )
    issue = f"2026年第{uuid.uuid4().int % 90 + 10}期"
    town_adoption = await accepted(
        infra, "POST", f"{items}/adoptions", tree.town, "editor", {"publication": "工作简报", "issue": issue}
    )
    month = period_containing(datetime.now(UTC), "month").name

    async def adopted_once() -> bool:
        return bool((await score_of(infra, stack, tree.village, month))["adopted"] == 1)

    await until(adopted_once, "the town's adoption scored")
    before_county = datetime.now(UTC)
    await asyncio.sleep(0.05)
    await accepted(infra, "POST", f"{items}/forwardings", tree.town, "editor")
    await accepted(
        infra, "POST", f"{items}/adoptions", tree.county, "editor", {"publication": "要情快报", "issue": issue}
    )
    await accepted(
        infra, "POST", f"{items}/instructions", tree.county, "principal", {"level": "county", "text": "很好。"}
    )

    pack = pack_of(tree.village)
    town_pub, county_pub = pack.publication("工作简报", "town"), pack.publication("要情快报", "county")
    assert town_pub is not None and county_pub is not None and town_adoption["level"] == "town"

    async def instructed() -> bool:
        return bool((await score_of(infra, stack, tree.village, month))["bonus_points"])

    await until(instructed, "the instruction scored")
    row = await score_of(infra, stack, tree.village, month)
    assert (row["submitted"], row["approved"], row["adopted"]) == (1, 1, 2)
    assert row["adoptions"] == {"工作简报": 1, "要情快报": 1}
    assert row["adoption_points"] == town_pub.points + county_pub.points
    assert row["bonus_points"] == pack.points.instruction["county"]
    assert row["policy"] == pack.ref
    assert row["total"] == row["base_points"] + row["adoption_points"] + row["bonus_points"] - row["penalty_points"]
    quarter, year = period_containing(datetime.now(UTC), "quarter").name, month[:4]
    for longer in (quarter, year):
        wider = await score_of(infra, stack, tree.village, longer)
        assert {k: wider[k] for k in ("submitted", "approved", "adopted", "adoption_points", "bonus_points")} == {
            k: row[k] for k in ("submitted", "approved", "adopted", "adoption_points", "bonus_points")
        }

    then = await score_of(infra, stack, tree.village, month, as_of=before_county.isoformat())
    assert (then["adopted"], then["adoption_points"], then["bonus_points"]) == (1, town_pub.points, 0)

    county_issue = await call(
        infra, "GET", f"{urls['assessment']}/v1/bulletins/要情快报/{issue}", tree.county, "duty_officer", format="pdf"
    )
    assert county_issue.status_code == 200, county_issue.text
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(county_issue.content)).pages)
    assert title.replace(" ", "") in text.replace(" ", "")
    assert "要情快报" in text


async def test_a_request_missed_by_one_of_two_villages_costs_that_village_the_packs_penalty(
    infra: Infra, stack: Stack
) -> None:
    urls, tree = stack.urls, stack.tree
    due = datetime.now(UTC) + timedelta(seconds=6)
    request = await accepted(
        infra,
        "POST",
        f"{urls['approval']}/v1/requests",
        tree.town,
        "editor",
        {"to_units": [tree.village, tree.quiet_village], "topic": "秋收进度", "due_at": due.isoformat()},
    )
    answer = await accepted(
        infra,
        "POST",
        f"{urls['intake']}/v1/items",
        tree.village,
        "reporter",
        item(tree.village, "秋收进度过半", request_id=request["request_id"]),
    )
    await accepted(
        infra,
        "POST",
        f"{urls['approval']}/v1/items/{answer['item_id']}/decisions",
        tree.village,
        "principal",
        {"decision": "approve", "comment": "同意"},
    )
    month = period_containing(due, "month").name
    pack = pack_of(tree.quiet_village)

    async def penalised() -> dict[str, Any] | None:
        row = await score_of(infra, stack, tree.quiet_village, month)
        return row if row["penalty_points"] else None

    quiet = await until(penalised, "the quiet village's missed request scored", timeout_s=30)
    assert quiet["penalty_points"] == pack.points.request_missed and quiet["requests_missed"] == 1
    assert (await score_of(infra, stack, tree.village, month))["requests_missed"] == 0

    notice = await call(infra, "GET", f"{urls['assessment']}/v1/documents/{month}", tree.town, "duty_officer")
    assert notice.status_code == 200, notice.text
    assert tree.quiet_village in notice.text and "约稿" in notice.text
