"""Units: registration and update events, the unknown-parent rule, the demo tree and its loader order."""

from __future__ import annotations

import json

import pytest

from deploy.units import DEMO_TREE, read_tree
from services.intake.domain.units import UnitIn, directory_faults, tree_order
from shared.topics import UNITS
from tests.unit.intake.conftest import App


async def test_update_publishes_unit_registered_again_and_an_unchanged_put_publishes_nothing(app: App) -> None:
    unit = app.u("village-1")
    body = {"name": "东村村委会", "level": "village", "kind": "general_office", "parent_id": app.u("town-a-office")}
    assert (await app.put_unit(unit, **body)).status_code == 201
    changed = await app.put_unit(unit, **{**body, "name": "东村村民委员会"})
    assert changed.status_code == 200 and changed.json()["changed"] is True
    same = await app.put_unit(unit, **{**body, "name": "东村村民委员会"})
    assert same.status_code == 200 and same.json()["changed"] is False
    events = [json.loads(b) for b in app.published[UNITS]]
    assert [(e["type"], e["subject"], e["partitionkey"], e["data"]["name"]) for e in events] == [
        ("UnitRegistered", unit, unit, "东村村委会"), ("UnitRegistered", unit, unit, "东村村民委员会")]
    got = await app.client.get(f"/v1/units/{unit}", headers=app.auth(unit))
    assert got.json()["name"] == "东村村民委员会"


async def test_unknown_parent_is_422_naming_the_field_and_admin_only(app: App) -> None:
    r = await app.put_unit(app.u("x"), name="某部门", level="county", kind="department",
                           parent_id=app.u("county-x-office"), department_parent_id="nowhere")
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["department_parent_id"]
    r = await app.put_unit(app.u("y"), name="", level="moon", kind="department")
    assert {e["field"] for e in r.json()["errors"]} == {"name", "level"}
    forbidden = await app.client.put(f"/v1/units/{app.u('z')}", json={"name": "n", "level": "town",
                                     "kind": "other"}, headers=app.auth(app.u("town-a-office")))
    assert forbidden.status_code == 403
    assert app.published[UNITS] == []


def test_demo_tree_has_every_kind_of_unit_and_loads_parents_first() -> None:
    tree = read_tree(DEMO_TREE)
    levels = [u.level for u in tree.values()]
    assert levels.count("prefecture") >= 1 and levels.count("county") >= 2
    assert "town" in levels and "village" in levels
    assert any(u.kind == "school" for u in tree.values())
    departments = [u for u in tree.values() if u.kind == "department" and u.department_parent_id]
    assert {u.name[-3:] for u in departments} >= {"公安局", "管理局", "教育局"}  # 公安、应急管理、教育
    assert {"town-a-office", "county-x-office"} <= set(tree)  # the contract's example works on a fresh stack
    order = tree_order(tree)
    assert sorted(order) == sorted(tree)
    for uid, unit in tree.items():
        for parent in (unit.parent_id, unit.department_parent_id):
            if parent is not None:
                assert parent in tree and order.index(parent) < order.index(uid)


def test_a_cycle_in_a_tree_file_is_refused() -> None:
    a = UnitIn(name="甲", level="town", kind="other", parent_id="b")
    b = UnitIn(name="乙", level="town", kind="other", parent_id="a")
    with pytest.raises(ValueError, match="cycle"):
        tree_order({"a": a, "b": b})


def _unit(level: str, parent: str | None = None, department_parent: str | None = None) -> UnitIn:
    return UnitIn(name="单位", level=level, kind="general_office", parent_id=parent,  # type: ignore[arg-type]
                  department_parent_id=department_parent)


def test_directory_faults_name_a_cycle_and_a_parent_of_a_lower_level() -> None:
    directory = {"county": _unit("county"), "town": _unit("town", "county"), "village": _unit("village", "town"),
                 "school": _unit("organization", "town")}
    assert directory_faults("county", _unit("county", "village"), directory) == [
        ("parent_id", "cycle"), ("parent_id", "lower_level")]
    assert directory_faults("loop1", _unit("town", "loop1"), directory) == [("parent_id", "cycle")]
    assert directory_faults("loop1", _unit("town", None, "loop1"), directory) == [("department_parent_id", "cycle")]
    assert directory_faults("c2", _unit("county", "county", "town"), directory) == [
        ("department_parent_id", "lower_level")]
    assert directory_faults("dept", _unit("town", "town", "county"), directory) == []  # same level or higher
    # an organization (school, company) hangs under any level; no territorial level hangs under it
    assert directory_faults("club", _unit("organization", "village"), directory) == []
    assert directory_faults("team", _unit("organization", "school"), directory) == []
    assert directory_faults("v2", _unit("village", "school"), directory) == [("parent_id", "lower_level")]


def test_the_demo_tree_is_sound() -> None:
    tree = read_tree(DEMO_TREE)
    for uid in tree_order(tree):
        assert directory_faults(uid, tree[uid], tree) == [], uid


async def test_put_refuses_a_cycle_and_an_inverted_level_with_422_naming_the_field(app: App) -> None:
    loop = app.u("loop1")
    r = await app.put_unit(loop, name="自环", level="town", kind="general_office", parent_id=loop)
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["field"], error["type"]) == ("parent_id", "cycle")
    assert "循环" in error["message"] and "cycle" in error["message_en"]
    village = app.u("village-1")
    ok = await app.put_unit(village, name="东村", level="village", kind="general_office",
                            parent_id=app.u("town-a-office"))
    assert ok.status_code == 201, ok.text
    inverted = await app.put_unit(app.u("county-x-office"), name="某县委办", level="county", kind="general_office",
                                  parent_id=village)
    assert inverted.status_code == 422
    assert [(e["field"], e["type"]) for e in inverted.json()["errors"]] == [("parent_id", "cycle"),
                                                                          ("parent_id", "lower_level")]
    assert "层级" in inverted.json()["errors"][1]["message"] and "level" in inverted.json()["errors"][1]["message_en"]
    turned = await app.put_unit(app.u("town-a-office"), name="城关镇党政办", level="town", kind="general_office",
                                department_parent_id=village)
    assert [(e["field"], e["type"]) for e in turned.json()["errors"]] == [("department_parent_id", "cycle"),
                                                                        ("department_parent_id", "lower_level")]
    assert len(app.published[UNITS]) == 1  # only the village was published
