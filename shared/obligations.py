"""What a unit owes for an incident, by when — computed from a policy pack (pure, no I/O).

Intake states these in its answer and in ``ReportSubmitted``; escalation keeps their clocks.
Both call this one function so the two can never disagree.
"""

from __future__ import annotations

from datetime import datetime

from shared.events import Grade, Obligation
from shared.policy import ObligationRule, Pack


def applies(rule: ObligationRule, *, reportable: bool, grade: Grade | None) -> bool:
    if rule.applies_to == "reportable" and not reportable:
        return False
    if rule.applies_to == "not_reportable" and reportable:
        return False
    return not (reportable and grade is not None and grade not in rule.grades)


def initial_obligations(
    pack: Pack,
    *,
    clock_start: datetime,
    reportable: bool,
    grade: Grade | None,
    unit_id: str,
    parent_id: str | None,
    department_parent_id: str | None = None,
) -> list[Obligation]:
    """The obligations an incident opens for the unit where it happened (``location.unit_id``)."""
    owed: list[Obligation] = []
    for rule in pack.obligations:
        if rule.every is not None or not applies(rule, reportable=reportable, grade=grade):
            continue
        to_unit = department_parent_id if rule.to == "department_parent" else parent_id
        owed.append(Obligation(
            obligation=rule.obligation,
            unit_id=unit_id,
            to_unit_id=to_unit,
            late_at=clock_start + rule.late_after,
            missed_at=clock_start + rule.missed_after if rule.missed_after is not None else None,
        ))
    return owed
