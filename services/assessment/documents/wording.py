"""The words of the score documents, each sentence chosen by the figures it states (pure functions).

No sentence judges with a word the figures cannot back ("较好", "大部分"): each says what the numbers are,
and which branch of a sentence is taken depends only on them (docs/work-information/documents.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from services.assessment.documents.inputs import ScoreTable, UnitScore
from shared.periods import Period

THIS = {"month": "本月", "quarter": "本季度", "year": "本年度"}
NEXT = {"month": "下月", "quarter": "下季度", "year": "下一年度"}


def names(units: Sequence[UnitScore]) -> str:
    return "、".join(u.name for u in units)


def breakdown(adoptions: Mapping[str, int]) -> str:
    """``要情快报2条、政务信息1条`` (publications with at least one adoption, in the given order)."""
    return "、".join(f"{publication}{n}条" for publication, n in adoptions.items() if n)


def total_adoptions(units: Sequence[UnitScore]) -> dict[str, int]:
    out: dict[str, int] = {}
    for unit in units:
        for publication, n in unit.adoptions.items():
            out[publication] = out.get(publication, 0) + n
    return out


# ---- 总体情况 -------------------------------------------------------------------------------------------

def overview(table: ScoreTable) -> list[str]:
    """The overview's sentences: counts, quotas, adoptions, missed requests, the top score, the grades."""
    units, period = table.units, table.period
    if not units:
        return [f"{period.name_zh}，没有参加信息工作考核的单位。"]
    adopted = sum(u.adopted for u in units)
    detail = f"（{breakdown(total_adoptions(units))}）" if adopted else ""
    out = [f"{period.name_zh}，参加信息工作考核的单位共{len(units)}个，共报送信息{sum(u.submitted for u in units)}条，"
           f"经本单位审签上报{sum(u.approved for u in units)}条，被各级刊物采用{adopted}条{detail}。",
           quota_summary(units), adoption_summary(units), request_summary(units, period), top_score(units)]
    if period.kind == "year":
        out.append(grade_summary(units))
    return out


def quota_summary(units: Sequence[UnitScore]) -> str:
    with_quota = [u for u in units if u.quota_met is not None]
    met = [u for u in with_quota if u.quota_met]
    free = len(units) - len(with_quota)
    if not with_quota:
        return "各单位均无定额要求。"
    whom = "各单位" if not free else f"有定额要求的{len(with_quota)}个单位"
    if len(met) == len(with_quota):
        sentence = f"{whom}均完成了定额任务"
    elif not met:
        sentence = f"{whom}均未完成定额任务"
    else:
        sentence = f"{len(met)}个单位完成了定额任务，{len(with_quota) - len(met)}个单位未完成"
    return sentence + (f"，{free}个单位无定额要求。" if free else "。")


def adoption_summary(units: Sequence[UnitScore]) -> str:
    adopted = [u for u in units if u.adopted]
    if not adopted:
        return "没有单位的信息被采用。"
    if len(adopted) == len(units):
        return "各单位均有信息被采用。"
    return f"{len(adopted)}个单位有信息被采用，{len(units) - len(adopted)}个单位没有信息被采用。"


def request_summary(units: Sequence[UnitScore], period: Period) -> str:
    missing = [u for u in units if u.requests_missed]
    if not missing:
        return f"{THIS[period.kind]}没有约稿未按时报送的情况。"
    return f"约稿未按时报送共{sum(u.requests_missed for u in missing)}次，涉及{len(missing)}个单位。"


def top_score(units: Sequence[UnitScore]) -> str:
    best = max(u.total for u in units)
    top = [u for u in units if u.total == best]
    if len(top) == 1:
        return f"合计得分最高的是{top[0].name}（{best}分）。"
    if len(top) == len(units):
        return f"各单位合计得分相同，均为{best}分。"
    return f"合计得分最高的是{names(top)}（并列，各{best}分）。"


def grade_summary(units: Sequence[UnitScore]) -> str:
    counts: dict[str, int] = {}
    for unit in sorted(units, key=lambda u: u.rank):
        grade = unit.grade.zh if unit.grade else "未评定"
        counts[grade] = counts.get(grade, 0) + 1
    return "考核等次：" + "，".join(f"{grade}{n}个" for grade, n in counts.items()) + "。"


# ---- 各单位情况 -----------------------------------------------------------------------------------------

