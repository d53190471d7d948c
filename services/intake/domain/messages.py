"""Validation errors in words a clerk understands: the field's Chinese name, 中文说明, English.

Pydantic's own messages are for programmers; ``friendly`` turns each into one entry of the
problem+json ``errors`` list: ``{"field", "label", "message" (中文), "message_en", "type"}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic_core import ErrorDetails

LABELS: dict[str, str] = {
    "kind": "报告类型", "incident_id": "事件编号", "reporting_unit": "报送单位", "channel": "报送方式",
    "title": "标题", "category": "事件类别", "occurred_at": "发生时间", "discovered_at": "发现时间",
    "location": "发生地点", "location.unit_id": "发生地单位", "location.address": "详细地址",
    "casualties": "伤亡情况", "casualties.deaths": "死亡人数", "casualties.injured": "受伤人数",
    "casualties.seriously_injured": "重伤人数", "casualties.missing": "失踪人数",
    "casualties.poisoned": "中毒人数", "economic_loss_cny": "直接经济损失（元）", "participants": "参与人数",
    "impact": "影响数据", "flags": "敏感情形", "summary": "基本情况", "cause": "起因与性质",
    "measures_taken": "已采取的措施", "next_steps": "下一步措施", "trend": "发展趋势",
    "leaders_on_site": "领导到位情况", "source": "信息来源", "signer": "签发人", "contact": "联系人",
    "contact.name": "联系人姓名", "contact.phone": "联系电话", "classification": "密级",
    "supersedes_report_id": "被更正的报告", "phone_report_id": "对应的电话报告", "body": "报告正文",
    "reopen": "重新打开事件", "reopen_reason": "重新打开的理由",
    "name": "单位名称", "level": "层级", "parent_id": "上级单位（主渠道）",
    "department_parent_id": "上级主管部门", "unit_id": "单位编号", "header:Idempotency-Key": "幂等键",
}


def label(field: str) -> str:
    if field in LABELS:
        return LABELS[field]
    head = field.split(".")[0]
    return f"{LABELS.get(head, head)}（{field}）"


def field_error(field: str, zh: str, en: str, kind: str) -> dict[str, str]:
    """One entry of problem+json ``errors``."""
    return {"field": field, "label": label(field), "message": zh, "message_en": en, "type": kind}


def _choices(ctx: dict[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace("'", "")


def _translate(kind: str, ctx: dict[str, Any], msg: str) -> tuple[str, str]:
    """(中文, English) for one pydantic error type; unknown types keep pydantic's English."""
    table: dict[str, tuple[str, str]] = {
        "missing": ("必须填写", "this field is required"),
        "extra_forbidden": ("没有这个字段，请删除（检查拼写）", "unknown field: remove it (check the spelling)"),
        "timezone_aware": ("时间必须带时区，例如 2026-11-23T08:05:00+08:00",
                           "the time needs an offset, e.g. 2026-11-23T08:05:00+08:00"),
        "datetime_type": ("应为时间，例如 2026-11-23T08:05:00+08:00", "must be a time like 2026-11-23T08:05:00+08:00"),
        "literal_error": (f"只能是以下之一：{_choices(ctx)}", f"must be one of: {_choices(ctx)}"),
        "greater_than_equal": ("不能是负数", "must not be negative"),
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
    return table.get(kind, (f"格式不正确：{msg}", msg))


def friendly(errors: Sequence[ErrorDetails]) -> list[dict[str, str]]:
    out = []
    for e in errors:
        field = ".".join(str(p) for p in e["loc"]) or "body"
        zh, en = _translate(e["type"], dict(e.get("ctx") or {}), e["msg"])
        out.append(field_error(field, zh, en, e["type"]))
    return out
