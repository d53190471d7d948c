"""Incident rules at intake: numbering (首报, 续报一 …, 终报), closure and reopening, a changed occurrence
time or place, and the one offset of every obligation time (the app on the real PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from services.intake.domain.incident_rules import label_for
from shared.topics import REPORTS
from tests.unit.intake.conftest import App


def test_labels_number_the_follow_ups_in_chinese() -> None:
    assert [label_for("follow_up", n) for n in (1, 2, 10, 11, 20, 23, 99)] == [
        "续报一", "续报二", "续报十", "续报十一", "续报二十", "续报二十三", "续报九十九"]
    assert label_for("initial", 0) == "首报" and label_for("final", 5) == "终报"
    assert label_for("follow_up", 120) == "续报120"


def _submitted(app: App) -> list[dict[str, Any]]:
    return [e["data"] for e in map(json.loads, app.published[REPORTS]) if e["type"] == "ReportSubmitted"]


async def test_reports_are_numbered_in_the_order_received_and_the_final_one_closes(app: App) -> None:
    first = (await app.submit(app.report())).json()
    incident = first["incident_id"]
    answers = [first] + [(await app.submit(app.report(kind=kind, incident_id=incident))).json()
                         for kind in ("follow_up", "follow_up", "final")]
    assert [(a["sequence"], a["label"]) for a in answers] == [(0, "首报"), (1, "续报一"), (2, "续报二"), (3, "终报")]
    assert [(d["sequence"], d["label"]) for d in _submitted(app)] == [(0, "首报"), (1, "续报一"), (2, "续报二"),
                                                                     (3, "终报")]
    sent = len(app.published[REPORTS])
    late = await app.submit(app.report(kind="follow_up", incident_id=incident))
    assert late.status_code == 409, late.text
    assert late.headers["content-type"].startswith("application/problem+json")
    detail = late.json()["detail"]
    assert "已终报" in detail and "closed" in detail and "reopen" in detail
    assert [e["field"] for e in late.json()["errors"]] == ["reopen"]
    no_reason = await app.submit(app.report(kind="follow_up", incident_id=incident, reopen=True, reopen_reason=" "))
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["reopen_reason"]
    assert len(app.published[REPORTS]) == sent
    reopened = await app.submit(app.report(kind="follow_up", incident_id=incident, reopen=True,
                                           reopen_reason="发现新的遇难者 / a further victim found"))
    assert reopened.status_code == 202, reopened.text
    assert (reopened.json()["sequence"], reopened.json()["label"]) == (4, "续报四")
    event = _submitted(app)[-1]
    assert event["report"]["reopen"] is True and event["report"]["reopen_reason"].startswith("发现新的遇难者")
    assert (await app.submit(app.report(kind="follow_up", incident_id=incident))).status_code == 202


async def test_reopen_belongs_to_a_report_on_an_incident(app: App) -> None:
    r = await app.submit(app.report(reopen=True, reopen_reason="重新打开"))
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["reopen"]
    first = (await app.submit(app.report())).json()
    still_open = await app.submit(app.report(kind="follow_up", incident_id=first["incident_id"], reopen=True,
                                             reopen_reason="重新打开"))
    assert still_open.status_code == 202
    assert [w["type"] for w in still_open.json()["warnings"]] == ["not_closed"]


async def test_concurrent_follow_ups_get_distinct_numbers(app: App) -> None:
    incident = (await app.submit(app.report())).json()["incident_id"]
    answers = await asyncio.gather(*(app.submit(app.report(kind="follow_up", incident_id=incident, title=f"续{n}"))
                                     for n in range(8)))
    assert sorted(a.json()["sequence"] for a in answers) == list(range(1, 9))


async def test_a_changed_occurrence_time_or_place_is_a_warning_and_the_clock_stays(app: App) -> None:
    first = (await app.submit(app.report())).json()
    moved = app.report(kind="follow_up", incident_id=first["incident_id"], occurred_at="2026-11-23T07:35:00+08:00",
                       location={"unit_id": app.u("town-b-office"), "address": "河口"})
    r = await app.submit(moved)
    assert r.status_code == 202, r.text
    warnings = {w["field"]: w for w in r.json()["warnings"]}
    assert set(warnings) == {"occurred_at", "location.unit_id"}
    assert warnings["occurred_at"]["type"] == "occurred_at_changed"
    assert "2026-11-23T08:05:00+08:00" in warnings["occurred_at"]["message"]
    assert "deadlines" in warnings["occurred_at"]["message_en"]
    same_instant = app.report(kind="follow_up", incident_id=first["incident_id"], occurred_at="2026-11-23T00:05:00Z")
    assert (await app.submit(same_instant)).json()["warnings"] == []


async def test_obligation_times_keep_one_offset_before_and_after_regrading(app: App) -> None:
    first = (await app.submit(app.report(occurred_at="2026-11-23T00:05:00Z"))).json()
    follow = app.report(kind="follow_up", incident_id=first["incident_id"],
                        casualties={"deaths": 12, "injured": 5, "seriously_injured": 2, "missing": 0, "poisoned": 0})
    regraded = (await app.submit(follow)).json()
    assert regraded["regraded"] == {"previous_grade": "IV", "grade": "II"}
    times = [o[k] for a in (first, regraded) for o in a["obligations"] for k in ("late_at", "missed_at") if o[k]]
    assert times and all(t.endswith("+08:00") for t in times), times
    assert first["obligations"][0]["late_at"] == "2026-11-23T10:05:00+08:00"
