"""The incident statistics served by assessment (SQL over its read models) and by the archive (its in-memory
fold) on the real broker and database: one scenario of May–June 2021, published once, read from both; every
field of ``/v1/stats/units`` equal, and equal to the figures the definitions give (docs/pages.md §统计口径).

The scenario covers what the definitions distinguish: on time, late, missed, a forward to the wrong unit (still
open), an obligation added by a regrade (the first one stated stays), an obligation known only from its breach,
a duty whose ``late_at`` falls in the next Shanghai month, a redelivered event, and item and request breaches
(not incident statistics). Only this run's units are compared (other tests share the broker and the database).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared import topics
from tests.conftest import Infra
from tests.integration.pages.scenario import Scenario
from tests.support.services import running_service
from tests.support.waiting import until

pytestmark = pytest.mark.integration

MAY, JUNE = "2021-05", "2021-06"



class _AnyKind:
    """Equal to any kind a registered unit has (units travel on their own topic, so they may come later)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other)

    def __hash__(self) -> int:
        return 0


ANY_KIND = _AnyKind()
FIGURES = ("reports", "on_time", "late", "missed", "on_time_rate", "quota", "quota_met")


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+08:00")


def scenario() -> Scenario:
    s = Scenario()
    s.unit(s.county, "测试县政府办", "county", "general_office", None)
    s.unit(s.town_a, "城关镇党政办", "town", "general_office", s.county)
    s.unit(s.school_b, "县第一中学", "organization", "school", s.county)
    s.unit(s.outsider, "邻县政府办", "county", "general_office", None)
    one, late_1 = s.submit(s.town_a, "2021-05-05T08:00:00+08:00", "城关镇307国道两车相撞")
    first_report = s.events[-1]
    s.forward(one, s.town_a, late_1 - timedelta(hours=1))  # on time
    # a regrade: the county now owes a written report too (on time); town A's second obligation is ignored
    s.emit(topics.REPORTS, "IncidentRegraded", one, at("2021-05-05T09:00:00"), {
        "incident_id": one, "report_id": f"rep-{one}", "previous_grade": "IV", "grade": "III",
        "policy": "county-2h-10h@1", "obligations": [
            {"obligation": "written_report", "unit_id": s.county, "to_unit_id": s.outsider,
             "late_at": "2021-05-05T11:00:00+08:00", "missed_at": "2021-05-05T19:00:00+08:00"},
            {"obligation": "written_report", "unit_id": s.town_a, "to_unit_id": s.county,
             "late_at": "2021-06-05T11:00:00+08:00", "missed_at": "2021-06-05T19:00:00+08:00"},
            {"obligation": "phone_report", "unit_id": s.school_b, "to_unit_id": s.county,
             "late_at": "2021-05-05T09:30:00+08:00"}]})
    s.emit(topics.REPORTS, "ReportForwarded", one, at("2021-05-05T10:30:00"), {
        "report_id": f"rep-{one}", "incident_id": one, "from_unit_id": s.county, "to_unit_id": s.outsider})
    two, late_2 = s.submit(s.school_b, "2021-05-12T14:00:00+08:00", "县一中学生食物中毒")
    s.breach(two, s.school_b, "late", late_2)
    s.forward(two, s.school_b, late_2 + timedelta(hours=1))  # late
    three, late_3 = s.submit(s.school_b, "2021-05-20T09:00:00+08:00", "县一中校舍屋顶坍塌")
    s.breach(three, s.school_b, "late", late_3)
    s.breach(three, s.school_b, "missed", late_3 + timedelta(hours=8))  # missed
    four, late_4 = s.submit(s.town_a, "2021-05-25T09:00:00+08:00", "城关镇仓库火灾")
    s.emit(topics.REPORTS, "ReportForwarded", four, late_4 - timedelta(hours=1), {  # to the wrong unit: open
        "report_id": f"rep-{four}", "incident_id": four, "from_unit_id": s.town_a, "to_unit_id": s.outsider})
    s.breach(f"inc-owed-{s.suffix}", s.school_b, "late", at("2021-05-28T10:00:00"))  # known only from its breach
    five, late_5 = s.submit(s.town_a, "2021-05-31T23:20:00+08:00", "城关镇夜间交通事故")  # received 23:30, due June
    s.forward(five, s.town_a, late_5 - timedelta(minutes=5))
    s.emit(topics.BREACHES, "DeadlineBreached", f"item-{s.suffix}", at("2021-05-20T10:00:03"), {
        "breach_id": f"br-item-{s.suffix}", "item_id": f"item-{s.suffix}", "unit_id": s.town_a,
        "obligation": "routine_report", "kind": "late", "deadline_at": "2021-05-20T10:00:00+08:00",
        "detected_at": "2021-05-20T10:00:03+08:00", "policy": "info-county@1"})
    s.emit(topics.BREACHES, "DeadlineBreached", f"req-{s.suffix}", at("2021-05-21T10:00:03"), {
        "breach_id": f"br-req-{s.suffix}", "request_id": f"req-{s.suffix}", "unit_id": s.town_a,
        "obligation": "request_reply", "kind": "request_missed", "deadline_at": "2021-05-21T10:00:00+08:00",
        "detected_at": "2021-05-21T10:00:03+08:00", "policy": "info-county@1"})
    s.events.append(first_report)  # the first report's ReportSubmitted again (a redelivery: the same event)
    return s


