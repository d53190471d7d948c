"""Bounded input at the door: what no service downstream could store or compute is refused with 422 naming
the field (NUL, lone surrogates, times outside 1900–2999, absurd figures, deep nesting, huge bodies)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.intake.domain.bounds import (
    MAX_BODY_BYTES,
    MAX_DEPTH,
    identifier_errors,
    parse_json,
    unsafe_fields,
)
from services.intake.domain.validation import check_report
from shared.events import UnitRegistered
from shared.http import Problem
from shared.policy import MAX_LIMIT, ObligationRule, all_packs, pack_for
from shared.report import MAX_CNY, MAX_COUNT, MAX_MU, MAX_PEOPLE, MAX_YEAR, Report
from tests.support.reports import report

TOWN = UnitRegistered(unit_id="town-a-office", name="城关镇党政办", level="town", kind="general_office",
                      parent_id="county-x-office")


def nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def refusal(data: bytes) -> list[tuple[str, str]]:
    with pytest.raises(Problem) as caught:
        parse_json(data)
    assert caught.value.status == 422
    return [(e["field"], e["type"]) for e in caught.value.errors]


def test_parse_json_refuses_deep_nesting_huge_bodies_and_what_json_does_not_allow() -> None:
    assert refusal(nested(100_000)) == [("body", "too_deep")]
    assert refusal(nested(50_000)) == [("body", "too_deep")]
    assert refusal(b" " * MAX_BODY_BYTES + b"{}") == [("body", "too_large")]
    assert refusal(b'{"economic_loss_cny": NaN}') == [("body", "json_invalid")]
    assert refusal(b"1" * 5000) == [("body", "json_invalid")]  # more digits than Python converts
    assert refusal(b"\xff") == [("body", "json_invalid")]
    assert parse_json(b'{"title": "a"}') == {"title": "a"}


def test_every_string_and_key_with_nul_or_a_lone_surrogate_is_named_at_any_depth() -> None:
    raw = report(title="a\u0000b", impact={"rooms\u0000": 1, "ok": 2}, contact={"name": "\ud800", "phone": "1"},
                 summary="两车相撞\U0001f697", extra=[{"deep": "\udfff"}])
    errors = unsafe_fields(raw)
    assert {(e["field"], e["type"]) for e in errors} == {
        ("title", "forbidden_character"), ("impact.rooms\\u0000", "forbidden_character"),
        ("contact.name", "forbidden_character"), ("extra[0].deep", "forbidden_character")}
    assert all("NUL" in e["message"] and "NUL" in e["message_en"] for e in errors)
    assert unsafe_fields(report()) == []


def test_nesting_a_hundred_thousand_levels_is_refused_without_recursion() -> None:
    value: Any = "end"
    for _ in range(100_000):
        value = {"a": value}
    [error] = unsafe_fields({"impact": value})
    assert error["type"] == "too_deep"
    assert error["field"] == "impact" + ".a" * (MAX_DEPTH - 1)
    envelope_depth = {"data": report(casualties={"deaths": 1})}
    assert unsafe_fields(envelope_depth) == []


def test_identifiers_are_text_of_at_most_200_storable_characters() -> None:
    assert identifier_errors("key-1", "header:Idempotency-Key") == []
    for bad, kind in (("a\u0000", "forbidden_character"), ("\ud83d", "forbidden_character"),
                      ("k" * 201, "string_length"), ("", "string_length"), (7, "string_type")):
        [error] = identifier_errors(bad, "header:Idempotency-Key")
        assert (error["field"], error["type"]) == ("header:Idempotency-Key", kind)
        assert error["label"] == "幂等键"


def check(**changes: Any) -> dict[str, str]:
    """The errors ``check_report`` names, field → type."""
    checked = check_report(report(**changes), now=datetime.now(UTC), skew=timedelta(minutes=2),
                           units={TOWN.unit_id: TOWN}, incidents=set(), pack_for=pack_for)
    return {e["field"]: e["type"] for e in checked.errors}


@pytest.mark.parametrize("field, value", [
    ("occurred_at", "0001-01-01T00:00:00Z"),
    ("occurred_at", "0001-01-01T00:00:00+14:00"),
    ("occurred_at", "1900-01-01T00:00:00+08:00"),  # 1899 in UTC
    ("occurred_at", "1899-12-31T23:59:59Z"),
    ("discovered_at", "9999-12-31T23:59:59-14:00"),
    ("discovered_at", "2999-12-31T23:00:00-14:00"),  # 3000 in UTC
])
def test_times_outside_1900_to_2999_also_after_the_offset_are_refused(field: str, value: str) -> None:
    errors = check(**{field: value})
    assert errors == {field: "time_out_of_range"}


def test_times_at_the_bounds_are_accepted() -> None:
    assert check(occurred_at="1900-01-01T08:00:00+08:00") == {}
    assert check(occurred_at="1900-01-01T00:00:00Z", discovered_at="1900-01-01T00:00:00-14:00") == {}


def test_a_time_message_names_the_years_in_chinese_and_english() -> None:
    checked = check_report(report(occurred_at="0001-01-01T00:00:00+14:00"), now=datetime.now(UTC),
                           skew=timedelta(minutes=2), units={TOWN.unit_id: TOWN}, incidents=set(),
                           pack_for=pack_for)
    [error] = checked.errors
    assert "1900–2999" in error["message"] and "年" in error["message"]
    assert "1900–2999" in error["message_en"] and error["label"] == "发生时间"


def test_figures_beyond_their_declared_bounds_are_refused_naming_the_field() -> None:
    assert check(casualties={"deaths": 10**30}) == {"casualties.deaths": "less_than_equal"}
    assert check(casualties={"injured": MAX_PEOPLE + 1}) == {"casualties.injured": "less_than_equal"}
    assert check(economic_loss_cny=10**40) == {"economic_loss_cny": "less_than_equal"}
    assert check(participants=MAX_PEOPLE + 1) == {"participants": "less_than_equal"}
    assert check(impact={"crop_lost_mu": MAX_MU + 1}) == {"impact": "impact_out_of_range"}
    assert check(impact={"collective_loss_cny": MAX_CNY + 1}) == {"impact": "impact_out_of_range"}
    assert check(impact={"rooms_collapsed": MAX_COUNT + 1}) == {"impact": "impact_out_of_range"}
    assert check(impact={"rooms_collapsed": -1}) == {"impact": "impact_out_of_range"}
    assert check(impact={f"k{i}": 1 for i in range(51)}) == {"impact": "too_long"}
    assert check(incident_id="i" * 101, kind="initial") == {"incident_id": "string_too_long"}


def test_figures_at_their_bounds_are_accepted() -> None:
    assert check(casualties={"deaths": MAX_PEOPLE, "injured": MAX_PEOPLE}, economic_loss_cny=MAX_CNY,
                 participants=MAX_PEOPLE, impact={"crop_lost_mu": MAX_MU, "collective_loss_cny": MAX_CNY,
                                                  "rooms_collapsed": MAX_COUNT}) == {}


def test_the_bound_message_says_the_limit_in_chinese_and_english() -> None:
    checked = check_report(report(economic_loss_cny=10**40), now=datetime.now(UTC), skew=timedelta(minutes=2),
                           units={TOWN.unit_id: TOWN}, incidents=set(), pack_for=pack_for)
    [error] = checked.errors
    assert error["message"] == f"不能超过 {MAX_CNY}" and error["message_en"] == f"must be at most {MAX_CNY}"


def test_the_report_schema_declares_the_bounds() -> None:
    schema = Report.model_json_schema()
    casualties = schema["$defs"]["Casualties"]["properties"]
    assert {c["maximum"] for c in casualties.values()} == {MAX_PEOPLE}
    assert schema["properties"]["economic_loss_cny"]["maximum"] == MAX_CNY
    impact = schema["properties"]["impact"]
    assert impact["patternProperties"] == {"_cny$": {"type": "integer", "minimum": 0, "maximum": MAX_CNY},
                                           "_mu$": {"type": "integer", "minimum": 0, "maximum": MAX_MU}}
    assert impact["additionalProperties"]["maximum"] == MAX_COUNT
    assert "1900–2999" in schema["properties"]["occurred_at"]["description"]


def test_a_pack_limit_is_at_most_a_year_so_every_deadline_from_a_bounded_time_is_representable() -> None:
    words = {"zh": "书面报告", "en": "written report"}
    with pytest.raises(ValidationError):
        ObligationRule.model_validate({"obligation": "written_report", "late_after": "P1000Y", "name": words})
    with pytest.raises(ValidationError):
        ObligationRule.model_validate({"obligation": "follow_up", "late_after": "PT1H", "every": "P400D",
                                       "name": words})
    latest = datetime(MAX_YEAR, 12, 31, 23, 59, 59, tzinfo=UTC) + MAX_LIMIT * 2
    assert latest.year <= MAX_YEAR + 3  # a deadline, a reminder or a breach after it all stay in range
    limits = [d for p in all_packs().values() for r in p.obligations
              for d in (r.late_after, r.missed_after, r.every) if d is not None]
    assert limits and max(limits) <= MAX_LIMIT
