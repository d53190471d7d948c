"""Escalation's work-information clocks, pure: ids, quota periods and their merging, the events fired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.escalation.domain.info_clocks import item_due_clock, quota_clocks, quota_id, request_clock
from services.escalation.domain.info_notices import breach_event, quota_missed_event
from shared.events import DeadlineBreached, QuotaMissed
from shared.information import load_info_pack
from shared.offset import CHINA
from shared.topics import BREACHES, DEADLINES

NOW = datetime(2026, 11, 23, 8, tzinfo=UTC)
GRACE = timedelta(minutes=10)
NOV_END = datetime(2026, 12, 1, tzinfo=CHINA)


def test_item_and_request_clock_ids_are_derived_from_what_they_are() -> None:
    due = NOW + timedelta(days=2)
    one = item_due_clock(item_id="i", unit_id="u", due_at=due, policy="info-county@1", opened_by="e1")
    again = item_due_clock(item_id="i", unit_id="u", due_at=due, policy="info-county@1", opened_by="e2")
    other = item_due_clock(item_id="j", unit_id="u", due_at=due, policy="info-county@1", opened_by="e1")
    asked = [request_clock(request_id="r", unit_id=u, due_at=due, policy="p", opened_by="e") for u in ("a", "b")]
    assert one.clock_id == again.clock_id != other.clock_id
    assert len({c.clock_id for c in asked}) == 2 and one.due_at == one.deadline_at == due


def test_a_department_owes_its_monthly_quota_at_the_months_end_plus_the_grace() -> None:
    [month] = quota_clocks(load_info_pack("info-county"), unit_id="d", unit_kind="department", level="county",
                           now=NOW, grace=GRACE, opened_by="e")
    assert (month.period, month.quota_min, month.quota_kinds) == ("2026-11", 5, None)  # per-author quotas: not here
    assert month.deadline_at == NOV_END and month.due_at == NOV_END + GRACE
    assert month.policy == "info-county@1" and month.clock_id == quota_id("d", "2026-11", None)


def test_at_a_periods_end_the_next_periods_clocks_come() -> None:
    pack = load_info_pack("info-county")
    [village] = quota_clocks(pack, unit_id="v", unit_kind="other", level="village", now=datetime(2026, 12, 31, 16,
                             tzinfo=UTC), grace=GRACE, opened_by="e")  # 2027-01-01 00:00 in Beijing
    assert (village.period, village.quota_min) == ("2027-Q1", 15)
    assert quota_clocks(pack, unit_id="x", unit_kind="general_office", level="county", now=NOW, grace=GRACE,
                        opened_by="e") == []


def test_two_quotas_of_one_period_and_kinds_are_one_clock_at_the_higher_minimum() -> None:
    clocks = quota_clocks(load_info_pack("info-classes"), unit_id="t", unit_kind="department", level="town",
                          now=NOW, grace=GRACE, opened_by="e")
    assert sorted((c.period, c.quota_min, c.quota_kinds) for c in clocks) == [
        ("2026-11", 5, None), ("2026-Q4", 1, ["long"])]  # department 5 and town 3 a month: 5
    assert len({c.clock_id for c in clocks}) == 2


def test_a_late_item_and_a_missed_request_breach_with_their_own_subject() -> None:
    due = NOW + timedelta(days=2)
    topic, late = breach_event(item_due_clock(item_id="i", unit_id="u", due_at=due, policy="info-county@1",
                                              opened_by="e"), detected_at=due)
    data = DeadlineBreached.model_validate(late.data)
    assert topic == BREACHES and late.partitionkey == "i" and late.id == data.breach_id
    assert (data.item_id, data.incident_id, data.request_id) == ("i", None, None)
    assert (data.kind, data.obligation, data.unit_id, data.deadline_at) == ("late", "routine_report", "u", due)
    topic, missed = breach_event(request_clock(request_id="r", unit_id="b", due_at=due, policy="info-county@1",
                                               opened_by="e"), detected_at=due)
    data = DeadlineBreached.model_validate(missed.data)
    assert topic == BREACHES and missed.partitionkey == "r"
    assert (data.request_id, data.incident_id, data.kind, data.obligation) == ("r", None, "request_missed",
                                                                                "request_reply")


def test_a_missed_quota_names_the_unit_period_and_count() -> None:
    [month] = quota_clocks(load_info_pack("info-county"), unit_id="d", unit_kind="department", level="county",
                           now=NOW, grace=GRACE, opened_by="e")
    topic, env = quota_missed_event(month, counted=2, detected_at=NOV_END + GRACE)
    data = QuotaMissed.model_validate(env.data)
    assert topic == DEADLINES and env.partitionkey == "d" and env.id == data.quota_id == month.clock_id
    assert (data.period, data.quota, data.counted, data.kinds, data.policy) == ("2026-11", 5, 2, None,
                                                                                "info-county@1")
