"""The pure scoring of a unit's period from its monthly figures: every expected number comes from the pack."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from services.assessment.domain.board import board_rows, publications
from services.assessment.domain.scoring import MonthFigures, UnitInfo, covering, parts, ranks, score
from shared.information import InfoPack, load_info_pack
from shared.periods import Period, parse_period

COUNTY = load_info_pack("info-county")
CLASSES = load_info_pack("info-classes")
DEPARTMENT = UnitInfo("county-x-gongan", "甲县公安局", "department", "county")
VILLAGE = UnitInfo("village-a1", "东村村民委员会", "general_office", "village")
def points(pack: InfoPack, publication: str, level: str) -> int:
    listed = pack.publication(publication, level)
    assert listed is not None
    return listed.points


COUNTY_OFFICE = UnitInfo("county-x-office", "甲县党委办公室", "general_office", "county")
NOV = parse_period("2026-11")
Q4 = parse_period("2026-Q4")
YEAR = parse_period("2026")


def monthly_min(pack: InfoPack, unit: UnitInfo) -> int:
    [quota] = [q for q in pack.quotas_for(unit_id=unit.unit_id, kind=unit.kind, level=unit.level)
               if q.per == "unit" and q.period == "month"]
    return quota.min


def quarterly_min(pack: InfoPack, unit: UnitInfo) -> int:
    [quota] = [q for q in pack.quotas_for(unit_id=unit.unit_id, kind=unit.kind, level=unit.level)
               if q.per == "unit" and q.period == "quarter"]
    return quota.min


def figures(approved: int = 0, *, submitted: int | None = None, kind: str = "news",
            adoptions: dict[tuple[str, str], int] | None = None, instructions: dict[str, int] | None = None,
            missed: int = 0) -> MonthFigures:
    return MonthFigures(submitted=approved if submitted is None else submitted, approved=Counter({kind: approved}),
                        adoptions=Counter(adoptions or {}), instructions=Counter(instructions or {}),
                        requests_missed=missed)


def test_a_department_meeting_its_monthly_quota_gets_base_adoption_bonus_and_penalty_from_the_pack() -> None:
    need = monthly_min(COUNTY, DEPARTMENT)
    month = figures(need, submitted=need + 2, adoptions={("county", "要情快报"): 2, ("prefecture", "政务信息"): 1},
                    instructions={"prefecture": 1}, missed=1)
    got = score(COUNTY, DEPARTMENT, NOV, {NOV: month})
    adoption = 2 * points(COUNTY, "要情快报", "county") + points(COUNTY, "政务信息", "prefecture")
    assert (got.submitted, got.approved, got.adopted) == (need + 2, need, 3)
    assert (got.quota, got.quota_met) == (need, True)
    assert got.base_points == COUNTY.points.base_per_month
    assert got.adoption_points == adoption
    assert got.bonus_points == COUNTY.points.instruction["prefecture"]
    assert got.penalty_points == COUNTY.points.request_missed
    assert got.total == COUNTY.points.base_per_month + adoption + COUNTY.points.instruction["prefecture"] \
        - COUNTY.points.request_missed
    assert got.adoptions == {"要情快报": 2, "政务信息": 1}
    assert got.adoptions_by_level == {"county": {"要情快报": 2}, "prefecture": {"政务信息": 1}}
    assert got.policy == COUNTY.ref and got.grade is None


def test_a_department_short_of_its_quota_gets_no_base() -> None:
    got = score(COUNTY, DEPARTMENT, NOV, {NOV: figures(monthly_min(COUNTY, DEPARTMENT) - 1)})
    assert (got.quota_met, got.base_points, got.total) == (False, 0, 0)


def test_a_village_with_only_a_quarterly_quota_earns_each_month_by_its_quarter() -> None:
    need = quarterly_min(COUNTY, VILLAGE)
    months = {m: figures(n) for m, n in zip(Q4.months(), (need - 2, 1, 1), strict=True)}  # met only by December
    nov = score(COUNTY, VILLAGE, NOV, months)
    assert (nov.quota, nov.quota_met) == (None, None)  # a month is shorter than the quota's quarter
    assert nov.base_points == COUNTY.points.base_per_month
    quarter = score(COUNTY, VILLAGE, Q4, months)
    assert (quarter.quota, quarter.quota_met) == (need, True)
    assert quarter.base_points == 3 * COUNTY.points.base_per_month
    short = {m: figures(n) for m, n in zip(Q4.months(), (need - 2, 1, 0), strict=True)}
    assert score(COUNTY, VILLAGE, NOV, short).base_points == 0
    assert score(COUNTY, VILLAGE, Q4, short).quota_met is False


def test_a_unit_without_unit_quotas_gets_no_quota_and_no_base() -> None:
    got = score(COUNTY, COUNTY_OFFICE, NOV, {NOV: figures(9, adoptions={("county", "增刊"): 1})})
    assert (got.quota, got.quota_met, got.base_points) == (None, None, 0)
    assert got.total == points(COUNTY, "增刊", "county")


def test_a_quota_counts_only_its_item_kinds() -> None:
    office = UnitInfo("county-x-office", "甲县党委办公室", "general_office", "county")
    [long_quota] = [q for q in CLASSES.quotas_for(unit_id=office.unit_id, kind=office.kind, level=office.level)
                    if q.period == "quarter"]
    need = monthly_min(CLASSES, office)
    news = {m: figures(need) for m in Q4.months()}
    assert score(CLASSES, office, Q4, news).quota_met is False  # no long piece this quarter
    with_long = {**news, NOV: MonthFigures(approved=Counter({"news": need, "long": long_quota.min}))}
    got = score(CLASSES, office, Q4, with_long)
    assert got.quota == 3 * need + long_quota.min and got.quota_met is True


def test_a_publication_the_units_pack_does_not_list_earns_nothing() -> None:
    got = score(COUNTY, COUNTY_OFFICE, NOV, {NOV: figures(0, adoptions={("county", "内参"): 1})})
    assert (got.adopted, got.adoption_points, got.adoptions) == (1, 0, {"内参": 1})


def test_the_years_base_is_capped_and_its_total_graded() -> None:
    need = monthly_min(COUNTY, DEPARTMENT)
    capped = COUNTY.model_copy(update={"points": COUNTY.points.model_copy(update={"base_year_max": 50})})
    months = {m: figures(need) for m in YEAR.months()}
    got = score(capped, DEPARTMENT, YEAR, months)
    assert got.base_points == 50 and got.quota == 12 * need and got.quota_met is True
    assert got.grade == capped.grade_of(50).model_dump() and got.zeroed is False
    full = score(COUNTY, DEPARTMENT, YEAR, months)
    assert full.base_points == min(12 * COUNTY.points.base_per_month, COUNTY.points.base_year_max or 10**9)
    assert full.grade == COUNTY.grade_of(full.total).model_dump()


def test_enough_missed_requests_zero_the_year_but_not_a_quarter() -> None:
    zero_at = COUNTY.points.request_misses_zero_year
    assert zero_at is not None
    months = {m: figures(monthly_min(COUNTY, DEPARTMENT), adoptions={("prefecture", "增刊"): 1}) for m in YEAR.months()}
    months[NOV] = figures(monthly_min(COUNTY, DEPARTMENT), missed=zero_at)
    year = score(COUNTY, DEPARTMENT, YEAR, months)
    assert year.zeroed is True and year.total == 0 and year.penalty_points == zero_at * COUNTY.points.request_missed
    assert year.grade == COUNTY.failing_grade.model_dump()
    quarter = score(COUNTY, DEPARTMENT, Q4, {m: months[m] for m in Q4.months()})
    assert quarter.total > 0 and quarter.grade is None


def test_ranks_share_a_place_for_equal_totals() -> None:
    assert ranks([10, 30, 10, 5, 30]) == [3, 1, 3, 5, 1]
    assert ranks([]) == []


def test_covering_and_parts() -> None:
    assert covering(NOV) == Q4 and covering(Q4) == Q4 and covering(YEAR) == YEAR
    assert parts(YEAR, "quarter") == tuple(Period(2026, "quarter", n) for n in range(1, 5))
    assert parts(Q4, "quarter") == (Q4,) and parts(Q4, "month") == Q4.months()


month_figures = st.builds(
    lambda approved, long, adopted, instructed, missed: MonthFigures(
        submitted=approved + long, approved=Counter({"news": approved, "long": long}),
        adoptions=Counter({("county", "政务信息"): adopted, ("prefecture", "要情快报"): adopted // 2,
                           ("county", "内参"): 1}),
        instructions=Counter({"county": instructed}), requests_missed=missed),
    st.integers(0, 8), st.integers(0, 2), st.integers(0, 3), st.integers(0, 2), st.integers(0, 1))


@settings(max_examples=60, deadline=None)
@given(st.lists(month_figures, min_size=12, max_size=12),
       st.sampled_from([DEPARTMENT, VILLAGE, COUNTY_OFFICE, UnitInfo("town-a-office", "城关镇", "general_office",
                                                                      "town")]),
       st.sampled_from([COUNTY, CLASSES]))
def test_a_quarter_is_the_sum_of_its_months_and_a_year_of_its_quarters(
        year_figures: list[MonthFigures], unit: UnitInfo, pack: InfoPack) -> None:
    months = dict(zip(YEAR.months(), year_figures, strict=True))
    uncapped = pack.model_copy(update={"points": pack.points.model_copy(
        update={"base_year_max": None, "request_misses_zero_year": None})})
    quarters = parts(YEAR, "quarter")
    fields = ("submitted", "approved", "adopted", "base_points", "adoption_points", "bonus_points", "penalty_points",
              "total")
    for quarter in quarters:
        q = score(uncapped, unit, quarter, months)
        in_months = [score(uncapped, unit, m, months) for m in quarter.months()]
        for name in fields:
            assert getattr(q, name) == sum(getattr(s, name) for s in in_months), (quarter.name, name)
    year = score(uncapped, unit, YEAR, months)
    by_quarter = [score(uncapped, unit, q, months) for q in quarters]
    for name in fields:
        assert getattr(year, name) == sum(getattr(s, name) for s in by_quarter), name
    real = score(pack, unit, YEAR, months)
    assert real.base_points == min(year.base_points, pack.points.base_year_max or year.base_points)


def test_the_board_sums_each_units_months_and_names_the_publications() -> None:
    units = {u.unit_id: u for u in (DEPARTMENT, VILLAGE)}
    facts = {"village-a1": {NOV: figures(2, adoptions={("county", "要情快报"): 1, ("prefecture", "要情快报"): 1})},
             "town-z": {NOV: figures(1, submitted=3)}}
    rows = board_rows(units, facts)
    assert [r["unit_id"] for r in rows] == ["village-a1", "town-z", "county-x-gongan"]
    assert rows[0] == {"unit_id": "village-a1", "name": "东村村民委员会", "submitted": 2, "approved": 2, "adopted": 2,
                       "adoptions": {"要情快报": 2}}
    assert rows[1]["name"] == "town-z" and rows[1]["submitted"] == 3
    assert publications(rows) == ["要情快报"]
