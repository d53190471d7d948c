"""The pages' endpoints on a real archive process fed through the real Kafka broker and PostgreSQL."""

import json
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy import cli
from tests.conftest import Infra
from tests.integration.pages.fixtures import stats_rows, two_step_incident
from tests.integration.pages.scenario import PERIOD, Scenario

pytestmark = pytest.mark.integration


def test_stats_follow_the_documented_definitions(infra: Infra, archive: str, scenario: Scenario) -> None:
    rows = stats_rows(archive, {"Authorization": f"Bearer {infra.token(unit=scenario.town_a, role='reporter')}"})
    for unit, expected in scenario.expected().items():
        assert {k: rows[unit][k] for k in expected} == expected, unit
    other_month = httpx.get(f"{archive}/v1/stats/units", params={"period": "2026-09"},
                            headers={"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}).json()
    assert all(r["reports"] == 0 for r in other_month["units"] if r["unit_id"] == scenario.school_b)


def test_stats_refuse_a_bad_period_and_a_missing_token(infra: Infra, archive: str) -> None:
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    bad = httpx.get(f"{archive}/v1/stats/units", params={"period": "2026-13"}, headers=admin)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["errors"][0]["field"] == "period"
    assert httpx.get(f"{archive}/v1/stats/units", params={"period": PERIOD}).status_code == 401


def report_rows(html: str) -> dict[str, dict[str, Any]]:
    """Read the monthly report's table back: data-unit rows, one data-value per figure."""
    rows = {}
    for unit, cells in re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', html):
        rows[unit] = {k: json.loads(v.replace("&quot;", '"'))
                      for k, v in re.findall(r'<td class="(\w+)" data-value="([^"]*)"', cells)}
    return rows


def test_monthly_report_numbers_equal_the_statistics_endpoint(infra: Infra, archive: str, scenario: Scenario) -> None:
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    html = httpx.get(f"{archive}/v1/stats/report", params={"period": PERIOD}, headers=admin, timeout=20)
    assert html.status_code == 200, html.text
    stats = stats_rows(archive, admin)
    in_report = report_rows(html.text)
    assert set(in_report) == set(stats)
    for unit, row in stats.items():
        assert in_report[unit] == {k: row[k] for k in in_report[unit]}, unit
    # the units with missed reports are named in one sentence, in rank order; other tests' schools of the same
    # name (the browser test's scenario) may share it, ahead or behind
    assert re.search(r"县第一中学(、[^、。]+)*存在漏报", html.text), html.text
    assert "echarts" in html.text


def test_monthly_report_prints_to_pdf(infra: Infra, archive: str, scenario: Scenario) -> None:
    token = infra.token(unit=None, role="investigator")
    pdf = httpx.get(f"{archive}/v1/stats/report", params={"period": PERIOD, "format": "pdf", "token": token},
                    timeout=90)
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 10_000


def test_incident_page_reads_the_read_api_as_of_each_step(infra: Infra, archive: str, scenario: Scenario) -> None:
    """What incident.js asks: the timeline's steps, the incident ``?as_of=`` each, who knew when, unit names."""
    headers = {"Authorization": f"Bearer {infra.token(unit=scenario.county, role='duty_officer')}"}
    incident = two_step_incident(infra, archive, scenario, headers)
    url = f"{archive}/v1/incidents/{incident}"
    entries = httpx.get(f"{url}/timeline", headers=headers).json()["entries"]
    assert [e["type"] for e in entries] == ["ReportSubmitted", "ReportForwarded"]
    then = httpx.get(url, params={"as_of": entries[0]["recorded_at"]}, headers=headers).json()
    assert then["reports"][0]["status"] == "pending_approval"
    assert httpx.get(url, headers=headers).json()["reports"][0]["status"] == "forwarded"
    knew = httpx.get(f"{url}/knowledge", headers=headers).json()["units"]
    assert {u: k["informed_by"]["position"] for u, k in knew.items()} == {
        scenario.town_a: entries[0]["position"], scenario.county: entries[1]["position"]}
    names = {u["unit_id"]: u["name"] for u in httpx.get(f"{archive}/v1/units", headers=headers).json()["units"]}
    assert names[scenario.school_b] == "县第一中学"
    outsider = {"Authorization": f"Bearer {infra.token(unit=scenario.outsider, role='duty_officer')}"}
    assert httpx.get(url, headers=outsider).status_code == 403
    assert httpx.get(f"{archive}/v1/units").status_code == 401


def test_board_is_scoped_to_the_viewers_units(infra: Infra, archive: str, scenario: Scenario) -> None:
    county = httpx.get(f"{archive}/v1/board",
                       headers={"Authorization": f"Bearer {infra.token(unit=scenario.county, role='duty_officer')}"})
    assert county.status_code == 200
    assert {b["incident_id"] for b in county.json()["breaches"]} >= set(scenario.incidents[1:])
    titles = county.json()["incident_titles"]  # the board names breached incidents by title, not id
    assert "县一中学生食物中毒" in {titles.get(i) for i in scenario.incidents[1:]}
    outsider_token = infra.token(unit=scenario.outsider, role="duty_officer")
    outsider = httpx.get(f"{archive}/v1/board", headers={"Authorization": f"Bearer {outsider_token}"})
    assert not {b["incident_id"] for b in outsider.json()["breaches"]} & set(scenario.incidents)
    assert not set(outsider.json()["incident_titles"]) & set(scenario.incidents)


def test_breach_stream_pushes_new_breaches_within_scope(infra: Infra, archive: str, scenario: Scenario,
                                                        tmp_path: Path) -> None:
    got: list[dict[str, Any]] = []
    token = infra.token(unit=scenario.county, role="duty_officer")
    opened = threading.Event()

    def listen() -> None:
        with httpx.stream("GET", f"{archive}/v1/streams/breaches", params={"token": token}, timeout=30) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            opened.set()
            for line in r.iter_lines():
                if line.startswith("data: "):
                    got.append(json.loads(line[6:]))
                    if len(got) == 1:
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert opened.wait(10)
    time.sleep(1)  # the stream starts at the store's head: send after it is open
    live = Scenario(suffix=scenario.suffix)
    live.breach("inc-outside", scenario.outsider, "late", live_deadline := _now())  # out of the county's scope
    inside = live.breach("inc-inside", scenario.school_b, "late", live_deadline)
    live.publish(infra)
    listener.join(20)
    assert [g["breach_id"] for g in got] == [inside.data["breach_id"]]


def _now() -> Any:
    from datetime import UTC, datetime
    return datetime.now(UTC)


def test_breach_stream_resumes_after_last_event_id(infra: Infra, archive: str, scenario: Scenario) -> None:
    token = infra.token(unit=scenario.county, role="duty_officer")
    headers = {"Authorization": f"Bearer {token}", "Last-Event-ID": "0"}
    expected = {f"br-{i}-{k}" for i, k in ((scenario.incidents[1], "late"), (scenario.incidents[2], "late"),
                                           (scenario.incidents[2], "missed"))}
    first_id, got = None, []
    with httpx.stream("GET", f"{archive}/v1/streams/breaches", headers=headers, timeout=30) as r:
        for line in r.iter_lines():
            if line.startswith("id: ") and first_id is None:
                first_id = line[4:]
            if line.startswith("data: "):
                got.append(json.loads(line[6:]))
                if {g["breach_id"] for g in got} >= expected:
                    break
    assert expected <= {g["breach_id"] for g in got}, "the stream ended before replaying the stored breaches"
    assert first_id == "0"
    assert all(g["unit_id"] != scenario.outsider for g in got)
    positions = [g["position"] for g in got]
    assert positions == sorted(positions)


def test_report_command_writes_html_and_pdf(
        infra: Infra, archive: str, scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    (home / "keys").mkdir(parents=True)
    shutil.copy(infra.keys / "jwt.pem", home / "keys" / "jwt-ed25519.pem")
    monkeypatch.setenv("BAOSONG_HOME", str(home))
    monkeypatch.setenv("BAOSONG_ARCHIVE_PORT", archive.rsplit(":", 1)[1])
    assert cli.main(["report", "monthly", "--period", PERIOD, "--out", str(tmp_path / "out")]) == 0
    paths = [Path(p) for p in capsys.readouterr().out.split()]
    assert [p.name for p in paths] == [f"baosong-monthly-{PERIOD}.html", f"baosong-monthly-{PERIOD}.pdf"]
    assert paths[1].read_bytes().startswith(b"%PDF")
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    assert report_rows(paths[0].read_text(encoding="utf-8"))[scenario.school_b] == {
        k: v for k, v in stats_rows(archive, admin)[scenario.school_b].items()
        if k in ("reports", "on_time", "late", "missed", "on_time_rate")}
