"""The pure parts of intake's work information: an item's checks, its ids, its event and its due time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.intake.domain.item_checks import CheckedItem, KnownRequest, check_item, past_due
from services.intake.domain.item_events import item_id_for, item_submitted
from services.intake.domain.submission import Who, report_id_for
from shared.events import UnitRegistered
from shared.information import info_pack_for
from shared.offset import CHINA

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SKEW = timedelta(minutes=2)
TOWN = UnitRegistered(unit_id="town-a-office", name="城关镇党政办", level="town", kind="general_office")
UNITS = {TOWN.unit_id: TOWN}
REQUESTS = {"req-1": KnownRequest("req-1", ("town-a-office", "town-b-office"))}
WHO = Who(actor="reporter@town-a-office", actor_unit=TOWN.unit_id)


def item(**changes: Any) -> dict[str, Any]:
    return {"reporting_unit": TOWN.unit_id, "kind": "news", "title": "城关镇推进秸秆禁烧", "body": "全镇未发生焚烧。",
            "author": {"name": "李明", "phone": "13800000000"}, "happened_on": "2026-11-22", **changes}


def check(raw: Any, *, now: datetime = NOW, units: Mapping[str, UnitRegistered] = UNITS,
          requests: Mapping[str, KnownRequest] = REQUESTS) -> CheckedItem:
    return check_item(raw, now=now, skew=SKEW, units=units, requests=requests)


def test_a_valid_item_passes_with_no_warning() -> None:
    checked = check(item())
    assert checked.errors == [] and checked.warnings == []
    assert checked.item is not None and checked.item.happened_on == date(2026, 11, 22)
    assert checked.item.classification == "internal"


def test_every_bad_field_is_named_at_once_with_the_items_own_names_in_chinese_and_english() -> None:
    bad = item(kind="gossip", title="", author={"phone": "1"}, happened_on="1899-12-31", body="x" * 50001,
               colour="red")
    checked = check(bad)
    assert checked.item is None
    errors = {e["field"]: e for e in checked.errors}
    assert set(errors) == {"kind", "title", "author.name", "happened_on", "body", "colour"}
    assert errors["kind"]["label"] == "信息类别" and "news" in errors["kind"]["message"]
    assert errors["body"]["label"] == "正文" and "50000" in errors["body"]["message_en"]
    assert errors["author.name"]["label"] == "供稿人姓名"
    assert errors["happened_on"]["message"] == "不能早于 1900-01-01"
    assert errors["happened_on"]["message_en"] == "must not be before 1900-01-01"
    for e in checked.errors:
        assert e["message"] and e["message_en"] and e["label"]


def test_a_day_that_is_no_date_says_so_in_both_languages() -> None:
    [error] = check(item(happened_on="2026-13-45")).errors
    assert (error["field"], error["label"]) == ("happened_on", "发生日期")
    assert error["message"] == "应为日期，例如 2026-11-23" and error["message_en"] == "must be a date like 2026-11-23"


def test_an_unregistered_unit_is_named() -> None:
    checked = check(item(reporting_unit="ghost-office"), units={})
    [error] = checked.errors
    assert (error["field"], error["type"], error["label"]) == ("reporting_unit", "unknown_unit", "供稿单位")
    assert "未登记" in error["message"] and "not registered" in error["message_en"]


def test_the_day_of_the_work_may_be_today_in_beijing_but_not_tomorrow() -> None:
    late_evening_utc = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 01:00 on the 24th in Beijing
    assert check(item(happened_on="2026-11-24"), now=late_evening_utc).errors == []
    [error] = check(item(happened_on="2026-11-25"), now=late_evening_utc).errors
    assert (error["field"], error["type"]) == ("happened_on", "in_future")


def test_a_body_that_is_not_an_object_is_named_body() -> None:
    [error] = check(["an", "array"]).errors
    assert (error["field"], error["type"]) == ("body", "model_type")


def test_an_item_may_answer_a_request_sent_to_its_unit() -> None:
    checked = check(item(request_id="req-1"))
    assert checked.item is not None and checked.item.request_id == "req-1"
    assert checked.errors == checked.warnings == []


def test_an_unknown_request_is_named() -> None:
    checked = check(item(request_id="req-typo", title=""))
    errors = {e["field"]: e for e in checked.errors}
    assert set(errors) == {"request_id", "title"}
    assert (errors["request_id"]["type"], errors["request_id"]["label"]) == ("unknown_request", "约稿编号")
    assert "不存在" in errors["request_id"]["message"] and "unknown" in errors["request_id"]["message_en"]


def test_a_request_sent_to_other_units_is_accepted_with_a_warning() -> None:
    others = {"req-1": KnownRequest("req-1", ("town-b-office",))}
    checked = check(item(request_id="req-1"), requests=others)
    assert checked.item is not None
    [warning] = checked.warnings
    assert (warning["field"], warning["type"]) == ("request_id", "request_not_addressed")


def test_past_due_warns_only_after_the_due_time() -> None:
    due = datetime(2026, 11, 24, 0, 0, tzinfo=CHINA)
    assert past_due(None, now=NOW) == []
    assert past_due(due, now=due) == []
    [warning] = past_due(due, now=due + timedelta(seconds=1))
    assert warning["type"] == "past_due" and "2026-11-24T00:00:00+08:00" in warning["message_en"]


def test_item_ids_are_derived_from_unit_and_key_and_never_collide_with_report_ids() -> None:
    assert item_id_for("u", "k") == item_id_for("u", "k")
    assert item_id_for("u", "k").startswith("itm-")
    assert len({item_id_for("u", "k"), item_id_for("u", "k2"), item_id_for("u2", "k")}) == 3
    assert item_id_for("u", "k").removeprefix("itm-") != report_id_for("u", "k").removeprefix("rpt-")


def test_the_event_carries_the_pack_and_the_due_time_it_gives() -> None:
    checked = check(item())
    assert checked.item is not None
    pack = info_pack_for(None, unit_id=TOWN.unit_id, unit_kind=TOWN.kind)
    envelope = item_submitted(checked.item, item_id="itm-1", received_at=NOW, pack=pack, who=WHO)
    due_after = pack.kinds["news"].due_after
    assert due_after is not None
    assert datetime.fromisoformat(envelope.data["due_at"]) == datetime(2026, 11, 22, tzinfo=CHINA) + due_after
    assert envelope.data["due_at"].endswith("+08:00")
    assert envelope.data["policy"] == envelope.policy == pack.ref
    assert (envelope.type, envelope.partitionkey, envelope.subject) == ("ItemSubmitted", "itm-1", "itm-1")
    again = item_submitted(checked.item, item_id="itm-1", received_at=NOW, pack=pack, who=WHO)
    assert again.to_bytes() == envelope.to_bytes()


def test_a_kind_without_due_after_has_no_due_time() -> None:
    checked = check(item(kind="brief"))
    assert checked.item is not None
    pack = info_pack_for(None, unit_id=TOWN.unit_id, unit_kind=TOWN.kind)
    assert pack.kinds["brief"].due_after is None
    envelope = item_submitted(checked.item, item_id="itm-2", received_at=NOW, pack=pack, who=WHO)
    assert envelope.data["due_at"] is None


def test_a_future_day_is_named_even_when_other_fields_are_bad_too() -> None:
    checked = check(item(title="", happened_on="2026-12-24"))
    assert {e["field"]: e["type"] for e in checked.errors} == {"title": "string_too_short", "happened_on": "in_future"}
