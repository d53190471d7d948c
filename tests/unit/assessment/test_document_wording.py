"""Every sentence of the score documents agrees with the figures: at the edges, and for any table."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.assessment.documents import ScoreTable, UnitScore
from services.assessment.documents.wording import (
    findings,
    overview,
    problems,
    suggestions,
    unit_sentence,
)
from tests.support.score_tables import POINTS, table, unit

#: No name is part of another, so a name found in a sentence means that unit.
NAMES = ("城关镇", "东山乡", "西河乡", "县发改局", "县教育局", "县财政局")
#: Judgements the figures cannot back (the old report said "大部分情况下能按时报送" at 0.0%).
UNBACKED = ("大部分", "较好", "良好", "基本", "普遍", "总体")


def numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"-?\d+", text)]


def check_unit_sentence(u: UnitScore, said: str, t: ScoreTable) -> None:
    """Each clause of ``said`` holds for ``u``'s figures, and it states no number ``u`` does not have."""
    assert said.startswith(u.name)
    if u.submitted == 0 and u.approved == 0:
        assert "未报送信息" in said and "审签上报" not in said
    elif u.submitted == 0:
        assert f"未报送信息，经审签上报此前报送的信息{u.approved}条" in said
    else:
        assert f"报送信息{u.submitted}条，经审签上报{u.approved}条" in said
    assert ("无定额要求" in said) == (u.quota_met is None)
    assert ("未完成定额任务" in said) == (u.quota_met is False)
    if u.quota_met is not None:
        assert f"定额{u.quota}条" in said
    if u.quota_met:
        assert f"完成定额任务（定额{u.quota}条）" in said
    assert ("没有信息被采用" in said) == (u.adopted == 0)
    if u.adopted:
        assert f"被采用{u.adopted}条" in said and f"得采用分{u.adoption_points}分" in said
        assert all(f"{p}{n}条" in said for p, n in u.adoptions.items() if n)
    assert ("获领导批示" in said) == (u.bonus_points > 0)
    assert ("约稿未按时报送" in said) == (u.requests_missed > 0)
    if u.requests_missed:
        assert f"约稿未按时报送{u.requests_missed}次" in said and f"扣{u.penalty_points}分" in said
    assert (f"基础分{u.base_points}分、采用分{u.adoption_points}分、加分{u.bonus_points}分、扣分{u.penalty_points}分"
            in said)
    if u.zeroed:
        assert f"各项合计{u.points_before_zeroing}分" in said and "全年得分计零" in said
    else:
        assert f"合计{u.total}分" in said and "计零" not in said
    tied = [o for o in t.units if o.rank == u.rank and o is not u]
    assert ("并列" in said) == bool(tied)
    assert f"第{u.rank}位" in said
    assert all(o.name in said for o in tied)
    if u.grade is not None:
        assert said.endswith(f"考核等次为{u.grade.zh}。")
    figures = {u.submitted, u.approved, u.quota, u.adopted, *u.adoptions.values(), u.adoption_points,
               u.bonus_points, u.requests_missed, u.penalty_points, u.base_points, u.total,
               u.points_before_zeroing, u.rank}
    assert set(numbers(said)) <= figures, said


def check_findings(t: ScoreTable) -> None:
    """Each problem names exactly the units whose figures show it; none is said when the figures show none."""
    expected = {
        "silent": {u.unit_id for u in t.units if u.submitted == 0},
        "short": {u.unit_id for u in t.units if u.quota_met is False},
        "missed": {u.unit_id for u in t.units if u.requests_missed},
        "zeroed": {u.unit_id for u in t.units if u.zeroed},
        "unadopted": {u.unit_id for u in t.units if u.adopted == 0},
    }
    found = {f.key: f for f in findings(t)}
    assert set(found) == {key for key, ids in expected.items() if ids}
    for key, f in found.items():
        assert {u.unit_id for u in f.units} == expected[key]
        for u in t.units:
            assert (u.name in f.problem) == (u.unit_id in expected[key]), (key, f.problem)
            assert (u.name in f.suggestion) == (u.unit_id in expected[key]), (key, f.suggestion)
    said, advice = problems(t), suggestions(t)
    if found:
        assert said == [f.problem for f in found.values()]
        assert advice[:-1] == [f.suggestion for f in found.values()]
    else:
        assert len(said) == 1 and not any(u.name in said[0] for u in t.units)
        assert advice[0].startswith("请各单位保持现有做法")


