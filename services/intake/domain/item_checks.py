"""The rules a work-information item (信息) must satisfy beyond its wire shape (``shared.item.Item``), pure.

``check_item`` names every bad field at once, in Chinese and English, with the item's own field names
(``ITEM_LABELS``): the shape, a writing unit intake has registered, a day of the work that is not in the
future. A ``request_id`` is not checked here: intake does not consume the requests (约稿) approval issues,
so an item naming one is accepted with a warning saying so. An item already past its due time when it
arrives is accepted with a warning too (its clock fires at once).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError

from services.intake.domain.messages import field_error, friendly
from shared.events import UnitRegistered
from shared.item import Item
from shared.offset import CHINA

ITEM_LABELS: dict[str, str] = {
    "body": "正文", "reporting_unit": "供稿单位", "kind": "信息类别", "title": "标题", "author": "供稿人",
    "author.name": "供稿人姓名", "author.phone": "供稿人电话", "section": "供稿科室", "request_id": "约稿编号",
    "happened_on": "发生日期", "classification": "密级", "header:Idempotency-Key": "幂等键",
}
_DAY = TypeAdapter(date)


@dataclass
class CheckedItem:
    item: Item | None
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)


def item_error(name: str, zh: str, en: str, kind: str) -> dict[str, str]:
    return field_error(name, zh, en, kind, ITEM_LABELS)


def _day(value: Any) -> date | None:
    """``happened_on`` when it parses on its own (so its rule is checked even when other fields are bad)."""
    try:
        return None if value is None else _DAY.validate_python(value)
    except ValidationError:
        return None


def _rule_errors(raw: Mapping[str, Any], *, today: date, units: Mapping[str, UnitRegistered]) -> list[dict[str, str]]:
    errors = []
    unit = raw.get("reporting_unit")
    if isinstance(unit, str) and unit and unit not in units:
        errors.append(item_error("reporting_unit", f"单位“{unit}”未登记，请先登记单位或检查编号",
                                 f"unit {unit!r} is not registered", "unknown_unit"))
    happened_on = _day(raw.get("happened_on"))
    if happened_on is not None and happened_on > today:
        errors.append(item_error("happened_on", f"发生日期不能晚于今天（{today}）",
                                 f"the day it happened is after today ({today})", "in_future"))
    return errors


def check_item(raw: Any, *, now: datetime, skew: timedelta, units: Mapping[str, UnitRegistered]) -> CheckedItem:
    """Validate ``raw`` (parsed JSON); ``units``: the registered units among those it names."""
    if not isinstance(raw, Mapping):
        return CheckedItem(None, [item_error("body", "信息应为一个 JSON 对象 {…}", "the item must be a JSON object",
                                             "model_type")])
    item: Item | None = None
    errors: list[dict[str, str]] = []
    try:
        item = Item.model_validate(raw)
    except ValidationError as exc:
        errors += friendly(exc.errors(), ITEM_LABELS)
    bad = {e["field"] for e in errors}
    today = (now + skew).astimezone(CHINA).date()
    errors += [e for e in _rule_errors(raw, today=today, units=units) if e["field"] not in bad]
    warnings = []
    if item is not None and item.request_id is not None:
        warnings.append(item_error(
            "request_id", f"intake 不核对约稿编号“{item.request_id}”：编号有误或约稿未发给本单位时，此稿不计为回应约稿",
            f"intake does not check request {item.request_id!r}: if it is wrong or not addressed to your unit, "
            "this item does not answer it", "request_not_checked"))
    return CheckedItem(item if not errors else None, errors, warnings)


def past_due(due_at: datetime | None, *, now: datetime) -> list[dict[str, str]]:
    """A warning when the item arrives after its due time (the pack's ``due_after`` from the day it happened)."""
    if due_at is None or due_at >= now:
        return []
    shown = due_at.astimezone(CHINA).isoformat()
    return [item_error("happened_on", f"按信息政策包，此稿已于 {shown} 到期；照常受理，但记为迟报",
                       f"by the information pack this item was due at {shown}: accepted, but late", "past_due")]
