"""Assessment periods and information packs: the arithmetic every service shares."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from shared.information import INFO_PACKS_DIR, PackError, check_info_packs, load_info_pack, load_info_pack_file
from shared.offset import CHINA
from shared.periods import Period, parse_period, period_containing
from shared.policy import pack_names


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026-11", datetime(2026, 11, 1, tzinfo=CHINA), datetime(2026, 12, 1, tzinfo=CHINA)),
    ("2026-12", datetime(2026, 12, 1, tzinfo=CHINA), datetime(2027, 1, 1, tzinfo=CHINA)),
    ("2026-Q4", datetime(2026, 10, 1, tzinfo=CHINA), datetime(2027, 1, 1, tzinfo=CHINA)),
    ("2026-Q1", datetime(2026, 1, 1, tzinfo=CHINA), datetime(2026, 4, 1, tzinfo=CHINA)),
    ("2026", datetime(2026, 1, 1, tzinfo=CHINA), datetime(2027, 1, 1, tzinfo=CHINA)),
])
def test_a_period_is_its_months_in_beijing_time(text: str, start: datetime, end: datetime) -> None:
    period = parse_period(text)
    assert (period.start, period.end, period.name) == (start, end, text)
    months = period.months()
    assert months[0].start == start and months[-1].end == end
    assert all(a.end == b.start for a, b in pairwise(months))


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "26-11", "1899", "3000-01", "2026/11", ""])
def test_a_malformed_period_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_period(text)


def test_the_period_of_an_instant_is_taken_in_beijing() -> None:
    last_utc_evening = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 2026-12-01 00:30 in Beijing
    assert period_containing(last_utc_evening, "month") == Period(2026, "month", 12)
    assert period_containing(last_utc_evening, "quarter") == Period(2026, "quarter", 4)
    assert not parse_period("2026-11").contains(last_utc_evening)
    assert parse_period("2026-12").contains(last_utc_evening)
    assert parse_period("2026-11").name_zh == "2026年11月" and parse_period("2026-Q4").name_zh == "2026年第四季度"


def test_every_shipped_information_pack_loads_and_is_assigned() -> None:
    check_info_packs()
    assert set(pack_names(INFO_PACKS_DIR)) >= {"info-county", "info-classes"}


def test_a_news_item_is_due_from_the_start_of_its_day_by_the_packs_limit() -> None:
    pack = load_info_pack("info-county")
    limit = pack.kinds["news"].due_after
    assert limit is not None
    due = pack.due_at("news", happened_on=date(2026, 11, 23), received_at=datetime(2026, 11, 23, 9, tzinfo=CHINA))
    assert due == datetime(2026, 11, 23, tzinfo=CHINA) + limit
    received = datetime(2026, 11, 23, 20, tzinfo=UTC)  # already the 24th in Beijing
    assert pack.due_at("news", happened_on=None, received_at=received) == datetime(2026, 11, 24, tzinfo=CHINA) + limit
    assert pack.due_at("long", happened_on=date(2026, 11, 23), received_at=received) is None


def test_quotas_and_publications_are_chosen_by_unit_and_level() -> None:
    pack = load_info_pack("info-county")
    village = pack.quotas_for(unit_id="v1", kind="other", level="village")
    assert {(q.period, q.per) for q in village} >= {("quarter", "unit"), ("month", "author")}
    assert all(q.per == "author" or q.period == "quarter" for q in village)
    county = pack.publication("政务信息", "county")
    city = pack.publication("政务信息", "prefecture")
    assert county is not None and city is not None and city.points > county.points
    assert pack.publication("政务信息", "village") is None
    assert pack.grade_of(95).zh == "优秀" and pack.grade_of(85).zh == "合格" and pack.grade_of(10).zh == "不合格"


def test_a_pack_with_grades_out_of_order_names_its_file(tmp_path: Path) -> None:
    text = (INFO_PACKS_DIR / "info-county.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("{min: 90,", "{min: 70,"), encoding="utf-8")
    with pytest.raises(PackError, match=r"(?s)bad.yaml.*highest first"):
        load_info_pack_file(bad)
    assert timedelta(days=1) <= (load_info_pack("info-classes").kinds["news"].due_after or timedelta())


def test_two_quotas_of_one_period_and_kinds_are_one_obligation_the_stricter() -> None:
    pack = load_info_pack("info-classes")
    applying = pack.quotas_for(unit_id="d", kind="department", level="town")
    monthly_all = [q.min for q in applying if q.period == "month" and q.kinds is None]
    assert len(monthly_all) == 2  # class 2 (departments) and class 3 (towns) both name it
    owed = pack.unit_quotas(unit_id="d", kind="department", level="town")
    assert [(q.period, q.min) for q in owed if q.kinds is None] == [("month", max(monthly_all))]
    assert [q.kinds for q in owed if q.kinds is not None] == [("long",)]
    assert all(q.per == "unit" for q in load_info_pack("info-county").unit_quotas(unit_id="v", kind="other",
                                                                                   level="village"))
