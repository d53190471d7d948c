"""Clock rows from obligations (pure): a breach clock per deadline, reminders before it, 续报 due times.

A clock's id is the id of the event it fires, derived (uuid5) from what the clock is: the incident,
the responsible unit, the obligation, where it is owed, the kind and the deadline. Opening the same
obligation twice, or firing it twice after a crash, therefore always yields the same id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.events import Obligation
from shared.obligations import reminder_times

NAMESPACE = uuid.UUID("6f1c7f0e-4b1e-5d8a-9a55-0c3b9e2d7a41")


def derived_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join("" if p is None else str(p) for p in parts)))


@dataclass(frozen=True)
class ClockRow:
    clock_id: str
    incident_id: str
    unit_id: str
    to_unit_id: str | None
    obligation: str
    kind: str  # late | missed | reminder | follow_up
    clock_start: datetime
    deadline_at: datetime
    due_at: datetime
    policy: str
    opened_by: str
    of_kind: str | None = None
    report_id: str | None = None
    share: float | None = None
    sequence: int | None = None


def obligation_clocks(
    owed: Obligation, *, incident_id: str, clock_start: datetime, policy: str, shares: tuple[float, ...],
    now: datetime, opened_by: str, report_id: str | None = None,
) -> list[ClockRow]:
    """The late and missed clocks of one obligation, each with its reminders (only those still ahead)."""
    rows: list[ClockRow] = []
    for kind, deadline in (("late", owed.late_at), ("missed", owed.missed_at)):
        if deadline is None:
            continue
        breach = derived_id(incident_id, owed.unit_id, owed.obligation, owed.to_unit_id, report_id, kind,
                            deadline.isoformat())
        common = dict(incident_id=incident_id, unit_id=owed.unit_id, to_unit_id=owed.to_unit_id,
                      obligation=owed.obligation, clock_start=clock_start, deadline_at=deadline, policy=policy,
                      opened_by=opened_by, report_id=report_id)
        rows.append(ClockRow(clock_id=breach, kind=kind, due_at=deadline, **common))  # type: ignore[arg-type]
        if deadline <= now:
            continue
        for share, due in reminder_times(clock_start, deadline, shares):
            if due <= now:
                continue  # a warning whose moment has passed is noise; the breach clock still runs
            rows.append(ClockRow(clock_id=derived_id(breach, "reminder", share), kind="reminder", of_kind=kind,
                                 share=share, due_at=due, **common))  # type: ignore[arg-type]
    return rows


def follow_up_clock(
    *, incident_id: str, unit_id: str, clock_start: datetime, every: timedelta, sequence: int, policy: str,
    opened_by: str,
) -> ClockRow:
    """The ``sequence``-th 续报 due (续报一 at clock start + every, 续报二 at + 2·every, …)."""
    due = clock_start + every * sequence
    return ClockRow(clock_id=derived_id(incident_id, unit_id, "follow_up", sequence), incident_id=incident_id,
                    unit_id=unit_id, to_unit_id=None, obligation="follow_up", kind="follow_up",
                    clock_start=clock_start, deadline_at=due, due_at=due, policy=policy, opened_by=opened_by,
                    sequence=sequence)


def first_follow_up_sequence(clock_start: datetime, every: timedelta, now: datetime) -> int:
    """The first 续报 still ahead of ``now`` (an incident learned of late does not owe the past ones)."""
    elapsed = now - clock_start
    return max(1, int(elapsed / every) + 1) if elapsed > timedelta() else 1


def step_clock(*, incident_id: str, unit_id: str, report_id: str, step: int, held_since: datetime, hold: timedelta,
               policy: str, opened_by: str) -> ClockRow:
    """A sign-off step's own reminder (StepOverdue): due when step ``step`` (from 1) has held the report in
    ``unit_id`` for its pack's ``hold``; the decision of that step closes it first."""
    due = held_since + hold
    return ClockRow(clock_id=derived_id(incident_id, unit_id, "sign_off", report_id, step, held_since.isoformat()),
                    incident_id=incident_id, unit_id=unit_id, to_unit_id=None, obligation="sign_off", kind="step",
                    clock_start=held_since, deadline_at=due, due_at=due, policy=policy, opened_by=opened_by,
                    report_id=report_id, sequence=step)
