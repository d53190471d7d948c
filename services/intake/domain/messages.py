"""Validation errors in words a clerk understands: the field's Chinese name, 中文说明, English.

Pydantic's own messages are for programmers; ``friendly`` turns each into one entry of the
problem+json ``errors`` list: ``{"field", "label", "message" (中文), "message_en", "type"}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic_core import ErrorDetails

from shared.field_words import translate

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


def label(field: str, labels: Mapping[str, str] = LABELS) -> str:
    """The field's Chinese name in ``labels`` (a report's by default; an item's: ``item_checks.ITEM_LABELS``)."""
    if field in labels:
        return labels[field]
    head = field.split(".")[0]
    return f"{labels.get(head, head)}（{field}）"


def field_error(field: str, zh: str, en: str, kind: str, labels: Mapping[str, str] = LABELS) -> dict[str, str]:
    """One entry of problem+json ``errors``."""
    return {"field": field, "label": label(field, labels), "message": zh, "message_en": en, "type": kind}


def friendly(errors: Sequence[ErrorDetails], labels: Mapping[str, str] = LABELS) -> list[dict[str, str]]:
    out = []
    for e in errors:
        field = ".".join(str(p) for p in e["loc"]) or "body"
        zh, en = translate(e["type"], dict(e.get("ctx") or {}), e["msg"])
        out.append(field_error(field, zh, en, e["type"], labels))
    return out


def relabelled(errors: list[dict[str, str]], labels: Mapping[str, str]) -> list[dict[str, str]]:
    """``errors`` with each field's name taken from ``labels`` (errors made by the shared bounds checks)."""
    return [{**e, "label": label(e["field"], labels)} for e in errors]
