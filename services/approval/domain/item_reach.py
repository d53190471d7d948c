"""What the units an item reached may do with it: receipts, adoption, forwarding (转报), instructions (pure).

An item *reaches* a unit when it is sent there: by its writing unit's final sign-off, or forwarded on by
an editor of a unit it had reached. Any role of a reached unit acknowledges it (回执); an ``editor``
(信息科) of a reached unit adopts it into one of the unit's publications — those the unit's information
pack lists at the unit's level — and forwards it on to the unit's parent; a ``principal`` of a reached
unit records a leader's instruction (批示).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from services.approval.domain.signoff import Refused
from shared.events import UnitRegistered
from shared.information import InfoPack, Publication

ROLE_NAMES_ZH = {"editor": "信息科编辑（editor）", "principal": "主要领导（principal）"}
LEVEL_NAMES_ZH = {"province": "省级", "prefecture": "州（市）级", "county": "县级", "town": "乡镇级",
                  "village": "村（社区）级", "organization": "基层单位"}


def check_role(roles: Iterable[str], role: str, *, action_zh: str, action_en: str) -> None:
    if role not in set(roles):
        raise Refused(403, "Forbidden", f"只有{ROLE_NAMES_ZH[role]}可以{action_zh}",
                      f"only an {role} may {action_en}" if role[0] in "aeiou" else f"only a {role} may {action_en}")


def check_reached(unit: str | None, reached: Collection[str]) -> str:
    """The caller's unit, when the item reached it; else 403."""
    if unit is None or unit not in reached:
        raise Refused(403, "Forbidden", "该信息未报送至本单位", "the item has not reached your unit")
    return unit


def adoptable(pack: InfoPack, level: str) -> list[str]:
    """The publications a unit of ``level`` adopts into, by the unit's own pack."""
    return [p.name for p in pack.publications if p.level == level]


def publication_for(pack: InfoPack, unit: UnitRegistered, name: str) -> Publication:
    """The adopting unit's publication ``name`` at its level, or 422 listing the ones it has."""
    found = pack.publication(name, unit.level)
    if found is not None:
        return found
    valid = adoptable(pack, unit.level)
    listed_zh = "、".join(valid) if valid else "（无）"
    listed_en = ", ".join(valid) if valid else "none"
    level_zh = LEVEL_NAMES_ZH.get(unit.level, unit.level)
    zh = f"本单位（{level_zh}，策略包 {pack.ref}）没有刊物“{name}”；可用：{listed_zh}"
    en = f"your unit ({unit.level} level, pack {pack.ref}) has no publication {name!r}; valid: {listed_en}"
    raise Refused(422, "Invalid request", zh, en, field="publication", extra={"publications": valid})


def forward_target(unit: UnitRegistered, *, forwarded_from_here: bool, reached: Collection[str]) -> str:
    """The parent an editor's forwarding (转报) sends the item to, or 409 / 422."""
    if forwarded_from_here:
        raise Refused(409, "Conflict", "本单位已转报该信息", "your unit has already forwarded this item")
    if unit.parent_id is None:
        raise Refused(422, "Invalid request", "本单位没有上级单位，无法转报",
                      "your unit has no parent to forward the item to")
    if unit.parent_id in reached:
        raise Refused(409, "Conflict", f"该信息已报送至上级单位 {unit.parent_id}",
                      f"the item has already reached the parent {unit.parent_id}")
    return unit.parent_id
