"""The assessment service on the real broker and database: signed item events for a village/town/county tree in
2025, then ``/v1/scores`` for a month, a quarter and the year, with every expected point added up from the pack.

One module fixture publishes the whole story (as intake, approval and escalation would) and waits until the
service recorded every fact; the tests then read the scores. Ids are unique to the run, so other tests' units
on the same broker change nothing here.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka.structs import RecordMetadata

from shared.information import InfoPack, info_pack_for
from shared.topics import ITEMS
from tests.conftest import Infra
from tests.integration.assessment.support import (
    Publisher,
    Tree,
    adopted,
    approved,
    beijing,
    envelope,
    forwarded,
    instructed,
    quota_missed,
    rejected,
    request_missed,
    submitted,
)
from tests.support.services import running_service
from tests.support.waiting import until

pytestmark = pytest.mark.integration

STORED = " UNION ALL ".join(f"SELECT event_id FROM assessment.{t}" for t in (
    "units", "submissions", "approvals", "adoptions", "instructions", "missed_requests", "quota_misses"))


@dataclass
class Story:
    tree: Tree
    pack: InfoPack
    url: str
    headers: dict[str, str]
    star: str  # the village's item that is adopted twice and instructed on
    town_need: int
    village_need: int
    bad_record: RecordMetadata
    owner: asyncpg.Connection
    infra: Infra


def quota_min(pack: InfoPack, unit_id: str, level: str, period: str) -> int:
    [quota] = [q for q in pack.quotas_for(unit_id=unit_id, kind="general_office", level=level)
               if q.per == "unit" and q.period == period]
    return quota.min


@pytest.fixture(scope="module")
def assessment(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs: Path = tmp_path_factory.mktemp("assessment-logs")
    with running_service(infra, "assessment", logs) as url:
        yield url


async def wait_stored(owner: asyncpg.Connection, event_ids: list[str]) -> None:
    async def stored() -> bool:
        n = await owner.fetchval(f"SELECT count(*) FROM ({STORED}) f WHERE event_id = ANY($1::text[])", event_ids)
        return bool(n == len(event_ids))
    await until(stored, f"assessment to record {len(event_ids)} facts", timeout_s=60)


@pytest.fixture(scope="module")
async def story(infra: Infra, assessment: str) -> AsyncIterator[Story]:
    tree = Tree()
    pack = info_pack_for(unit_id=tree.village, unit_kind="general_office")
    town_need = quota_min(pack, tree.town, "town", "month")
    village_need = quota_min(pack, tree.village, "village", "quarter")
    publisher = Publisher(infra)
    await publisher.producer.start()
    owner = await asyncpg.connect(infra.owner_dsn)
    stored: list[str] = []

    async def publish(*envelopes: Any, keep: bool = True) -> None:
        await publisher.publish(*envelopes)
        if keep:
            stored.extend(e.id for e in envelopes)

    await publish(*(envelope(u, key=u.unit_id, at=beijing("2025-01-02 09:00")) for u in tree.units()))
    for i in range(town_need):  # the town meets November's quota exactly
        item = f"itm-{uuid.uuid4()}"
        await publish(submitted(item, tree.town, beijing(f"2025-11-03 09:{i:02d}")),
                      approved(item, tree.town, beijing(f"2025-11-03 10:{i:02d}")))
    for i in range(village_need - 5):  # the village: most of its quarter in October …
        item = f"itm-{uuid.uuid4()}"
        await publish(submitted(item, tree.village, beijing(f"2025-10-10 09:{i:02d}")),
                      approved(item, tree.village, beijing(f"2025-10-10 10:{i:02d}")))
    star = f"itm-{uuid.uuid4()}"
    for i in range(4):  # … and five in November, the last of them the star (submitted in October)
        item = f"itm-{uuid.uuid4()}"
        await publish(submitted(item, tree.village, beijing(f"2025-11-05 09:{i:02d}")),
                      approved(item, tree.village, beijing(f"2025-11-05 10:{i:02d}")))
    first = [submitted(star, tree.village, beijing("2025-10-31 20:00")),
             approved(star, tree.village, beijing("2025-10-31 23:00"), final=False),  # a first step: not counted
             approved(star, tree.village, beijing("2025-11-01 08:00"))]
    await publish(first[0])
    await publisher.publish(first[1])
    await publish(first[2])
    await publisher.publish(*first)  # redelivered: the same events again
    await publisher.publish(approved(star, tree.village, beijing("2025-12-02 09:00")))  # a second final sign-off
    refused = f"itm-{uuid.uuid4()}"
    await publish(submitted(refused, tree.village, beijing("2025-11-06 09:00")))
    await publisher.publish(rejected(refused, tree.village, beijing("2025-11-06 10:00")),
                            forwarded(star, tree.village, tree.village, tree.town, beijing("2025-11-01 08:00")))
    await publisher.publish(adopted(star, tree.village, tree.county, "增刊", "county", beijing("2025-11-25 10:00")),
                            signed_by="intake")  # a forged adoption: set aside, worth nothing
    bad = await publisher.raw(ITEMS, b"\xff not an event", key=star)  # malformed, ahead of the adoptions
    await publish(adopted(star, tree.village, tree.county, "要情快报", "county", beijing("2025-11-20 10:00")),
                  adopted(star, tree.village, tree.prefecture, "政务信息", "prefecture", beijing("2025-11-22 10:00")),
                  instructed(star, tree.village, tree.county, "county", beijing("2025-11-23 10:00")),
                  request_missed(tree.town2, beijing("2025-11-15 18:00")),
                  quota_missed(tree.village, "2025-Q3", village_need, beijing("2025-10-01 00:10")))
    await wait_stored(owner, stored)
    yield Story(tree, pack, assessment, {"Authorization": f"Bearer {infra.token(unit=tree.town, role='reporter')}"},
                star, town_need, village_need, bad, owner, infra)
    await owner.close()
    await publisher.producer.stop()


async def scores(story: Story, period: str, **params: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as client:
        got = await client.get(f"{story.url}/v1/scores", params={"period": period, **params}, headers=story.headers)
    assert got.status_code == 200, got.text
    body: dict[str, Any] = got.json()
    return body


def rows(body: dict[str, Any], story: Story) -> dict[str, dict[str, Any]]:
    return {r["unit_id"]: r for r in body["units"] if r["unit_id"] in story.tree.mine()}


def points(pack: InfoPack, publication: str, level: str) -> int:
    listed = pack.publication(publication, level)
    assert listed is not None
    return listed.points


async def test_november_scores_follow_the_pack(story: Story) -> None:
    pack, tree = story.pack, story.tree
    body = await scores(story, "2025-11")
    assert body["period"] == "2025-11" and body["policy"] in (pack.ref, None)
    got = rows(body, story)
    base = pack.points.base_per_month
    town = got[tree.town]
    assert (town["submitted"], town["approved"], town["quota"], town["quota_met"]) == (
        story.town_need, story.town_need, story.town_need, True)
    assert (town["base_points"], town["total"], town["policy"]) == (base, base, pack.ref)
    village = got[tree.village]
    adoption = points(pack, "要情快报", "county") + points(pack, "政务信息", "prefecture")
    bonus = pack.points.instruction["county"]
    # four submitted in November and the rejected one (the star was submitted in October, signed in November)
    assert (village["submitted"], village["approved"], village["adopted"]) == (5, 5, 2)
    assert (village["quota"], village["quota_met"]) == (None, None)  # its quota is a quarter's
    assert village["adoptions"] == {"要情快报": 1, "政务信息": 1}
    assert village["adoptions_by_level"] == {"county": {"要情快报": 1}, "prefecture": {"政务信息": 1}}
    assert (village["base_points"], village["adoption_points"], village["bonus_points"]) == (base, adoption, bonus)
    assert village["total"] == base + adoption + bonus
    town2 = got[tree.town2]
    assert (town2["penalty_points"], town2["total"], town2["quota_met"]) == (
        pack.points.request_missed, -pack.points.request_missed, False)
    assert got[tree.county]["total"] == 0 and got[tree.county]["quota"] is None
    assert got[tree.village]["rank"] < got[tree.town]["rank"] < got[tree.county]["rank"] < got[tree.town2]["rank"]


async def test_the_quarter_and_the_year_agree_with_the_months(story: Story) -> None:
    pack, tree = story.pack, story.tree
    months = [rows(await scores(story, m), story) for m in ("2025-10", "2025-11", "2025-12")]
    quarter = rows(await scores(story, "2025-Q4"), story)
    quarters = [rows(await scores(story, f"2025-Q{n}"), story) for n in range(1, 5)]
    year_body = await scores(story, "2025")
    year = rows(year_body, story)
    summed = ("submitted", "approved", "adopted", "base_points", "adoption_points", "bonus_points", "penalty_points",
              "total")
    for unit in tree.mine():
        for name in summed:
            assert quarter[unit][name] == sum(m[unit][name] for m in months), (unit, name)
            assert year[unit][name] == sum(q[unit][name] for q in quarters), (unit, name)
    base = pack.points.base_per_month
    assert [m[tree.village]["base_points"] for m in months] == [base] * 3  # each month of a quarter that met it
    assert (quarter[tree.village]["quota"], quarter[tree.village]["quota_met"]) == (story.village_need, True)
    # the star counts in November, where its final sign-off fell: not in October (its first step), nor in
    # December (a second final sign-off)
    assert [m[tree.village]["approved"] for m in months] == [story.village_need - 5, 5, 0]
    assert months[0][tree.village]["submitted"] == story.village_need - 5 + 1
    assert (quarter[tree.town]["quota"], quarter[tree.town]["quota_met"]) == (3 * story.town_need, False)
    assert (year[tree.village]["quota"], year[tree.village]["quota_met"]) == (4 * story.village_need, False)
    assert year[tree.town]["quota"] == 12 * story.town_need
    for unit in tree.mine():
        assert year[unit]["grade"] == pack.grade_of(year[unit]["total"]).model_dump()
        assert year[unit]["zeroed"] is False
    assert year[tree.village]["quotas_missed"] == [{"period": "2025-Q3", "quota": story.village_need, "counted": 0,
                                                    "kinds": None, "policy": pack.ref}]
    assert "grade" not in quarter[tree.village]


async def test_as_of_before_an_adoption_scores_without_it(story: Story) -> None:
    pack, tree = story.pack, story.tree
    before = rows(await scores(story, "2025-11", as_of="2025-11-20T09:59:59+08:00"), story)[tree.village]
    between = rows(await scores(story, "2025-11", as_of="2025-11-21T02:00:00Z"), story)[tree.village]
    now = rows(await scores(story, "2025-11"), story)[tree.village]
    assert (before["adopted"], before["adoption_points"], before["bonus_points"]) == (0, 0, 0)
    assert (between["adopted"], between["adoption_points"]) == (1, points(pack, "要情快报", "county"))
    assert now["total"] - before["total"] == now["adoption_points"] + now["bonus_points"]
    early = rows(await scores(story, "2025", as_of="2025-10-31T00:00:00+08:00"), story)
    assert early[tree.town]["approved"] == 0 and early[tree.village]["approved"] == story.village_need - 5


async def test_a_score_taken_now_is_given_again_by_as_of_after_a_late_adoption(story: Story) -> None:
    pack, tree = story.pack, story.tree
    taken = await scores(story, "2025")
    late = adopted(story.star, tree.village, tree.county, "政务信息", "county", beijing("2025-12-01 09:00"),
                   recorded=datetime.now(UTC))  # entered late: recorded after the score was taken
    publisher = Publisher(story.infra)
    await publisher.producer.start()
    try:
        await publisher.publish(late)
    finally:
        await publisher.producer.stop()
    await wait_stored(story.owner, [late.id])
    after = rows(await scores(story, "2025"), story)
    assert after[tree.village]["adoption_points"] == rows(taken, story)[tree.village]["adoption_points"] + points(
        pack, "政务信息", "county")
    replayed = await scores(story, "2025", as_of=taken["as_of"])
    assert replayed["as_of"] == taken["as_of"]

    def without_rank(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {u: {k: v for k, v in r.items() if k != "rank"} for u, r in rows(body, story).items()}
    assert without_rank(replayed) == without_rank(taken)


async def parked(story: Story) -> list[dict[str, Any]]:
    admin = {"Authorization": f"Bearer {story.infra.token(unit=None, role='admin')}"}
    async with httpx.AsyncClient(timeout=10) as client:
        got = await client.get(f"{story.url}/v1/parked", params={"state": "all", "limit": 1000}, headers=admin)
    assert got.status_code == 200, got.text
    found: list[dict[str, Any]] = got.json()["parked"]
    return found


async def test_a_malformed_record_is_set_aside_and_the_next_applied(story: Story) -> None:
    """The adoptions behind the bad record on its partition were recorded (the fixture waited for them)."""
    bad = story.bad_record
    [row] = [p for p in await parked(story) if (p["topic"], p["partition"], p["offset"]) == (
        bad.topic, bad.partition, bad.offset)]
    assert row["consumer"] == "assessment-facts" and row["id"].startswith("assessment-")
    assert row["value_base64"] and row["state"] == "parked"


async def test_a_forged_adoption_is_set_aside_and_earns_nothing(story: Story) -> None:
    forged = [p for p in await parked(story) if p["error_type"] == "ForbiddenProducer" and story.star in (
        p["value_text"] or "")]
    assert len(forged) == 1 and "ItemAdopted may be made only by approval" in forged[0]["reason"]
    village = rows(await scores(story, "2025-11"), story)[story.tree.village]
    assert "增刊" not in village["adoptions"]


async def test_the_board_counts_and_adoptions_by_publication(story: Story) -> None:
    tree = story.tree
    async with httpx.AsyncClient(timeout=10) as client:
        board = (await client.get(f"{story.url}/v1/board", params={"period": "2025-11"}, headers=story.headers)).json()
        token = story.headers["Authorization"].removeprefix("Bearer ")
        page = await client.get(f"{story.url}/v1/board", params={"period": "2025-11", "format": "html",
                                                                 "token": token})
    mine = {r["unit_id"]: r for r in board["units"] if r["unit_id"] in tree.mine()}
    assert mine[tree.village] == {"unit_id": tree.village, "name": f"{tree.village} 办公室", "submitted": 5,
                                  "approved": 5, "adopted": 2, "adoptions": {"要情快报": 1, "政务信息": 1}}
    assert (mine[tree.town]["approved"], mine[tree.town]["adopted"]) == (story.town_need, 0)
    assert {"要情快报", "政务信息"} <= set(board["publications"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'data-unit="{tree.village}"' in page.text and "2025年11月信息报送公示栏" in page.text


@pytest.mark.parametrize("params", [{"period": "2025-13"}, {"period": "2025-Q0"}, {"period": "twenty"},
                                    {"period": "2025", "as_of": "2025-11-20T10:00:00"},
                                    {"period": "2025", "as_of": "yesterday"}])
async def test_a_bad_period_or_as_of_is_a_bilingual_422(story: Story, params: dict[str, str]) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        got = await client.get(f"{story.url}/v1/scores", params=params, headers=story.headers)
    assert got.status_code == 422 and got.headers["content-type"] == "application/problem+json"
    body = got.json()
    assert " / " in body["detail"] and body["errors"][0]["field"] in ("period", "as_of")


async def test_scores_need_a_token_but_no_particular_role(story: Story) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        anonymous = await client.get(f"{story.url}/v1/scores", params={"period": "2025"})
        clerk = {"Authorization": f"Bearer {story.infra.token(unit=story.tree.town2, role='reporter')}"}
        other = await client.get(f"{story.url}/v1/scores", params={"period": "2025"}, headers=clerk)
    assert anonymous.status_code == 401
    assert other.status_code == 200 and story.tree.village in {r["unit_id"] for r in other.json()["units"]}
