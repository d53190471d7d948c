"""Intake's HTTP rules: 401/403, 422 naming every field in Chinese and English, warnings, idempotency."""

from __future__ import annotations

import json
from datetime import datetime

from shared.topics import REPORTS
from tests.unit.intake.conftest import App


async def test_no_token_is_401_problem(app: App) -> None:
    r = await app.client.post("/v1/reports", json=app.report())
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert app.published[REPORTS] == []


async def test_token_of_another_unit_is_403(app: App) -> None:
    r = await app.submit(app.report(), unit=app.u("town-b-office"))
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    assert app.published[REPORTS] == []


async def test_valid_report_is_classified_published_and_answered_202(app: App) -> None:
    r = await app.submit(app.report())
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["report_id"].startswith("rpt-")
    assert body["reportable"] is True and body["grade"] == "IV"
    assert body["reasons"] == ["road traffic: deaths ≥ 1"]
    assert body["reasons_zh"] == ["道路交通事故：死亡≥1人"]
    assert body["policy"] == "county-2h-10h@1"
    [written] = body["obligations"]
    assert written["obligation"] == "written_report"
    assert written["to_unit_id"] == app.u("county-x-office")
    assert datetime.fromisoformat(written["late_at"]) == datetime.fromisoformat("2026-11-23T10:05:00+08:00")
    assert datetime.fromisoformat(written["missed_at"]) == datetime.fromisoformat("2026-11-23T18:05:00+08:00")
    [event] = [json.loads(b) for b in app.published[REPORTS]]
    assert event["type"] == "ReportSubmitted"
    assert event["data"]["grade"] == "IV" and event["data"]["policy"] == "county-2h-10h@1"
    assert event["data"]["reasons"] == body["reasons"]


async def test_every_bad_field_is_named_in_chinese_and_english_and_nothing_is_published(app: App) -> None:
    bad = app.report(occurred_at="2026-11-23T08:05:00", channel="pigeon", kind="follow_up",
                     category="accident.unknown", location={"unit_id": "nowhere", "address": ""},
                     casualties={"deaths": -1}, title="")
    r = await app.submit(bad)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    errors = {e["field"]: e for e in r.json()["errors"]}
    assert set(errors) == {"occurred_at", "channel", "incident_id", "location.unit_id", "casualties.deaths",
                           "title", "category"}
    assert "时区" in errors["occurred_at"]["message"] and "offset" in errors["occurred_at"]["message_en"]
    assert errors["channel"]["label"] == "报送方式"
    assert "续报" in errors["incident_id"]["message"]
    assert "未登记" in errors["location.unit_id"]["message"]
    assert "负数" in errors["casualties.deaths"]["message"]
    assert app.published[REPORTS] == []


async def test_times_in_the_future_or_out_of_order_are_refused(app: App) -> None:
    r = await app.submit(app.report(occurred_at="2099-01-01T00:00:00+08:00"))
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["occurred_at"]
    r = await app.submit(app.report(discovered_at="2026-11-23T08:00:00+08:00"))
    assert r.status_code == 422
    assert [e["type"] for e in r.json()["errors"]] == ["before_occurrence"]
    r = await app.submit(app.report(category="accident.unheard_of"))
    assert [e["field"] for e in r.json()["errors"]] == ["category"]
    assert app.published[REPORTS] == []


async def test_vague_words_warn_but_do_not_refuse(app: App) -> None:
    r = await app.submit(app.report(summary="听说有两车相撞，可能有人受伤", cause="差不多是超速"))
    assert r.status_code == 202, r.text
    warned = {(w["field"], w["word"]) for w in r.json()["warnings"]}
    assert warned == {("summary", "听说"), ("summary", "可能"), ("cause", "差不多")}
    assert len(app.published[REPORTS]) == 1



async def test_an_urgent_report_missing_required_content_is_accepted_with_a_warning_per_field(app: App) -> None:
    r = await app.submit(app.report(summary="", cause="", measures_taken=" ", signer="", contact={}))
    assert r.status_code == 202, r.text
    warnings = {w["field"]: w for w in r.json()["warnings"] if w["type"] == "missing_content"}
    assert set(warnings) == {"summary", "cause", "measures_taken", "signer", "contact.name", "contact.phone"}
    assert "签发人" in warnings["signer"]["message"] and "signer" in warnings["signer"]["message_en"]
    assert "联系电话" in warnings["contact.phone"]["message"]
    assert len(app.published[REPORTS]) == 1
    complete = await app.submit(app.report(title="另一起"))
    assert [w for w in complete.json()["warnings"] if w["type"] == "missing_content"] == []


async def test_retry_with_the_same_key_returns_the_first_answer_and_publishes_nothing_new(app: App) -> None:
    first = await app.submit(app.report(), key="k-1")
    again = await app.submit(app.report(), key="k-1")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert len(app.published[REPORTS]) == 1
    other = await app.submit(app.report(title="另一起"), key="k-1")
    assert other.status_code == 409
    assert len(app.published[REPORTS]) == 1


async def test_follow_up_crossing_a_grade_regrades_the_incident(app: App) -> None:
    first = (await app.submit(app.report())).json()
    follow = app.report(kind="follow_up", incident_id=first["incident_id"],
                        casualties={"deaths": 3, "injured": 5, "seriously_injured": 2, "missing": 0, "poisoned": 0})
    r = await app.submit(follow)
    assert r.status_code == 202, r.text
    assert r.json()["grade"] == "III"
    assert r.json()["regraded"] == {"previous_grade": "IV", "grade": "III"}
    events = [json.loads(b) for b in app.published[REPORTS]]
    assert [e["type"] for e in events] == ["ReportSubmitted", "ReportSubmitted", "IncidentRegraded"]
    regraded = events[2]["data"]
    assert regraded["previous_grade"] == "IV" and regraded["grade"] == "III"
    assert regraded["obligations"][0]["obligation"] == "written_report"
    same = await app.submit(app.report(kind="final", incident_id=first["incident_id"],
                                       casualties={"deaths": 4, "injured": 5}))
    assert same.json()["regraded"] is None
    assert len(app.published[REPORTS]) == 4


async def test_below_threshold_is_not_reportable_unless_a_sensitivity_flag_is_set(app: App) -> None:
    quiet = app.report(casualties={"deaths": 0, "injured": 1}, economic_loss_cny=1000)
    r = (await app.submit(quiet)).json()
    assert (r["reportable"], r["grade"], r["reasons"]) == (False, None, [])
    assert [o["obligation"] for o in r["obligations"]] == ["routine_report"]
    flagged = {**quiet, "flags": {"sensitive_place": True}}
    r = (await app.submit(flagged)).json()
    assert r["reportable"] is True and r["grade"] == "IV"
    assert r["reasons"] == ["sensitivity: sensitive place"]
