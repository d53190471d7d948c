"""The demo's work information: contract-shaped items of every kind, and the demo tree's editorial desks."""

import random
from datetime import UTC, date, datetime

from deploy.demo.item_desk import children_of, editorial, publications_of
from deploy.demo.items import (
    INSTRUCTION_LEVELS,
    Request,
    authors_of,
    ground_of,
    issue_of,
    make_item,
    on_arrival,
    sign_off,
)
from deploy.units import DEMO_TREE, read_tree
from shared.information import info_pack_for
from shared.item import Item


def test_demo_items_are_contract_shaped_chinese_and_of_every_kind() -> None:
    rng = random.Random(3)
    today = date(2026, 12, 6)
    kinds = set()
    for _ in range(200):
        body = make_item(rng, "town-a-office", "城关镇党政办", today)
        item = Item.model_validate(body)
        kinds.add(item.kind)
        assert "城关镇" in item.title and "党政办" not in item.title
        assert item.author.model_dump() in authors_of("town-a-office") and item.author.phone.startswith("13")
        assert item.happened_on is not None and 0 <= (today - item.happened_on).days <= 1
        assert item.request_id is None
    assert kinds == {"news", "brief", "long", "opinion", "newmedia"}
    request = Request("req-1", "秋冬季森林防火")
    answer = Item.model_validate(make_item(rng, "village-a1", "东村村民委员会", today, request))
    assert answer.request_id == "req-1" and "秋冬季森林防火" in answer.title
    assert authors_of("village-a1") == authors_of("village-a1") != authors_of("village-a2")
    grounds = {"甲县党委办公室": "甲县", "城关镇党政办": "城关镇", "东村村民委员会": "东村",
               "河湾村民委员会": "河湾村", "州公安局": "州公安局"}
    assert {name: ground_of(name) for name in grounds} == grounds


def test_most_items_are_signed_off_and_a_sent_back_one_says_why() -> None:
    rng = random.Random(5)
    decisions = [sign_off(rng) for _ in range(200)]
    rejected = [d for d in decisions if d["decision"] == "reject"]
    assert 0 < len(rejected) < 60 and all(d["comment"] for d in rejected)
    assert {d["decision"] for d in decisions} == {"approve", "reject"}


def test_issue_numbers_are_weekly_in_beijing_time() -> None:
    assert issue_of(datetime(2026, 11, 5, 3, tzinfo=UTC)) == "2026年第45期"
    assert issue_of(datetime(2026, 12, 31, 17, tzinfo=UTC)) == "2027年第1期"  # 01:00 on New Year's Day in Beijing


def test_the_demo_trees_editorial_desks_adopt_only_into_their_levels_publications() -> None:
    tree = read_tree(DEMO_TREE)
    desks = {u for u, unit in tree.items() if editorial(u, unit)}
    # every general office that receives items has editors; villages, departments and the school do not
    assert desks == {"pref-office", "county-x-office", "county-y-office", "town-a-office", "town-b-office",
                     "town-c-office"}
    for unit_id in desks:
        unit = tree[unit_id]
        pack = info_pack_for(unit_id=unit_id, unit_kind=unit.kind)
        names = publications_of(unit_id, unit)
        assert names and all(pack.publication(name, unit.level) for name in names)
    assert publications_of("town-a-office", tree["town-a-office"]) == ["工作简报"]
    # every writer's main channel reaches a desk: each signed-off item can be adopted somewhere
    assert all(unit.parent_id in desks for unit in tree.values() if unit.parent_id)
    assert set(children_of(tree, "county-x-office")) >= {"town-a-office", "town-b-office", "county-x-gongan"}
    rng = random.Random(9)
    arrivals = [on_arrival(rng, publications=["工作简报"], can_forward=True, level="town") for _ in range(100)]
    assert {a.adopt_into for a in arrivals} == {"工作简报", None}
    assert any(a.forward for a in arrivals) and not any(a.instruct for a in arrivals)
    assert not any(on_arrival(rng, publications=[], can_forward=False, level="county").forward for _ in range(20))
    assert "county" in INSTRUCTION_LEVELS and "town" not in INSTRUCTION_LEVELS
