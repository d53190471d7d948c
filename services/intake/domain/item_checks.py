"""The rules a work-information item (信息) must satisfy beyond its wire shape (``shared.item.Item``), pure.

``check_item`` names every bad field at once, in Chinese and English, with the item's own field names
(``ITEM_LABELS``): the shape, a writing unit intake has registered, a day of the work that is not in the
future, a commissioned request (约稿, ``request_id``) that approval issued (intake keeps them from
``RequestIssued``). An item answering a request not addressed to its unit is accepted with a warning (it
does not answer the request for that unit), and so is an item already past its due time when it arrives
(its clock fires at once).
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
    "happened_on": "发生日期", "classification": "密级",
}
_DAY = TypeAdapter(date)


@dataclass(frozen=True)
class KnownRequest:
    """A commissioned request (约稿) as intake keeps it: who it was sent to."""

    request_id: str
    to_units: tuple[str, ...]


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


def _rule_errors(raw: Mapping[str, Any], *, today: date, units: Mapping[str, UnitRegistered],
                 requests: Mapping[str, KnownRequest]) -> list[dict[str, str]]:
    errors = []
    request_id = raw.get("request_id")
    if isinstance(request_id, str) and request_id not in requests:
        errors.append(item_error("request_id", f"约稿“{request_id}”不存在，请核对约稿编号",
                                 f"request {request_id!r} is unknown: check its id", "unknown_request"))
    unit = raw.get("reporting_unit")
    if isinstance(unit, str) and unit and unit not in units:
        errors.append(item_error("reporting_unit", f"单位“{unit}”未登记，请先登记单位或检查编号",
                                 f"unit {unit!r} is not registered", "unknown_unit"))
    happened_on = _day(raw.get("happened_on"))
    if happened_on is not None and happened_on > today:
        errors.append(item_error("happened_on", f"发生日期不能晚于今天（{today}）",
                                 f"the day it happened is after today ({today})", "in_future"))
    return errors


def check_item(raw: Any, *, now: datetime, skew: timedelta, units: Mapping[str, UnitRegistered],
               requests: Mapping[str, KnownRequest]) -> CheckedItem:
    """Validate ``raw`` (parsed JSON); ``units``, ``requests``: the registered ones among those it names."""
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
    errors += [e for e in _rule_errors(raw, today=today, units=units, requests=requests) if e["field"] not in bad]
    if errors or item is None:
        return CheckedItem(None, errors)
    request = requests.get(item.request_id) if item.request_id else None
    if request is not None and item.reporting_unit not in request.to_units:
        return CheckedItem(item, warnings=[item_error(
            "request_id", f"约稿“{request.request_id}”未发给本单位，此稿不计为对该约稿的回应",
            f"request {request.request_id!r} was not sent to your unit: this item does not answer it",
            "request_not_addressed")])
    return CheckedItem(item)


def past_due(due_at: datetime | None, *, now: datetime) -> list[dict[str, str]]:
    """A warning when the item arrives after its due time (the pack's ``due_after`` from the day it happened)."""
    if due_at is None or due_at >= now:
        return []
    shown = due_at.astimezone(CHINA).isoformat()
    return [item_error("happened_on", f"按信息政策包，此稿已于 {shown} 到期；照常受理，但记为迟报",
                       f"by the information pack this item was due at {shown}: accepted, but late", "past_due")]
