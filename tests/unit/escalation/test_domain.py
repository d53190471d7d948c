"""Escalation's pure rules: clock ids, reminders, 续报 sequence, suspected concealment, the test clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.escalation.domain.clock import SystemClock
from services.escalation.domain.clocks import first_follow_up_sequence, follow_up_clock, obligation_clocks
from services.escalation.domain.concealment import Seen, assess
from services.escalation.domain.notices import fired_event
from shared.events import DeadlineBreached, Obligation

T = datetime(2026, 11, 23, 8, tzinfo=UTC)
H = timedelta(hours=1)
WRITTEN = Obligation(obligation="written_report", unit_id="town", to_unit_id="county", late_at=T + 2 * H,
                     missed_at=T + 10 * H)


def clocks(now: datetime) -> list[tuple[str, str | None, datetime]]:
    rows = obligation_clocks(WRITTEN, incident_id="i", clock_start=T, policy="county-2h-10h@1", shares=(0.5, 0.8),
                             now=now, opened_by="e")
    return [(r.kind, r.of_kind, r.due_at) for r in rows]


def test_late_and_missed_clocks_with_their_reminders() -> None:
    assert clocks(T) == [("late", None, T + 2 * H), ("reminder", "late", T + H), ("reminder", "late", T + 1.6 * H),
                         ("missed", None, T + 10 * H), ("reminder", "missed", T + 5 * H),
                         ("reminder", "missed", T + 8 * H)]


def test_past_reminders_are_not_opened_but_past_deadlines_are() -> None:
    assert clocks(T + 3 * H) == [("late", None, T + 2 * H), ("missed", None, T + 10 * H),
                                 ("reminder", "missed", T + 5 * H), ("reminder", "missed", T + 8 * H)]


def test_clock_ids_are_derived_so_reopening_or_refiring_repeats_them() -> None:
    first = obligation_clocks(WRITTEN, incident_id="i", clock_start=T, policy="p", shares=(), now=T, opened_by="a")
    again = obligation_clocks(WRITTEN, incident_id="i", clock_start=T, policy="p", shares=(), now=T, opened_by="b")
    other = obligation_clocks(WRITTEN, incident_id="j", clock_start=T, policy="p", shares=(), now=T, opened_by="a")
    assert [r.clock_id for r in first] == [r.clock_id for r in again]
    assert len({r.clock_id for r in first + other}) == 4


def test_follow_ups_due_at_each_cadence_from_the_first_still_ahead() -> None:
    assert first_follow_up_sequence(T, 24 * H, T) == 1
    assert first_follow_up_sequence(T, 24 * H, T + 50 * H) == 3
    assert follow_up_clock(incident_id="i", unit_id="u", clock_start=T, every=24 * H, sequence=2, policy="p",
                           opened_by="e").due_at == T + 48 * H


def test_concealment_is_suspected_only_when_another_unit_reported_first() -> None:
    police = Seen("e1", "ReportSubmitted", T + H, "police")
    own = Seen("e2", "ReportSubmitted", T + 0.5 * H, "town")
    flagged, evidence = assess("town", [police], T + 2 * H)
    assert flagged and evidence == [{"event_id": "e1", "type": "ReportSubmitted", "time": (T + H).isoformat(),
                                     "unit_id": "police", "other_channel": True}]
    assert assess("town", [own, police], T + 2 * H)[0] is False
    assert assess("town", [Seen("e3", "ReportSubmitted", T + 3 * H, "police")], T + 2 * H) == (False, [])


def test_a_fired_late_clock_is_a_breach_whose_id_is_the_clock_id() -> None:
    [late] = [r for r in obligation_clocks(WRITTEN, incident_id="i", clock_start=T, policy="county-2h-10h@1",
                                           shares=(), now=T, opened_by="e") if r.kind == "late"]
    topic, envelope = fired_event(late, detected_at=T + 2 * H, seen=[])
    breach = DeadlineBreached.model_validate(envelope.data)
    assert (topic, envelope.id, breach.breach_id, breach.kind, breach.deadline_at) == (
        "baosong.breaches", late.clock_id, late.clock_id, "late", T + 2 * H)


def test_the_clock_is_the_wall_clock_unless_shifted(tmp_path: Path) -> None:
    assert not SystemClock().shifted
    assert abs(SystemClock().now() - datetime.now(UTC)) < timedelta(seconds=1)
    offset = tmp_path / "offset"
    offset.write_text("7200")
    assert abs(SystemClock(offset_file=offset).now() - datetime.now(UTC) - 2 * H) < timedelta(seconds=1)
