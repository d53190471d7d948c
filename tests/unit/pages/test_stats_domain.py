"""The statistics' definitions on hand-made facts (docs/pages.md §统计口径)."""

from datetime import datetime, timedelta
from typing import Any

from services.archive.stats.domain import Fact, UnitInfo, counts_by_period
from shared.incident_stats.figures import month_figures, previous_periods, totals
from shared.incident_stats.findings import problems

T = datetime.fromisoformat("2026-10-31T23:00:00+08:00")  # 2026-10 in Shanghai, 2026-10-31 15:00 UTC


def submitted(incident: str, unit: str, at: datetime) -> Fact:
    late = at + timedelta(hours=2)
    return Fact("ReportSubmitted", at, {
        "report_id": f"r-{incident}", "incident_id": incident, "received_at": at.isoformat(),
        "report": {"reporting_unit": unit},
        "obligations": [{"obligation": "written_report", "unit_id": unit, "to_unit_id": "county",
                         "late_at": late.isoformat(), "missed_at": (late + timedelta(hours=8)).isoformat()}]})


def forwarded(incident: str, unit: str, at: datetime, to: str = "county") -> Fact:
    return Fact("ReportForwarded", at, {"incident_id": incident, "from_unit_id": unit, "to_unit_id": to})


def breach(incident: str, unit: str, kind: str, deadline: datetime) -> Fact:
    return Fact("DeadlineBreached", deadline, {"incident_id": incident, "unit_id": unit, "kind": kind,
                                               "obligation": "written_report", "deadline_at": deadline.isoformat()})


UNITS = {"town": UnitInfo("town", "城关镇党政办", "general_office"),
         "county": UnitInfo("county", "县政府办", "general_office")}


def unit_stats(facts: list[Fact], period: str = "2026-10") -> list[dict[str, Any]]:
    return list(month_figures(counts_by_period(facts, [period]), UNITS, [period])["units"])


def rows(facts: list[Fact], period: str = "2026-10") -> dict[str, dict[str, Any]]:
    return {r["unit_id"]: r for r in unit_stats(facts, period)}


def test_forward_before_late_at_is_on_time_and_months_are_shanghai_months() -> None:
    at = T - timedelta(hours=3)
    r = rows([submitted("i1", "town", at), forwarded("i1", "town", at + timedelta(hours=1))])["town"]
    assert (r["reports"], r["on_time"], r["late"], r["missed"], r["on_time_rate"]) == (1, 1, 0, 0, 1.0)
    # Received 2026-10-31 23:00 +08:00 (October); its late_at, 01:00 +08:00 next day, is November in Shanghai
    # though still October in UTC: the duty counts in November, the report in October.
    late_night = rows([submitted("i2", "town", T), forwarded("i2", "town", T + timedelta(minutes=30))])
    assert late_night["town"]["reports"] == 1 and late_night["town"]["on_time"] == 0
    assert rows([submitted("i2", "town", T), forwarded("i2", "town", T + timedelta(minutes=30))],
                "2026-11")["town"]["on_time"] == 1


def test_breaches_decide_late_and_missed_and_missed_wins() -> None:
    at = T - timedelta(days=10)
    facts = [submitted("a", "town", at), breach("a", "town", "late", at + timedelta(hours=2)),
             forwarded("a", "town", at + timedelta(hours=3)),
             submitted("b", "town", at), breach("b", "town", "late", at + timedelta(hours=2)),
             breach("b", "town", "missed", at + timedelta(hours=10)),
             submitted("c", "town", at)]
    r = rows(facts)["town"]
    assert (r["on_time"], r["late"], r["missed"], r["on_time_rate"]) == (0, 1, 1, 0.0)
    assert r["reports"] == 3


def test_forward_to_another_unit_does_not_fulfil_and_open_duties_are_not_counted() -> None:
    at = T - timedelta(days=3)
    r = rows([submitted("x", "town", at), forwarded("x", "town", at, to="elsewhere")])["town"]
    assert (r["on_time"], r["late"], r["missed"], r["on_time_rate"]) == (0, 0, 0, None)
    county = rows([])["county"]
    assert (county["reports"], county["on_time_rate"]) == (0, None)


def test_incident_reports_count_against_no_quota() -> None:
    """The information quota is /v1/scores' (signed-off items); incident reports, rejected ones included, are
    not counted against it here."""
    at = T - timedelta(days=2)
    town = rows([submitted(f"q{i}", "town", at) for i in range(7)])["town"]
    assert (town["reports"], town["quota"], town["quota_met"]) == (7, None, None)


def test_a_duty_known_only_from_its_breaches_counts_in_the_month_of_its_late_breach() -> None:
    deadline = T + timedelta(hours=2)  # 2026-11-01 01:00 in Shanghai
    facts = [breach("o", "town", "missed", deadline + timedelta(days=40)), breach("o", "town", "late", deadline)]
    assert rows(facts, "2026-11")["town"]["missed"] == 1
    assert rows(facts, "2026-10")["town"]["missed"] == 0


def test_totals_and_named_problems() -> None:
    at = T - timedelta(days=5)
    out = unit_stats([submitted("b", "town", at), breach("b", "town", "missed", at + timedelta(hours=10))])
    assert totals(out, "2026-10")["missed"] == 1
    named = problems(out)
    assert any("城关镇党政办存在漏报" in p for p in named)
    assert not any("定额" in p for p in named)


def test_previous_periods_cross_the_year() -> None:
    assert previous_periods("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