def expected(s: Scenario) -> dict[str, dict[str, dict[str, Any]]]:
    """By the definitions, for May and June."""
    def row(reports: int = 0, on_time: int = 0, late: int = 0, missed: int = 0) -> dict[str, Any]:
        due = on_time + late + missed
        return {"reports": reports, "on_time": on_time, "late": late, "missed": missed,
                "on_time_rate": round(on_time / due, 4) if due else None, "quota": None, "quota_met": None}
    return {MAY: {s.town_a: row(reports=3, on_time=1), s.school_b: row(reports=2, late=2, missed=1),
                  s.county: row(on_time=1), s.outsider: row()},
            JUNE: {s.town_a: row(on_time=1), s.school_b: row(), s.county: row(), s.outsider: row()}}


@pytest.fixture(scope="module")
def services(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    logs: Path = tmp_path_factory.mktemp("incident-stats-logs")
    with running_service(infra, "archive", logs) as archive, running_service(infra, "assessment", logs) as assessment:
        yield {"archive": archive, "assessment": assessment}


def units(url: str, headers: dict[str, str], period: str, mine: set[str]) -> dict[str, dict[str, Any]]:
    answer = httpx.get(f"{url}/v1/stats/units", params={"period": period}, headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["period"] == period
    return {r["unit_id"]: r for r in answer.json()["units"] if r["unit_id"] in mine}


@pytest.fixture(scope="module")
def published(infra: Infra, services: dict[str, str]) -> Scenario:
    s = scenario()
    asyncio.run(s.publish_all(infra))
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    mine = set(expected(s)[MAY])

    def figures(url: str) -> dict[str, dict[str, dict[str, Any]]]:
        return {p: {u: {k: r[k] for k in FIGURES} | {"kind": r["kind"]} for u, r in units(url, admin, p, mine).items()}
                for p in expected(s)}

    want = {p: {u: r | {"kind": ANY_KIND} for u, r in rows.items()} for p, rows in expected(s).items()}

    async def settled() -> bool:
        return all(figures(url) == want for url in services.values())
    try:
        asyncio.run(until(settled, "both services to count the scenario", timeout_s=60, every_s=0.5))
    except AssertionError as exc:
        raise AssertionError(f"{exc}: want {want}, got {({n: figures(u) for n, u in services.items()})}") from exc
    return s


def test_assessment_and_archive_answer_the_same_statistics_field_by_field(
        infra: Infra, services: dict[str, str], published: Scenario) -> None:
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    mine = set(expected(published)[MAY])
    for period in ("2021-04", MAY, JUNE):
        from_archive = units(services["archive"], admin, period, mine)
        from_assessment = units(services["assessment"], admin, period, mine)
        assert set(from_assessment) == mine, period
        for unit in mine:
            assert from_assessment[unit] == from_archive[unit], (period, unit)
    assert units(services["assessment"], admin, MAY, mine)[published.school_b]["name"] == "县第一中学"
    months = [httpx.get(f"{url}/v1/stats/months", params={"until": JUNE, "count": 3}, headers=admin, timeout=30)
              for url in services.values()]
    assert months[0].status_code == months[1].status_code == 200
    assert months[0].json() == months[1].json()
    assert [m["period"] for m in months[1].json()["months"]] == ["2021-04", MAY, JUNE]


def report_rows(html: str) -> dict[str, dict[str, Any]]:
    return {unit: {k: json.loads(v.replace("&quot;", '"'))
                   for k, v in re.findall(r'<td class="(\w+)" data-value="([^"]*)"', cells)}
            for unit, cells in re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', html)}


def test_assessment_monthly_incident_report_holds_its_statistics_and_prints_to_pdf(
        infra: Infra, services: dict[str, str], published: Scenario) -> None:
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    url, mine = services["assessment"], set(expected(published)[MAY])
    html = httpx.get(f"{url}/v1/stats/report", params={"period": MAY}, headers=admin, timeout=30)
    assert html.status_code == 200, html.text
    in_report, stats = report_rows(html.text), units(url, admin, MAY, mine)
    for unit in mine:
        assert in_report[unit] == {k: stats[unit][k] for k in in_report[unit]}, unit
    assert "定额" not in html.text  # the information quota is /v1/scores'
    pdf = httpx.get(f"{url}/v1/stats/report", params={"period": MAY, "format": "pdf",
                                                     "token": infra.token(unit=None, role="admin")}, timeout=60)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_assessment_statistics_refuse_a_bad_period_and_a_missing_token(infra: Infra, services: dict[str, str]
                                                                       ) -> None:
    url = services["assessment"]
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    bad = httpx.get(f"{url}/v1/stats/units", params={"period": "2021-13"}, headers=admin)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["errors"][0]["field"] == "period"
    assert httpx.get(f"{url}/v1/stats/units", params={"period": MAY}).status_code == 401
