"""The score of one unit for one period (考核得分), from its monthly figures and its information pack; pure.

The figures are aggregates the database already counted per month (``MonthFigures``); this module only
applies the pack's numbers to them (docs/work-information/assessment.md, "Counting rules"):

- ``quota``: over the unit's ``per: unit`` quotas whose period is no longer than the asked one, ``min`` times
  the number of such quota periods in it; ``quota_met``: each of them met in each of its periods (None: no
  quota applies).
- ``base_points``: ``base_per_month`` for each month in which the unit met all its monthly unit quotas; a unit
  with none earns a month's base when its quarter's quarterly unit quotas are met; a unit with neither earns
  none. A year's base is capped at ``base_year_max``.
- ``adoption_points``: each adoption, the pack's points of the publication at its level (0 when the unit's
  pack does not list it); ``bonus_points``: each instruction, ``points.instruction[level]``;
  ``penalty_points``: each missed request, ``points.request_missed``.
- ``total = base + adoption + bonus − penalty``; in a year with ``request_misses_zero_year`` misses or more it
  is 0 (``zeroed``). A quarter is the sum of its months, a year of its quarters (but for the cap and the zero).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from shared.information import InfoPack, Quota
from shared.periods import Period, PeriodKind, period_containing

MONTHS_IN: Mapping[PeriodKind, int] = {"month": 1, "quarter": 3, "year": 12}


@dataclass
class MonthFigures:
    """What one unit did in one month, as counted from its facts."""

    submitted: int = 0
    #: Items whose final sign-off fell in the month, by item kind (None: the submission is not known).
    approved: Counter[str | None] = field(default_factory=Counter)
    #: Adoptions of the unit's items, by (publication level, publication name).
    adoptions: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Leaders' instructions (批示) on the unit's items, by level.
    instructions: Counter[str] = field(default_factory=Counter)
    requests_missed: int = 0


@dataclass(frozen=True)
class UnitInfo:
    unit_id: str
    name: str
    kind: str | None
    level: str | None


@dataclass(frozen=True)
class UnitScore:
    unit: UnitInfo
    policy: str
    submitted: int
    approved: int
    adopted: int
    adoptions: dict[str, int]
    adoptions_by_level: dict[str, dict[str, int]]
    quota: int | None
    quota_met: bool | None
    base_points: int
    adoption_points: int
    bonus_points: int
    penalty_points: int
    total: int
    requests_missed: int
    zeroed: bool = False
    grade: dict[str, str] | None = None

    def as_json(self, rank: int) -> dict[str, Any]:
        row: dict[str, Any] = {
            "unit_id": self.unit.unit_id, "name": self.unit.name, "policy": self.policy,
            "submitted": self.submitted, "approved": self.approved, "adopted": self.adopted,
            "adoptions": self.adoptions, "adoptions_by_level": self.adoptions_by_level, "quota": self.quota,
            "quota_met": self.quota_met, "base_points": self.base_points, "adoption_points": self.adoption_points,
            "bonus_points": self.bonus_points, "penalty_points": self.penalty_points,
            "requests_missed": self.requests_missed, "total": self.total, "rank": rank}
        if self.grade is not None:
            row.update(grade=self.grade, zeroed=self.zeroed)
        return row


def covering(period: Period) -> Period:
    """The period whose monthly figures a score of ``period`` needs: a month's quarter (a unit with only
    quarterly quotas earns a month's base by its quarter), else the period itself."""
    return period_containing(period.start, "quarter") if period.kind == "month" else period


def parts(period: Period, kind: PeriodKind) -> tuple[Period, ...]:
    """The periods of ``kind`` that make up ``period`` (``kind`` no longer than it)."""
    if kind == "month":
        return months_of(period)
    if kind == period.kind:
        return (period,)
    return tuple(Period(period.year, "quarter", n) for n in range(1, 5))


def unit_quotas(pack: InfoPack, unit: UnitInfo) -> tuple[Quota, ...]:
    """The quotas on the unit as a whole (``InfoPack.unit_quotas``, as escalation settles them; per-writer
    quotas are not scored here)."""
    return pack.unit_quotas(unit_id=unit.unit_id, kind=unit.kind, level=unit.level)


@cache
def months_of(period: Period) -> tuple[Period, ...]:
    return period.months()