def unit_sentence(unit: UnitScore, table: ScoreTable) -> str:
    """One sentence on a unit, in the manner of the model report's 报送率分析, every figure its own."""
    this = THIS[table.period.kind]
    if unit.submitted == 0 and unit.approved == 0:
        clauses = [f"{unit.name}{this}未报送信息"]
    elif unit.submitted == 0:
        clauses = [f"{unit.name}{this}未报送信息，经审签上报此前报送的信息{unit.approved}条"]
    else:
        clauses = [f"{unit.name}{this}报送信息{unit.submitted}条，经审签上报{unit.approved}条"]
    clauses.append(quota_clause(unit))
    if unit.adopted:
        clauses.append(f"被采用{unit.adopted}条（{breakdown(unit.adoptions)}），得采用分{unit.adoption_points}分")
    else:
        clauses.append("没有信息被采用")
    if unit.bonus_points:
        clauses.append(f"获领导批示加{unit.bonus_points}分")
    if unit.requests_missed:
        clauses.append(f"约稿未按时报送{unit.requests_missed}次，扣{unit.penalty_points}分")
    clauses.append(points_clause(unit, table))
    return "；".join(clauses) + "。"


def quota_clause(unit: UnitScore) -> str:
    if unit.quota_met is None:
        return "无定额要求"
    if unit.quota_met:
        return f"完成定额任务（定额{unit.quota}条）"
    if unit.approved < unit.quota:
        return f"未完成定额任务（定额{unit.quota}条）"
    return f"上报总数虽达到定额{unit.quota}条，但按定额口径（逐期、按类别计算）未完成定额任务"


def points_clause(unit: UnitScore, table: ScoreTable) -> str:
    tied = [u for u in table.units if u.rank == unit.rank and u is not unit]
    place = f"与{names(tied)}并列第{unit.rank}位" if tied else f"排名第{unit.rank}位"
    parts = (f"基础分{unit.base_points}分、采用分{unit.adoption_points}分、"
             f"加分{unit.bonus_points}分、扣分{unit.penalty_points}分")
    if unit.zeroed:
        text = (f"各项合计{unit.points_before_zeroing}分（{parts}），"
                f"因约稿未按时报送{unit.requests_missed}次全年得分计零，{place}")
    else:
        text = f"合计{unit.total}分（{parts}），{place}"
    if unit.grade is not None:
        text += f"，考核等次为{unit.grade.zh}"
    return text


# ---- 存在问题、下一步工作建议 ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One kind of shortfall: the units it names, the problem and the suggestion for them."""

    key: str
    units: tuple[UnitScore, ...]
    problem: str
    suggestion: str


def _finding(key: str, units: Sequence[UnitScore], problem: Callable[[str], str],
             suggestion: Callable[[str], str]) -> list[Finding]:
    if not units:
        return []
    who = names(units)
    return [Finding(key, tuple(units), problem(who), suggestion(who))]


def findings(table: ScoreTable) -> list[Finding]:
    """The shortfalls of the period, each naming exactly the units whose figures show it."""
    units, kind = table.ranked(), table.period.kind
    this, next_ = THIS[kind], NEXT[kind]
    silent = [u for u in units if u.submitted == 0]
    short = [u for u in units if u.quota_met is False]
    missed = [u for u in units if u.requests_missed]
    unadopted = [u for u in units if u.adopted == 0]
    zeroed = [u for u in units if u.zeroed]
    missed_detail = "、".join(f"{u.name}{u.requests_missed}次" for u in missed)
    return [
        *_finding("silent", silent, lambda who: f"{who}{this}未报送信息。",
                  lambda who: f"请{who}明确信息员，落实信息采写责任，做到按期报送。"),
        *_finding("short", short, lambda who: f"{who}未完成{this}定额任务。",
                  lambda who: f"请{who}对照定额要求拓宽信息来源，确保完成{next_}的定额任务。"),
        *_finding("missed", missed, lambda who: f"{who}存在约稿未按时报送的情况（{missed_detail}）。",
                  lambda who: f"请{who}严格落实约稿制度，在约定时限内报送约稿信息。"),
        *_finding("zeroed", zeroed, lambda who: f"{who}因约稿未按时报送次数达到规定，全年得分计零。",
                  lambda who: f"请{who}认真整改，杜绝约稿未报、迟报。"),
        *_finding("unadopted", unadopted, lambda who: f"{who}{this}没有信息被采用。",
                  lambda who: f"请{who}围绕中心工作提高信息质量，多报有情况、有分析、有建议的信息，争取被采用。"),
    ]


def problems(table: ScoreTable) -> list[str]:
    found = findings(table)
    if found:
        return [f.problem for f in found]
    if not table.units:
        return ["没有参加考核的单位，无问题可列。"]
    this = THIS[table.period.kind]
    return [f"各单位{this}均报送了信息；" + quota_summary(table.units).removesuffix("。")
            + "；没有约稿未按时报送的情况；各单位均有信息被采用。"]


def suggestions(table: ScoreTable) -> list[str]:
    found = findings(table)
    general = "各单位要严格执行信息报送制度，信息经本单位主要负责人审签后按时报送，一事一报，做到准确、及时。"
    if found:
        return [f.suggestion for f in found] + [general]
    return ["请各单位保持现有做法，进一步提高信息的时效性和质量，争取更多信息被上级刊物采用。", general]
