"""What the assessment documents are made from: a period's score table and a publication's issue.

Plain frozen dataclasses, built by the assessment service from its read models (``/v1/scores`` and the
adoptions). A table checks on construction that its figures agree with each other (the adoptions add up to
``adopted``, ``total`` is the sum of its parts, ranks follow totals, …), because every sentence of a document
is chosen by these figures and must not contradict its own table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from shared.periods import Period
from shared.policy import Words


@dataclass(frozen=True)
class Letterhead:
    """The frame of an official document (GB/T 9704): who issues it, under which number, to whom, when."""

    #: 发文机关, e.g. ``××县人民政府办公室``: the red head, the signature and the imprint.
    issuer: str
    #: 主送机关, e.g. ``各乡镇人民政府，县直各单位``.
    addressees: str
    #: 成文日期 (and 印发日期).
    dated: date
    #: 发文字号, e.g. ``县政办信〔2026〕11号``; None leaves the line out.
    number: str | None = None


@dataclass(frozen=True)
class UnitScore:
    """One unit's line of a score (the fields of ``/v1/scores``), plus what the year's documents need."""

    unit_id: str
    name: str
    #: Items received from the unit in the period (``ItemSubmitted``).
    submitted: int
    #: Items whose final sign-off fell in the period.
    approved: int
    #: Adoptions of the unit's items in the period, all publications and levels.
    adopted: int
    #: ``{publication name: adoptions}``; adds up to ``adopted``.
    adoptions: Mapping[str, int]
    #: The period's quota (0 when none applies).
    quota: int
    #: Every quota met in each of its periods; None when no quota applies.
    quota_met: bool | None
    base_points: int
    adoption_points: int
    bonus_points: int
    penalty_points: int
    #: ``base + adoption + bonus − penalty``, or 0 when ``zeroed``.
    total: int
    #: 1 = highest total; equal totals share a rank.
    rank: int
    #: Commissioned requests (约稿) the unit missed in the period (the breaches behind ``penalty_points``).
    requests_missed: int = 0
    #: The year's grade (等次), for year tables.
    grade: Words | None = None
    #: The year's total was set to 0 by the pack's missed-request rule.
    zeroed: bool = False

    @property
    def points_before_zeroing(self) -> int:
        return self.base_points + self.adoption_points + self.bonus_points - self.penalty_points

    def __post_init__(self) -> None:
        counts = {"submitted": self.submitted, "approved": self.approved, "adopted": self.adopted,
                  "quota": self.quota, "base_points": self.base_points, "adoption_points": self.adoption_points,
                  "bonus_points": self.bonus_points, "penalty_points": self.penalty_points,
                  "requests_missed": self.requests_missed, **{f"adoptions[{k}]": v for k, v in self.adoptions.items()}}
        _require(all(v >= 0 for v in counts.values()), self, "counts and points are never negative")
        _require(sum(self.adoptions.values()) == self.adopted, self, "the adoptions add up to adopted")
        _require(self.adopted > 0 or self.adoption_points == 0, self, "adoption points need an adoption")
        _require(self.rank >= 1, self, "ranks start at 1")
        _require(self.quota_met is not None or self.quota == 0, self, "no quota applies (quota_met null): quota 0")
        _require(self.quota_met is not True or self.approved >= self.quota, self,
                 "a met quota means at least that many approved items")
        _require(self.penalty_points == 0 or self.requests_missed > 0, self, "a penalty needs a missed request")
        _require(self.total == (0 if self.zeroed else self.points_before_zeroing), self,
                 "total = base + adoption + bonus − penalty (0 when zeroed)")


@dataclass(frozen=True)
class ScoreTable:
    """A month's, quarter's or year's scores of the units one office assesses, and the document's frame."""

    period: Period
    #: The information pack's ``name@version`` the points come from.
    policy: str
    letterhead: Letterhead
    units: tuple[UnitScore, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        ids = [u.unit_id for u in self.units]
        if len(ids) != len(set(ids)):
            raise ValueError(f"a unit is listed twice: {sorted(i for i in set(ids) if ids.count(i) > 1)}")
        for a in self.units:
            for b in self.units:
                if (a.total > b.total and a.rank >= b.rank) or (a.total == b.total and a.rank != b.rank):
                    raise ValueError(f"ranks do not follow totals: {a.unit_id} ({a.total}, rank {a.rank}) "
                                     f"vs {b.unit_id} ({b.total}, rank {b.rank})")
        if self.period.kind != "year" and any(u.zeroed or u.grade for u in self.units):
            raise ValueError("grades and zeroing belong to year tables only")

    def ranked(self) -> tuple[UnitScore, ...]:
        """The units by rank (the given order within a rank)."""
        return tuple(sorted(self.units, key=lambda u: u.rank))


@dataclass(frozen=True)
class BulletinItem:
    """One adopted item as a publication prints it."""

    title: str
    #: The text; a blank line or a line break starts a new paragraph.
    body: str
    author_name: str
    writing_unit_name: str
    #: 供稿科室, when the item names one.
    section: str | None = None


@dataclass(frozen=True)
class Bulletin:
    """An issue of a publication (e.g. 《要情快报》2026年第45期) compiled from the items adopted into it."""

    publication: str
    #: ``2026年第45期``, as the adoptions name it.
    issue: str
    #: 编印单位: the office whose editors adopted the items.
    issuer: str
    dated: date
    items: tuple[BulletinItem, ...] = field(default_factory=tuple)


def _require(holds: bool, unit: UnitScore, rule: str) -> None:
    if not holds:
        raise ValueError(f"unit {unit.unit_id}: {rule}")