def check_overview(t: ScoreTable) -> None:
    said = overview(t)
    if not t.units:
        assert said == [f"{t.period.name_zh}，没有参加信息工作考核的单位。"]
        return
    first = said[0]
    assert f"单位共{len(t.units)}个" in first
    assert f"共报送信息{sum(u.submitted for u in t.units)}条" in first
    assert f"审签上报{sum(u.approved for u in t.units)}条" in first
    assert f"采用{sum(u.adopted for u in t.units)}条" in first
    with_quota = [u for u in t.units if u.quota_met is not None]
    met = [u for u in with_quota if u.quota_met]
    quota = said[1]
    assert ("均完成了定额任务" in quota) == (bool(with_quota) and len(met) == len(with_quota))
    assert ("均未完成定额任务" in quota) == (bool(with_quota) and not met)
    assert ("各单位均无定额要求" in quota) == (not with_quota)
    if with_quota and 0 < len(met) < len(with_quota):
        assert quota.startswith(f"{len(met)}个单位完成了定额任务，{len(with_quota) - len(met)}个单位未完成")
    free = len(t.units) - len(with_quota)
    assert (f"{free}个单位无定额要求" in quota) == (0 < free < len(t.units))
    adopted = [u for u in t.units if u.adopted]
    assert ("没有单位的信息被采用" in said[2]) == (not adopted)
    assert ("各单位均有信息被采用" in said[2]) == (len(adopted) == len(t.units))
    missed = sum(u.requests_missed for u in t.units)
    assert ("没有约稿未按时报送" in said[3]) == (missed == 0)
    if missed:
        assert f"共{missed}次，涉及{len([u for u in t.units if u.requests_missed])}个单位" in said[3]
    best = max(u.total for u in t.units)
    top = [u for u in t.units if u.total == best]
    assert f"{best}分" in said[4]
    assert all(u.name in said[4] for u in top) or len(top) == len(t.units) > 1
    assert ("并列" in said[4]) == (1 < len(top) < len(t.units))


def check_everything(t: ScoreTable) -> None:
    for u in t.units:
        check_unit_sentence(u, unit_sentence(u, t), t)
    check_findings(t)
    check_overview(t)
    words = [*overview(t), *(unit_sentence(u, t) for u in t.units), *problems(t), *suggestions(t)]
    assert not [w for w in words if any(judgement in w for judgement in UNBACKED)]


# ---- the edges ----------------------------------------------------------------------------------------------

def test_all_met_names_no_problem_and_says_so() -> None:
    t = table("2026-11",
              unit("a", "城关镇", submitted=6, approved=6, adoptions={"要情快报": 1}, quota_met=True, base=10),
              unit("b", "东山乡", submitted=5, approved=5, adoptions={"政务信息": 2}, quota_met=True, base=10))
    check_everything(t)
    assert overview(t)[1] == "各单位均完成了定额任务。"
    assert problems(t) == ["各单位本月均报送了信息；各单位均完成了定额任务；"
                           "没有约稿未按时报送的情况；各单位均有信息被采用。"]
    assert findings(t) == []


def test_none_met_says_none_met_and_names_each_unit() -> None:
    t = table("2026-11", unit("a", "城关镇", submitted=2, approved=2, quota_met=False),
              unit("b", "东山乡", submitted=1, approved=0, quota_met=False, missed=1))
    check_everything(t)
    assert overview(t)[1] == "各单位均未完成定额任务。"
    assert "城关镇、东山乡未完成本月定额任务。" in problems(t)
    assert "东山乡存在约稿未按时报送的情况（东山乡1次）。" in problems(t)


def test_a_period_without_items_says_zero_and_names_every_unit_silent() -> None:
    t = table("2026-Q4", unit("a", "城关镇", quota=15, quota_met=False),
              unit("b", "县发改局", quota=15, quota_met=False))
    check_everything(t)
    assert overview(t)[0] == ("2026年第四季度，参加信息工作考核的单位共2个，共报送信息0条，经本单位审签上报0条，"
                              "被各级刊物采用0条。")
    assert unit_sentence(t.units[0], t).startswith("城关镇本季度未报送信息；未完成定额任务（定额15条）；没有信息被采用")
    assert problems(t)[0] == "城关镇、县发改局本季度未报送信息。"
    assert overview(t)[4] == "各单位合计得分相同，均为0分。"


def test_ties_share_a_rank_and_say_with_whom() -> None:
    t = table("2026-11", unit("a", "城关镇", submitted=5, approved=5, quota_met=True, base=10),
              unit("b", "东山乡", submitted=5, approved=5, quota_met=True, base=10),
              unit("c", "西河乡", submitted=1, approved=1, quota_met=False))
    check_everything(t)
    a, b, c = t.units
    assert (a.rank, b.rank, c.rank) == (1, 1, 3)
    assert unit_sentence(a, t).endswith("与东山乡并列第1位。")
    assert unit_sentence(c, t).endswith("排名第3位。")
    assert overview(t)[4] == "合计得分最高的是城关镇、东山乡（并列，各10分）。"


