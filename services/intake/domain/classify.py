"""Classification of a report against a policy pack: reportable?, grade I–IV, and why (pure).

Every number comes from the pack (docs/rules.md §3); this module only reads figures off the
report and compares them with the pack's inclusive thresholds (以上/含).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.events import Grade
from shared.policy import Category, Pack, Threshold
from shared.report import Report

#: How the sensitivity clause's flags read in an answer (labels, not rules).
FLAG_WORDS: dict[str, tuple[str, str]] = {
    "sensitive_time": ("敏感时间", "sensitive time"),
    "sensitive_place": ("敏感地点", "sensitive place"),
    "special_identity": ("涉及特殊身份人员", "people of special identity"),
    "wide_attention": ("社会影响较大", "wide attention"),
}


@dataclass(frozen=True)
class Classification:
    reportable: bool
    grade: Grade | None
    policy: str
    reasons: list[str] = field(default_factory=list)
    reasons_zh: list[str] = field(default_factory=list)


class UnknownCategory(KeyError):
    """The report's category code is not in the pack."""


def figures(report: Report) -> dict[str, int]:
    """Every figure a threshold may test (see ``shared.policy.Metric``)."""
    c = report.casualties
    values = {
        "deaths": c.deaths, "injured": c.injured, "seriously_injured": c.seriously_injured,
        "missing": c.missing, "poisoned": c.poisoned, "dead_and_injured": c.deaths + c.injured,
        "economic_loss_cny": report.economic_loss_cny, "participants": report.participants,
    }
    return {**report.impact, **values}


def _met(thresholds: tuple[Threshold, ...], values: dict[str, int]) -> list[Threshold]:
    return [t for t in thresholds if values.get(t.metric, 0) >= t.min]


def category_of(pack: Pack, code: str) -> Category:
    try:
        return pack.categories[code]
    except KeyError:
        raise UnknownCategory(code) from None


def classify(pack: Pack, report: Report) -> Classification:
    """Reportable when always, at or over a threshold, or (below it) when a sensitivity flag is set."""
    category = category_of(pack, report.category)
    values = figures(report)
    reasons: list[tuple[str, str]] = []
    if category.always:
        reasons.append((f"{category.name.zh}：一律报送", f"{category.name.en}: always reportable"))
    reasons += [(t.reason.zh, t.reason.en) for t in _met(category.thresholds, values)]
    if not reasons:
        flags = report.flags.model_dump()
        reasons += [(f"敏感条款：{FLAG_WORDS[f][0]}", f"sensitivity: {FLAG_WORDS[f][1]}")
                    for f in pack.sensitivity_flags if flags.get(f)]
    if not reasons:
        return Classification(reportable=False, grade=None, policy=pack.ref)
    grade: Grade | None = None
    for rule in pack.grades:
        met = _met(rule.any, values)
        if met:
            grade = rule.grade
            if rule is not pack.grades[-1]:
                reasons.append((f"{rule.grade}级（{rule.name.zh}）：{met[0].reason.zh}",
                                f"grade {rule.grade} ({rule.name.en}): {met[0].reason.en}"))
            break
    return Classification(reportable=True, grade=grade, policy=pack.ref,
                          reasons=[en for _, en in reasons], reasons_zh=[zh for zh, _ in reasons])


GRADE_RANK: dict[Grade | None, int] = {None: 0, "IV": 1, "III": 2, "II": 3, "I": 4}
