"""Units (单位) as intake knows them: the PUT body, the directory entry, and the tree's order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from shared.events import UnitKind, UnitLevel, UnitRegistered


class UnitIn(BaseModel):
    """The body of ``PUT /v1/units/{unit_id}`` (contract §Intake); NUL and lone surrogates anywhere in it are
    refused before it is read (``services.intake.domain.bounds.unsafe_fields``)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, examples=["城关镇党政办"])
    level: UnitLevel
    kind: UnitKind
    parent_id: str | None = Field(default=None, max_length=100, description="The main-channel superior (主渠道).")
    department_parent_id: str | None = Field(default=None, max_length=100,
                                             description="The functional superior (双重上报).")


def registered(unit_id: str, unit: UnitIn) -> UnitRegistered:
    return UnitRegistered(unit_id=unit_id, **unit.model_dump())


def same(a: UnitRegistered, b: UnitRegistered) -> bool:
    return a.model_dump() == b.model_dump()


def missing_parents(unit_id: str, unit: UnitIn, known: Iterable[str]) -> list[str]:
    """The parent fields naming a unit that is neither registered nor the unit itself."""
    present = set(known)
    return [f for f in ("parent_id", "department_parent_id")
            if (v := getattr(unit, f)) is not None and v not in present and v != unit_id]


#: Territorial levels from the top (regulations §1); a unit's parent is of its own level or above.
LEVEL_RANK: dict[str, int] = {"province": 0, "prefecture": 1, "county": 2, "town": 3, "village": 4}
#: ``organization`` (a school, station, company) hangs under a unit of any level, or under another
#: organization; no territorial unit hangs under an organization.
ORGANIZATION = "organization"
PARENT_FIELDS = ("parent_id", "department_parent_id")
Fault = tuple[str, Literal["cycle", "lower_level"]]


class Placed(Protocol):
    """What the directory rules read of a unit (``UnitIn`` or ``UnitRegistered``)."""

    @property
    def level(self) -> str: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def department_parent_id(self) -> str | None: ...


def may_hang_under(child_level: str, parent_level: str) -> bool:
    if child_level == ORGANIZATION:
        return True
    if parent_level == ORGANIZATION:
        return False
    return LEVEL_RANK[parent_level] <= LEVEL_RANK[child_level]


def _reaches(start: str, target: str, directory: Mapping[str, Placed]) -> bool:
    """Whether walking up from ``start`` (both parent fields) arrives at ``target``."""
    stack, seen = [start], set()
    while stack:
        uid = stack.pop()
        if uid == target:
            return True
        if uid in seen or uid not in directory:
            continue
        seen.add(uid)
        stack += [p for p in (directory[uid].parent_id, directory[uid].department_parent_id) if p is not None]
    return False


def directory_faults(unit_id: str, unit: Placed, directory: Mapping[str, Placed]) -> list[Fault]:
    """What placing ``unit`` as ``unit_id`` would break: a parent field that closes a cycle (itself included)
    or names a unit of a lower level. ``directory`` holds at least the parents and every unit above them."""
    others = {uid: u for uid, u in directory.items() if uid != unit_id}
    faults: list[Fault] = []
    for name in PARENT_FIELDS:
        parent_id = getattr(unit, name)
        if parent_id is None:
            continue
        if _reaches(parent_id, unit_id, others):
            faults.append((name, "cycle"))
        parent = directory.get(parent_id) if parent_id != unit_id else unit
        if parent is not None and not may_hang_under(unit.level, parent.level):
            faults.append((name, "lower_level"))
    return faults


def tree_order(units: dict[str, UnitIn]) -> list[str]:
    """Unit ids with every parent before its children (parents outside ``units`` are assumed known)."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(uid: str, path: tuple[str, ...]) -> None:
        if uid in seen:
            return
        if uid in path:
            raise ValueError(f"units form a cycle: {' → '.join((*path, uid))}")
        u = units[uid]
        for parent in (u.parent_id, u.department_parent_id):
            if parent is not None and parent in units and parent != uid:
                visit(parent, (*path, uid))
        seen.add(uid)
        done.append(uid)

    for uid in units:
        visit(uid, ())
    return done
