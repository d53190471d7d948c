"""The rules a report must satisfy beyond its wire shape (docs/rules.md §8), naming every bad field.

``check_report`` collects the shape errors and every rule broken by the fields that did parse,
so a clerk fixes everything in one round; vague words (听说, 可能 …) are warnings, not errors.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from pydantic import AwareDatetime, TypeAdapter, ValidationError

from services.intake.domain.messages import field_error, friendly, label
from shared.events import UnitRegistered
from shared.policy import Pack
from shared.report import Report

TEXT_FIELDS = ("title", "summary", "cause", "measures_taken", "next_steps", "trend", "leaders_on_site",
               "source", "location.address")
_TIME = TypeAdapter(AwareDatetime)


class PackFor(Protocol):
    """The pack governing a unit (``shared.policy.pack_for``)."""

    def __call__(self, *, unit_id: str, unit_kind: str | None) -> Pack: ...


@dataclass
class Checked:
    report: Report | None
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)


def _get(raw: Mapping[str, Any], path: str) -> Any:
    value: Any = raw
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _time(raw: Mapping[str, Any], name: str) -> datetime | None:
    try:
        value = raw.get(name)
        return None if value is None else _TIME.validate_python(value)
    except ValidationError:
        return None


def vague_words(raw: Mapping[str, Any], words: tuple[str, ...]) -> list[dict[str, str]]:
    """A warning for each word the pack forbids (``Pack.vague_words``) found in a text field."""
    out = []
    for name in TEXT_FIELDS:
        text = _get(raw, name)
        for word in words:
            if isinstance(text, str) and word in text:
                out.append({**field_error(name, f"请勿使用含糊词语“{word}”，写明核实的情况",
                                          f"avoid the vague word '{word}': state what was verified", "vague_word"),
                            "word": word})
    return out


def missing_content(raw: Mapping[str, Any], required: tuple[str, ...]) -> list[dict[str, str]]:
    """A warning for each field the pack requires (``Pack.required_content``) that the report leaves empty."""
    out = []
    for name in required:
        value = _get(raw, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            out.append(field_error(name, f"紧急信息应写明{label(name)}，请在续报中补充",
                                   f"an urgent report must give its {name}: add it in a follow-up",
                                   "missing_content"))
    return out


def check_report(
    raw: Any, *, now: datetime, skew: timedelta, units: Mapping[str, UnitRegistered],
    incidents: Collection[str], pack_for: PackFor,
) -> Checked:
    """Validate ``raw`` (parsed JSON); ``units``/``incidents`` are what intake knows of them."""
    if not isinstance(raw, Mapping):
        return Checked(None, [field_error("body", "报告应为一个 JSON 对象 {…}", "the report must be a JSON object",
                                          "model_type")])
    errors: list[dict[str, str]] = []
    report: Report | None = None
    try:
        report = Report.model_validate(raw)
    except ValidationError as exc:
        errors += friendly(exc.errors())
    bad = {e["field"] for e in errors}

    def rule(name: str, zh: str, en: str, kind: str) -> None:
        if name not in bad:
            errors.append(field_error(name, zh, en, kind))
            bad.add(name)

    for name in ("reporting_unit", "location.unit_id"):
        value = _get(raw, name)
        if isinstance(value, str) and value and value not in units:
            rule(name, f"单位“{value}”未登记，请先登记单位或检查编号", f"unit {value!r} is not registered",
                 "unknown_unit")
    kind, incident = raw.get("kind", "initial"), raw.get("incident_id")
    if kind in ("follow_up", "final") and not incident:
        rule("incident_id", "续报和终报必须填写事件编号", "a follow-up or final report must name its incident",
             "incident_required")
    elif kind in ("follow_up", "final") and isinstance(incident, str) and incident not in incidents:
        rule("incident_id", f"事件“{incident}”不存在，请核对事件编号", f"incident {incident!r} is unknown",
             "unknown_incident")
    if raw.get("reopen") is True and not incident:
        rule("reopen", "只有针对已有事件的报告才能重新打开事件（须填写事件编号）",
             "only a report on an existing incident (naming incident_id) can reopen it", "reopen_without_incident")
    reason = raw.get("reopen_reason")
    if raw.get("reopen") is True and (not isinstance(reason, str) or not reason.strip()):
        rule("reopen_reason", "重新打开已关闭的事件必须写明理由", "reopening a closed incident needs a reason",
             "reopen_reason_required")
    occurred, discovered = _time(raw, "occurred_at"), _time(raw, "discovered_at")
    if occurred is not None and occurred > now + skew:
        rule("occurred_at", "发生时间不能晚于现在", "the occurrence time is in the future", "in_future")
    if discovered is not None and discovered > now + skew:
        rule("discovered_at", "发现时间不能晚于现在", "the discovery time is in the future", "in_future")
    if occurred is not None and discovered is not None and discovered < occurred:
        rule("discovered_at", "发现时间不能早于发生时间", "the discovery time is before the occurrence",
             "before_occurrence")
    category, location = raw.get("category"), _get(raw, "location.unit_id")
    pack = None
    if isinstance(location, str):
        unit = units.get(location)
        pack = pack_for(unit_id=location, unit_kind=unit.kind if unit else None)
    if isinstance(category, str) and category and pack is not None and category not in pack.categories:
        rule("category", f"未知的事件类别“{category}”，类别代码见 docs/categories.md",
             f"unknown category {category!r} (see docs/categories.md)", "unknown_category")
    warnings = vague_words(raw, pack.vague_words if pack else ()) + \
        missing_content(raw, pack.required_content if pack else ())
    return Checked(report if not errors else None, errors, warnings)
