"""Pydantic's validation errors in two languages: (中文, English) per error type.

Every service answers a bad field with both (docs/api.md, "Errors"); intake adds the field's Chinese name.
"""

from __future__ import annotations

from datetime import date
from typing import Any


def _choices(ctx: dict[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace("'", "")


def _is_date(value: Any) -> bool:
    """A date bound, as pydantic gives it in an error's context (a date, or its ISO text)."""
    if isinstance(value, date):
        return True
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _at_least(bound: Any) -> tuple[str, str]:
    if bound in (0, None):
        return "不能是负数", "must not be negative"
    if _is_date(bound):
        return f"不能早于 {bound}", f"must not be before {bound}"
    return f"不能小于 {bound}", f"must be at least {bound}"


def translate(kind: str, ctx: dict[str, Any], msg: str) -> tuple[str, str]:
    """(中文, English) for one pydantic error type; unknown types keep pydantic's English."""
    table: dict[str, tuple[str, str]] = {
        "missing": ("必须填写", "this field is required"),
        "extra_forbidden": ("没有这个字段，请删除（检查拼写）", "unknown field: remove it (check the spelling)"),
        "timezone_aware": ("时间必须带时区，例如 2026-11-23T08:05:00+08:00",
                           "the time needs an offset, e.g. 2026-11-23T08:05:00+08:00"),
        "datetime_type": ("应为时间，例如 2026-11-23T08:05:00+08:00", "must be a time like 2026-11-23T08:05:00+08:00"),
        "date_type": ("应为日期，例如 2026-11-23", "must be a date like 2026-11-23"),
        "literal_error": (f"只能是以下之一：{_choices(ctx)}", f"must be one of: {_choices(ctx)}"),
        "greater_than_equal": _at_least(ctx.get("ge")),
        "less_than_equal": (f"不能超过 {ctx.get('le')}", f"must be at most {ctx.get('le')}"),
        "impact_out_of_range": (f"{ctx.get('key')} 应在 0–{ctx.get('le')} 之间",
                                f"{ctx.get('key')} must be between 0 and {ctx.get('le')}"),
        "time_out_of_range": (f"时间应在 {ctx.get('min_year')}–{ctx.get('max_year')} 年之间（按 UTC 换算后亦然）",
                              f"the time must fall in the years {ctx.get('min_year')}–{ctx.get('max_year')},"
                              " also in UTC"),
        "too_long": (f"最多 {ctx.get('max_length')} 项", f"at most {ctx.get('max_length')} entries"),
        "int_parsing": ("应为整数", "must be a whole number"),
        "int_type": ("应为整数", "must be a whole number"),
        "int_from_float": ("应为整数，不能有小数", "must be a whole number, without decimals"),
        "bool_type": ("应为 true 或 false", "must be true or false"),
        "bool_parsing": ("应为 true 或 false", "must be true or false"),
        "string_type": ("应为文字", "must be text"),
        "string_too_short": ("不能为空", "must not be empty"),
        "string_too_long": (f"太长，最多 {ctx.get('max_length')} 个字",
                            f"too long: at most {ctx.get('max_length')} characters"),
        "model_type": ("应为一个对象 {…}", "must be an object {…}"),
        "model_attributes_type": ("应为一个对象 {…}", "must be an object {…}"),
        "dict_type": ("应为一个对象 {…}", "must be an object {…}"),
        "json_invalid": ("不是有效的 JSON", "is not valid JSON"),
    }
    if kind.startswith("datetime") and kind not in table:
        return table["datetime_type"]
    if kind.startswith("date_") and kind not in table:
        return table["date_type"]
    return table.get(kind, (f"格式不正确：{msg}", msg))