def test_no_table_at_all() -> None:
    t = table("2026-11")
    check_everything(t)
    assert problems(t) == ["没有参加考核的单位，无问题可列。"]


def test_units_without_quota_are_counted_apart() -> None:
    t = table("2026-11", unit("a", "城关镇", submitted=5, approved=5, adoptions={"增刊": 1}, quota_met=True, base=10),
              unit("b", "县教育局", submitted=1, approved=1, quota=0, quota_met=None))
    check_everything(t)
    assert overview(t)[1] == "有定额要求的1个单位均完成了定额任务，1个单位无定额要求。"
    assert "无定额要求" in unit_sentence(t.units[1], t)


def test_enough_items_but_a_quota_missed_month_is_not_called_short_of_items() -> None:
    t = table("2026-Q4", unit("a", "城关镇", submitted=20, approved=20, adoptions={"要情快报": 1}, quota=15,
                              quota_met=False, base=20))
    check_everything(t)
    assert "上报总数虽达到定额15条，但按定额口径（逐期、按类别计算）未完成定额任务" in unit_sentence(t.units[0], t)


def test_the_year_shows_grades_and_a_zeroed_total() -> None:
    t = table("2026", unit("a", "城关镇", submitted=70, approved=66, adoptions={"政务信息": 3}, quota=60,
                           quota_met=True, base=120, grade="优秀"),
              unit("b", "东山乡", submitted=30, approved=30, adoptions={"要情快报": 4}, quota=60, quota_met=False,
                   base=60, missed=2, zeroed=True, grade="不合格"))
    check_everything(t)
    b = t.units[1]
    assert b.total == 0 and b.points_before_zeroing == 60
    assert "各项合计60分" in unit_sentence(b, t) and "因约稿未按时报送2次全年得分计零" in unit_sentence(b, t)
    assert overview(t)[5] == "考核等次：优秀1个，不合格1个。"
    assert "东山乡因约稿未按时报送次数达到规定，全年得分计零。" in problems(t)


# ---- the figures must agree before any sentence is written ---------------------------------------------------

@pytest.mark.parametrize(("change", "rule"), [
    ({"adopted": 3}, "the adoptions add up to adopted"),
    ({"total": 99}, "total = base"),
    ({"quota_met": True, "approved": 1}, "a met quota"),
    ({"quota_met": None}, "no quota applies"),
    ({"penalty_points": 10, "total": 0}, "a penalty needs a missed request"),
    ({"submitted": -1}, "never negative"),
])
def test_a_unit_whose_figures_disagree_is_refused(change: dict[str, object], rule: str) -> None:
    good = unit("a", "城关镇", submitted=6, approved=6, adoptions={"要情快报": 2}, quota_met=True, base=0)
    with pytest.raises(ValueError, match=rule):
        replace(good, **change)


def test_ranks_must_follow_totals() -> None:
    t = table("2026-11", unit("a", "城关镇", base=10, quota=0), unit("b", "东山乡", base=0, quota=0))
    with pytest.raises(ValueError, match="ranks do not follow totals"):
        replace(t, units=(t.units[0], replace(t.units[1], rank=1)))
    with pytest.raises(ValueError, match="ranks do not follow totals"):  # equal totals, two ranks
        replace(t, units=(t.units[1], replace(t.units[1], unit_id="c", rank=3)))
    with pytest.raises(ValueError, match="a unit is listed twice"):
        replace(t, units=(t.units[0], t.units[0]))


# ---- any table -----------------------------------------------------------------------------------------------

@st.composite
def score_tables(draw: st.DrawFn) -> ScoreTable:
    period = draw(st.sampled_from(["2026-11", "2026-Q4", "2026"]))
    year = period == "2026"
    units = []
    for i, name in enumerate(draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=len(NAMES)))):
        approved = draw(st.integers(0, 8))
        has_quota = draw(st.booleans())
        quota = draw(st.integers(0, 8)) if has_quota else 0
        met = (draw(st.booleans()) if approved >= quota else False) if has_quota else None
        missed = draw(st.integers(0, 3))
        units.append(unit(f"u{i}", name, submitted=draw(st.integers(0, 8)), approved=approved,
                          adoptions=draw(st.dictionaries(st.sampled_from(sorted(POINTS)), st.integers(0, 3))),
                          quota=quota, quota_met=met, base=draw(st.sampled_from([0, 10])),
                          bonus=draw(st.sampled_from([0, 2, 5])), missed=missed, zeroed=year and missed >= 2,
                          grade=draw(st.sampled_from(["优秀", "合格", "不合格"])) if year else None))
    return table(period, *units)


@settings(max_examples=300, deadline=None)
@given(score_tables())
def test_every_sentence_agrees_with_the_figures(t: ScoreTable) -> None:
    check_everything(t)
