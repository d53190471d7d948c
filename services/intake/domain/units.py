"""Units (单位) as intake knows them: the PUT body, the directory entry, and the tree's order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.events import UnitKind, UnitLevel, UnitRegistered
from shared.storable import storable_text

Text = Annotated[str, AfterValidator(storable_text)]


class UnitIn(BaseModel):
    """The body of ``PUT /v1/units/{unit_id}`` (contract §Intake)."""

    model_config = ConfigDict(extra="forbid")
    name: Text = Field(min_length=1, max_length=200, examples=["城关镇党政办"])
    level: UnitLevel
    kind: UnitKind
    parent_id: Text | None = Field(default=None, max_length=100, description="The main-channel superior (主渠道).")
    department_parent_id: Text | None = Field(default=None, max_length=100,
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
