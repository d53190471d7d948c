"""The default pack against docs/rules.md §3, at every boundary: just under (not reportable), at (reportable).

The table below is written from docs/rules.md §3 by hand, not read from the pack, so a wrong
number in the pack fails here; ``test_the_table_covers_every_threshold_of_the_pack`` makes a new
threshold in the pack need a row here.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.domain.classify import GRADE_RANK, classify, figures
from shared.policy import load_pack
from shared.report import MAX_PEOPLE, Report
from tests.support.reports import report

PACK = load_pack("county-2h-10h")
NATURAL = "disaster.natural"
THRESHOLDS: list[tuple[str, str, int]] = [
    ("event.group_fight", "participants", 5), ("event.group_fight", "dead_and_injured", 1),
    ("event.assembly", "participants", 10),
    ("event.petition", "to_beijing", 1), ("event.petition", "to_provincial_capital", 2),
    ("case.homicide", "deaths", 1),
    ("case.robbery", "cash_cny", 100_000), ("case.robbery", "property_cny", 200_000),
    ("case.absconding", "amount_cny", 1_000_000),
    ("case.poisoning", "deaths", 1), ("case.poisoning", "poisoned", 3),
    ("case.counterfeiting", "amount_cny", 100_000), ("case.counterfeiting", "dead_and_injured", 1),
    ("accident.road_traffic", "deaths", 1), ("accident.road_traffic", "dead_and_injured", 5),
    ("accident.road_traffic", "economic_loss_cny", 500_000),
    ("accident.production_safety", "deaths", 1), ("accident.production_safety", "dead_and_injured", 5),
    ("accident.production_safety", "economic_loss_cny", 1_000_000),
    ("accident.fire", "deaths", 1), ("accident.fire", "dead_and_injured", 5),
    ("accident.fire", "economic_loss_cny", 1_000_000),
    ("accident.public_security", "deaths", 1), ("accident.public_security", "dead_and_injured", 5),
    (NATURAL, "deaths", 1), (NATURAL, "seriously_injured", 3), (NATURAL, "missing", 2),
    (NATURAL, "rooms_collapsed", 10), (NATURAL, "collective_loss_cny", 100_000),
    (NATURAL, "individual_loss_cny", 10_000), (NATURAL, "forest_mu", 5), (NATURAL, "crop_affected_mu", 100),
    (NATURAL, "crop_lost_mu", 50), (NATURAL, "infrastructure_loss_cny", 500_000),
    ("health.unexplained_illness", "cases", 5),
    ("school.injury", "hospital_days", 1), ("school.injury", "deaths", 1), ("school.injury", "economic_loss_cny", 500),
    ("school.injury", "poisoned", 1),
]
ALWAYS = {"event.mass_incident", "event.financial_run", "event.traffic_blocked", "case.explosion",
          "case.dangerous_goods_stolen", "accident.air_crash", "accident.toxic_leak", "disaster.reservoir"}
FLAGS_ONLY = {"case.illegal_fundraising", "health.epidemic"}
CASUALTIES = ("deaths", "injured", "seriously_injured", "missing", "poisoned")
ZERO = {"casualties": dict.fromkeys(CASUALTIES, 0), "economic_loss_cny": 0, "participants": 0, "impact": {}}


def make(category: str, **values: int) -> Report:
    """A report of ``category`` with every figure zero except ``values`` (``dead_and_injured`` → injured)."""
    body: dict[str, Any] = report(category=category, **ZERO)
    body["casualties"] = dict(body["casualties"])
    for metric, n in values.items():
        metric = "injured" if metric == "dead_and_injured" else metric
        if metric in CASUALTIES:
            body["casualties"][metric] = n
        elif metric in ("economic_loss_cny", "participants"):
            body[metric] = n
        else:
            body["impact"] = {**body["impact"], metric: n}
    return Report.model_validate(body)


def test_every_row_of_regulations_3_has_a_category_with_chinese_and_english_names() -> None:
    assert set(PACK.categories) == {c for c, _, _ in THRESHOLDS} | ALWAYS | FLAGS_ONLY
    for category in PACK.categories.values():
        assert category.name.zh and category.name.en
    assert {c for c, cat in PACK.categories.items() if cat.always} == ALWAYS


def test_the_table_covers_every_threshold_of_the_pack() -> None:
    in_pack = {(code, t.metric, t.min) for code, cat in PACK.categories.items() for t in cat.thresholds}
    assert in_pack == set(THRESHOLDS)


@pytest.mark.parametrize(("category", "metric", "minimum"), THRESHOLDS)
def test_just_under_a_threshold_is_not_reportable(category: str, metric: str, minimum: int) -> None:
    c = classify(PACK, make(category, **{metric: minimum - 1}))
    assert (c.reportable, c.grade, c.reasons) == (False, None, [])


@pytest.mark.parametrize(("category", "metric", "minimum"), THRESHOLDS)
def test_at_a_threshold_is_reportable_and_says_why(category: str, metric: str, minimum: int) -> None:
    c = classify(PACK, make(category, **{metric: minimum}))
    assert c.reportable and c.grade == "IV"
    expected = [t for t in PACK.categories[category].thresholds if t.metric == metric]
    assert expected[0].reason.en in c.reasons and expected[0].reason.zh in c.reasons_zh
    assert c.policy == "county-2h-10h@1"


@pytest.mark.parametrize("category", sorted(ALWAYS))
def test_always_categories_are_reportable_with_no_figures(category: str) -> None:
    c = classify(PACK, make(category))
    assert c.reportable and c.grade == "IV" and c.reasons == [f"{PACK.categories[category].name.en}: always reportable"]


@pytest.mark.parametrize("flag", ["sensitive_time", "sensitive_place", "special_identity", "wide_attention"])
@pytest.mark.parametrize("category", sorted(FLAGS_ONLY | {"accident.road_traffic"}))
def test_the_sensitivity_clause_makes_a_below_threshold_incident_reportable(category: str, flag: str) -> None:
    quiet = make(category)
    assert not classify(PACK, quiet).reportable
    c = classify(PACK, quiet.model_copy(update={"flags": quiet.flags.model_copy(update={flag: True})}))
    assert c.reportable and c.grade == "IV" and c.reasons[0].startswith("sensitivity: ")
    assert c.reasons_zh[0].startswith("敏感条款：")


# (metric, lower bound of III, of II, of I) — 生产安全事故报告和调查处理条例, inclusive.
GRADES = [("deaths", 3, 10, 30), ("seriously_injured", 10, 50, 100),
          ("economic_loss_cny", 10_000_000, 50_000_000, 100_000_000)]


@pytest.mark.parametrize(("metric", "iii", "ii", "i"), GRADES)
def test_every_grade_boundary(metric: str, iii: int, ii: int, i: int) -> None:
    def grade(n: int) -> str | None:
        values = {metric: n, "dead_and_injured": 5} if metric == "seriously_injured" else {metric: n}
        c = classify(PACK, make("accident.production_safety", **values))
        assert c.reportable
        return c.grade

    assert [grade(iii - 1), grade(iii), grade(ii - 1), grade(ii), grade(i - 1), grade(i)] == [
        "IV", "III", "III", "II", "II", "I"]


def test_grade_reason_is_given_zh_and_en() -> None:
    c = classify(PACK, make("accident.road_traffic", deaths=10))
    assert "grade II (serious): deaths ≥ 10" in c.reasons
    assert "II级（重大）：死亡≥10人" in c.reasons_zh


METRICS = sorted({t.metric for cat in PACK.categories.values() for t in cat.thresholds} | {"seriously_injured"})
counts = st.integers(min_value=0, max_value=200_000_000)
PEOPLE = {*CASUALTIES, "dead_and_injured", "participants"}


def within_bounds(values: dict[str, int]) -> dict[str, int]:
    """Figures a report may hold: people at most half the schema's bound, so the sum of two stays within it."""
    return {m: min(n, MAX_PEOPLE // 2) if m in PEOPLE else n for m, n in values.items()}


some_figures = st.dictionaries(st.sampled_from(METRICS), counts).map(within_bounds)


@settings(max_examples=300, deadline=None)
@given(category=st.sampled_from(sorted(PACK.categories)),
       before=some_figures, more=some_figures,
       flags=st.dictionaries(st.sampled_from(list(PACK.sensitivity_flags)), st.booleans()))
def test_more_casualties_or_loss_never_lower_the_grade_nor_make_it_not_reportable(
        category: str, before: dict[str, int], more: dict[str, int], flags: dict[str, bool]) -> None:
    after = {m: before.get(m, 0) + more.get(m, 0) for m in set(before) | set(more)}
    r1, r2 = make(category, **before), make(category, **after)
    r1 = r1.model_copy(update={"flags": r1.flags.model_copy(update=flags)})
    r2 = r2.model_copy(update={"flags": r2.flags.model_copy(update=flags)})
    assert all(figures(r2)[k] >= v for k, v in figures(r1).items())
    c1, c2 = classify(PACK, r1), classify(PACK, r2)
    assert c2.reportable or not c1.reportable
    assert GRADE_RANK[c2.grade] >= GRADE_RANK[c1.grade]
