"""Information packs: the numbers of the work-information rules (信息工作, docs/rules.md §9) as versioned data.

An information pack says, for the units it governs: the item kinds and when each is due, who signs an item
off inside the unit, the quotas per period (per unit or per writer), the publications that adopt items
and their points by level, the bonus of a leader's instruction (批示) by level, the penalty of a missed
commissioned request (约稿), the monthly base points and the year-end grades. The files live in
``shared/packs/information/`` beside their own ``assignments.yaml`` (by unit id, then unit kind, else the
default). Services load them through this module only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, model_validator

from shared.events import UnitKind, UnitLevel
from shared.item import InstructionLevel, ItemKind
from shared.offset import CHINA
from shared.policy import (
    MAX_LIMIT,
    PACKS_DIR,
    Assignments,
    PackError,
    SignOffStep,
    Words,
    load_assignments,
    pack_names,
)
from shared.report import MAX_YEAR, MIN_YEAR

INFO_PACKS_DIR = PACKS_DIR / "information"

class KindRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Words
    due_after: timedelta | None = Field(
        default=None, le=MAX_LIMIT,
        description="Due (signed and sent out of the unit) this long after the start of the day it happened"
                    " (Beijing time; the day it was received when it names none). None: no due time.")


class Quota(BaseModel):
    """At least ``min`` approved items each ``period`` from every unit (or writer) it applies to.

    It applies to a unit when the unit's id is in ``units``, or (``units`` empty) its kind is in
    ``unit_kinds`` or its level in ``levels`` (both empty: every unit). ``kinds``: the item kinds counted
    (None: all). ``per: author`` counts each writer (供稿人, by name within the unit) separately."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    period: Literal["month", "quarter", "year"]
    min: NonNegativeInt
    units: tuple[str, ...] = ()
    unit_kinds: tuple[UnitKind, ...] = ()
    levels: tuple[UnitLevel, ...] = ()
    kinds: tuple[ItemKind, ...] | None = None
    per: Literal["unit", "author"] = "unit"
    name: Words

    def applies_to(self, *, unit_id: str, kind: str | None, level: str | None) -> bool:
        if self.units:
            return unit_id in self.units
        by_kind = not self.unit_kinds or kind in self.unit_kinds
        by_level = not self.levels or level in self.levels
        return by_kind and by_level


class Publication(BaseModel):
    """A publication of the units of ``level`` (e.g. the county's 要情快报) and the points of one adoption."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    level: UnitLevel
    points: NonNegativeInt


class Points(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    base_per_month: NonNegativeInt = Field(description="Points for each month whose unit quotas are all met.")
    base_year_max: NonNegativeInt | None = Field(default=None, description="Base points a year may give at most.")
    instruction: dict[InstructionLevel, NonNegativeInt] = Field(
        default_factory=dict, description="Bonus for a leader's instruction (批示), by the leader's level.")
    request_missed: NonNegativeInt = Field(description="Points lost for each commissioned request (约稿) missed.")
    request_misses_zero_year: NonNegativeInt | None = Field(
        default=None, description="This many missed requests in a year zero the unit's year score.")


class YearGrade(BaseModel):
    """A year-end grade (等次), reached at ``min`` points or more; listed highest first."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    min: NonNegativeInt
    name: Words


class InfoPack(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    version: int
    title: Words
    sources: tuple[str, ...] = Field(description="The documents the numbers come from, by title (docs/rules.md).")
    kinds: dict[ItemKind, KindRule]
    sign_off: tuple[SignOffStep, ...] = Field(min_length=1)
    quotas: tuple[Quota, ...] = ()
    publications: tuple[Publication, ...] = ()
    points: Points
    grades: tuple[YearGrade, ...] = ()
    failing_grade: Words = Field(description="The grade below every listed one (不合格).")

    @property
    def ref(self) -> str:
        """``name@version``, as events and scores carry it."""
        return f"{self.name}@{self.version}"

    @model_validator(mode="after")
    def _checked(self) -> InfoPack:
        mins = [g.min for g in self.grades]
        if mins != sorted(mins, reverse=True):
            raise ValueError("grades must be listed highest first")
        seen = [(p.level, p.name) for p in self.publications]
        if len(seen) != len(set(seen)):
            raise ValueError("a publication is named twice at one level")
        return self

    def publication(self, name: str, level: str | None) -> Publication | None:
        """The publication ``name`` of units at ``level``, if the pack has it."""
        return next((p for p in self.publications if p.name == name and p.level == level), None)

    def due_at(self, kind: str, *, happened_on: date | None, received_at: datetime) -> datetime | None:
        """When an item of ``kind`` is due (+08:00), or None when its kind has no due time."""
        rule = self.kinds.get(kind)  # type: ignore[call-overload]
        if rule is None or rule.due_after is None:
            return None
        day = happened_on or received_at.astimezone(CHINA).date()
        due = datetime(day.year, day.month, day.day, tzinfo=CHINA) + rule.due_after
        return due if due.year <= MAX_YEAR and day.year >= MIN_YEAR else None

    def quotas_for(self, *, unit_id: str, kind: str | None, level: str | None) -> tuple[Quota, ...]:
        return tuple(q for q in self.quotas if q.applies_to(unit_id=unit_id, kind=kind, level=level))

    def unit_quotas(self, *, unit_id: str, kind: str | None, level: str | None) -> tuple[Quota, ...]:
        """The quotas a unit owes as a whole (``per: unit``, ``min`` > 0), one per (period, kinds counted).

        Two quotas of one period counting the same kinds (a unit both of a kind and of a level the pack names)
        are one obligation, the stricter: meeting it meets both. Escalation settles these at each period's
        end; assessment scores them — both through this method, so they agree."""
        strictest: dict[tuple[str, tuple[str, ...] | None], Quota] = {}
        for q in self.quotas_for(unit_id=unit_id, kind=kind, level=level):
            if q.per != "unit" or q.min == 0:
                continue
            key = (q.period, tuple(sorted(q.kinds)) if q.kinds is not None else None)
            if key not in strictest or q.min > strictest[key].min:
                strictest[key] = q
        return tuple(strictest[key] for key in sorted(strictest, key=lambda k: (k[0], k[1] or ())))

    def grade_of(self, total: float) -> Words:
        return next((g.name for g in self.grades if total >= g.min), self.failing_grade)


def load_info_pack_file(path: Path) -> InfoPack:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return InfoPack.model_validate(raw)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise PackError(f"information pack {path}: {exc}") from exc


@cache
def load_info_pack(name: str, directory: Path = INFO_PACKS_DIR) -> InfoPack:
    return load_info_pack_file(directory / f"{name}.yaml")


def info_assignments(directory: Path = INFO_PACKS_DIR) -> Assignments:
    return load_assignments(directory)


def check_info_packs(directory: Path = INFO_PACKS_DIR) -> None:
    """Start-up check: every information pack parses and its assignments name only its packs."""
    for name in pack_names(directory):
        load_info_pack(name, directory)
    info_assignments(directory)


def info_pack_for(policy: str | None = None, *, unit_id: str, unit_kind: str | None) -> InfoPack:
    """The pack an event names (``name@version``) if this deployment has it, else the unit's by assignment."""
    if policy and policy.partition("@")[0] in pack_names(INFO_PACKS_DIR):
        return load_info_pack(policy.partition("@")[0])
    return load_info_pack(info_assignments().pack_name_for(unit_id=unit_id, kind=unit_kind))
