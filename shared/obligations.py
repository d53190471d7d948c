"""What a unit owes for an incident, by when — computed from a policy pack (pure, no I/O).

Intake states these in its answer and in ``ReportSubmitted``; escalation keeps their clocks.
Both call this one function so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.events import Grade, Obligation, UnitLevel
from shared.policy import ObligationRule, Pack


def applies(rule: ObligationRule, *, reportable: bool, grade: Grade | None) -> bool:
    if rule.applies_to == "reportable" and not reportable:
        return False
    if rule.applies_to == "not_reportable" and reportable:
        return False
    return not (reportable and grade is not None and grade not in rule.grades)


def _opens_with_incident(rule: ObligationRule) -> bool:
    """Owed by the incident's own unit from the clock start (not a hop, a receipt or a 续报)."""
    return rule.every is None and rule.from_level is None and rule.counted_from == "clock_start"


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
        if not _opens_with_incident(rule) or not applies(rule, reportable=reportable, grade=grade):
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


@dataclass(frozen=True)
class Ancestor:
    """A unit above the incident's unit, as a directory of units knows it."""

    unit_id: str
    level: UnitLevel
    parent_id: str | None


def hop_obligations(
    pack: Pack, *, clock_start: datetime, reportable: bool, grade: Grade | None, ancestors: list[Ancestor]
) -> list[Obligation]:
    """Each hop up the levels (e.g. the city to the province by T+4h): owed by the ancestor at ``from_level``."""
    owed: list[Obligation] = []
    for rule in pack.obligations:
        if rule.from_level is None or not applies(rule, reportable=reportable, grade=grade):
            continue
        for unit in ancestors:
            if unit.level == rule.from_level:
                owed.append(Obligation(
                    obligation=rule.obligation, unit_id=unit.unit_id, to_unit_id=unit.parent_id,
                    late_at=clock_start + rule.late_after,
                    missed_at=clock_start + rule.missed_after if rule.missed_after is not None else None,
                ))
    return owed


def receipt_obligations(pack: Pack, *, forwarded_at: datetime, receiver_id: str, sender_id: str) -> list[Obligation]:
    """What the unit a report was forwarded to owes back (回执), counted from the forwarding."""
    return [
        Obligation(
            obligation=rule.obligation, unit_id=receiver_id, to_unit_id=sender_id,
            late_at=forwarded_at + rule.late_after,
            missed_at=forwarded_at + rule.missed_after if rule.missed_after is not None else None,
        )
        for rule in pack.obligations
        if rule.counted_from == "forwarded" and rule.every is None
    ]


def follow_up_cadence(pack: Pack, *, reportable: bool, grade: Grade | None) -> timedelta | None:
    """How often a 续报 is owed until a final report closes the incident (None: the pack asks none)."""
    for rule in pack.obligations:
        if rule.every is not None and applies(rule, reportable=reportable, grade=grade):
            return rule.every
    return None


def reminder_times(
    clock_start: datetime, deadline: datetime, shares: tuple[float, ...]
) -> list[tuple[float, datetime]]:
    """When to warn before ``deadline``: at each share of the time from the clock start."""
    return [(share, clock_start + (deadline - clock_start) * share) for share in shares if 0 < share < 1]
