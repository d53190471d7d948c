"""The archive's incident statistics: a fold over every stored event, in memory; pure, no I/O.

The definitions are ``shared.incident_stats.figures``'s (docs/pages.md §统计口径); assessment counts the same
by SQL aggregates over its read models (docs/work-information/assessment.md). This fold is kept so the
archive's ``/v1/stats/*`` answer as before, with the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.incident_stats.figures import WRITTEN, Counts, period_of, zero


@dataclass(frozen=True)
class Fact:
    """One stored event as the statistics need it: type, envelope time, data."""

    type: str
    time: datetime
    data: dict[str, Any]


@dataclass(frozen=True)
class UnitInfo:
    unit_id: str
    name: str = ""
    kind: str | None = None
    level: str | None = None
    parent_id: str | None = None
    department_parent_id: str | None = None


@dataclass
class _Duty:
    to_unit_id: str | None
    late_at: datetime | None
    breaches: set[str] = field(default_factory=set)
    breach_deadline: datetime | None = None
    forwarded_at: datetime | None = None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _duties(facts: list[Fact]) -> dict[tuple[str, str], _Duty]:
    duties: dict[tuple[str, str], _Duty] = {}
    forwards: dict[tuple[str, str], dict[str, datetime]] = {}
    for fact in facts:
        d = fact.data
        if fact.type in ("ReportSubmitted", "IncidentRegraded"):
            for ob in d.get("obligations", []):
                if ob.get("obligation") == WRITTEN:
                    duties.setdefault((d["incident_id"], ob["unit_id"]),
                                      _Duty(ob.get("to_unit_id"), _dt(ob.get("late_at"))))
        elif fact.type == "ReportForwarded":
            to = forwards.setdefault((d["incident_id"], d["from_unit_id"]), {})
            if d["to_unit_id"] not in to or fact.time < to[d["to_unit_id"]]:
                to[d["to_unit_id"]] = fact.time
        elif fact.type == "DeadlineBreached" and d.get("obligation") == WRITTEN:
            duty = duties.setdefault((d["incident_id"], d["unit_id"]), _Duty(None, None))
            duty.breaches.add(d["kind"])
            deadline = _dt(d["deadline_at"])
            if d["kind"] == "late" or duty.breach_deadline is None:
                duty.breach_deadline = deadline
    for key, duty in duties.items():
        times = [t for to, t in forwards.get(key, {}).items() if duty.to_unit_id in (None, to)]
        duty.forwarded_at = min(times) if times else None
    return duties


def _outcome(duty: _Duty) -> str | None:
    if "missed" in duty.breaches:
        return "missed"
    if "late" in duty.breaches:
        return "late"
    if duty.forwarded_at is not None and duty.late_at is not None and duty.forwarded_at <= duty.late_at:
        return "on_time"
    return None


def counts_by_period(facts: list[Fact], periods: list[str]) -> dict[str, Counts]:
    """Each month's figures per unit (only units with some), in one pass over the facts."""
    counts: dict[str, Counts] = {p: {} for p in periods}
    for fact in facts:
        if fact.type == "ReportSubmitted":
            p = period_of(_dt(fact.data["received_at"]) or fact.time)
            if p in counts:
                counts[p].setdefault(fact.data["report"]["reporting_unit"], zero())["reports"] += 1
    for (_, uid), duty in _duties(facts).items():
        month_at = duty.late_at or duty.breach_deadline
        outcome = _outcome(duty)
        if outcome and month_at and (p := period_of(month_at)) in counts:
            counts[p].setdefault(uid, zero())[outcome] += 1
    return counts