class Tally:
    """Whether a unit met a quota in a period, from its months' figures; each (quota, period) counted once."""

    def __init__(self, months: Mapping[Period, MonthFigures]):
        self._months = months
        self._met: dict[tuple[int, Period], bool] = {}

    def approved_in(self, quota: Quota, period: Period) -> int:
        """The unit's approved items of the kinds ``quota`` counts, in ``period``."""
        total = 0
        for month in months_of(period):
            figures = self._months.get(month)
            if figures is not None:
                total += sum(n for kind, n in figures.approved.items() if quota.kinds is None or kind in quota.kinds)
        return total

    def met(self, quota: Quota, period: Period) -> bool:
        key = (id(quota), period)
        if key not in self._met:
            self._met[key] = self.approved_in(quota, period) >= quota.min
        return self._met[key]

    def earns_base(self, month: Period, quotas: tuple[Quota, ...]) -> bool:
        monthly = [q for q in quotas if q.period == "month"]
        if monthly:
            return all(self.met(q, month) for q in monthly)
        quarterly = [q for q in quotas if q.period == "quarter"]
        quarter = period_containing(month.start, "quarter")
        return bool(quarterly) and all(self.met(q, quarter) for q in quarterly)


def _sum(months: Iterable[MonthFigures]) -> MonthFigures:
    whole = MonthFigures()
    for m in months:
        whole.submitted += m.submitted
        whole.approved.update(m.approved)
        whole.adoptions.update(m.adoptions)
        whole.instructions.update(m.instructions)
        whole.requests_missed += m.requests_missed
    return whole


def score(pack: InfoPack, unit: UnitInfo, period: Period, months: Mapping[Period, MonthFigures]) -> UnitScore:
    """``unit``'s score for ``period``; ``months`` holds its figures for the months of ``covering(period)``
    (a month missing: nothing happened in it)."""
    quotas = unit_quotas(pack, unit)
    applicable = [q for q in quotas if MONTHS_IN[q.period] <= MONTHS_IN[period.kind]]
    tally = Tally(months)
    whole = _sum(months[m] for m in months_of(period) if m in months)
    base = pack.points.base_per_month * sum(tally.earns_base(m, quotas) for m in months_of(period))
    if period.kind == "year" and pack.points.base_year_max is not None:
        base = min(base, pack.points.base_year_max)
    by_level: dict[str, dict[str, int]] = {}
    by_name: Counter[str] = Counter()
    adoption_points = 0
    for (level, publication), n in sorted(whole.adoptions.items()):
        by_level.setdefault(level, {})[publication] = n
        by_name[publication] += n
        listed = pack.publication(publication, level)
        adoption_points += n * (listed.points if listed is not None else 0)
    bonus = sum(n * pack.points.instruction.get(level, 0)  # type: ignore[call-overload]
                for level, n in whole.instructions.items())
    penalty = whole.requests_missed * pack.points.request_missed
    total = base + adoption_points + bonus - penalty
    year = period.kind == "year"
    zero_at = pack.points.request_misses_zero_year
    zeroed = year and zero_at is not None and whole.requests_missed >= zero_at
    if zeroed:
        total = 0
    return UnitScore(
        unit=unit, policy=pack.ref, submitted=whole.submitted, approved=sum(whole.approved.values()),
        adopted=sum(whole.adoptions.values()), adoptions=dict(sorted(by_name.items())), adoptions_by_level=by_level,
        quota=sum(q.min * len(parts(period, q.period)) for q in applicable) if applicable else None,
        quota_met=all(tally.met(q, p) for q in applicable for p in parts(period, q.period)) if applicable else None,
        base_points=base, adoption_points=adoption_points, bonus_points=bonus, penalty_points=penalty, total=total,
        requests_missed=whole.requests_missed, zeroed=zeroed,
        grade=pack.grade_of(total).model_dump() if year else None)


def ranks(totals: Iterable[int]) -> list[int]:
    """Each total's rank: 1 for the highest; equal totals share a rank (1, 1, 3)."""
    values = list(totals)
    first: dict[int, int] = {}
    for place, value in enumerate(sorted(values, reverse=True), 1):
        first.setdefault(value, place)
    return [first[value] for value in values]
