"""Assessment statistics per unit per month (contract §Archive ``/v1/stats/units``); pure, no I/O.

Definitions (docs/pages.md §统计口径):
- A month is a calendar month in Asia/Shanghai.
- ``reports``: reports submitted by the unit (``ReportSubmitted.report.reporting_unit``) whose
  ``received_at`` falls in the month.
- Each written-report obligation of a unit (``written_report`` in the obligations of
  ``ReportSubmitted`` / ``IncidentRegraded``, one per incident and unit) counts in the month of its
  ``late_at`` and is exactly one of:
  ``missed`` — a ``missed`` DeadlineBreached exists for it;
  ``late`` — a ``late`` DeadlineBreached exists for it, and no ``missed`` one;
  ``on_time`` — no breach, and a ReportForwarded from the unit (to the obligation's ``to_unit_id``)
  happened (envelope ``time``) at or before ``late_at``;
  otherwise still open: not counted.
- ``on_time_rate`` = on_time / (on_time + late + missed), rounded to 4 places; null when nothing is due.
- ``quota``: the pack's monthly quota for the unit's kind (null when the pack sets none);
  ``quota_met`` = reports ≥ quota (null without a quota).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
WRITTEN = "written_report"


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


def period_of(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m")


def parse_period(period: str) -> str:
    """Validate ``YYYY-MM`` (ValueError otherwise); returns it normalised."""
    return datetime.strptime(period, "%Y-%m").strftime("%Y-%m")


def previous_periods(period: str, count: int) -> list[str]:
    """``count`` months ending with ``period``, oldest first."""
    year, month = map(int, period.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _duties(facts: list[Fact]) -> dict[tuple[str, str], _Duty]:
    duties: dict[tuple[str, str], _Duty] = {}
    forwards: dict[tuple[str, str, str], datetime] = {}
    for fact in facts:
        d = fact.data
        if fact.type in ("ReportSubmitted", "IncidentRegraded"):
            for ob in d.get("obligations", []):
                if ob.get("obligation") == WRITTEN:
                    duties.setdefault((d["incident_id"], ob["unit_id"]),
                                      _Duty(ob.get("to_unit_id"), _dt(ob.get("late_at"))))
        elif fact.type == "ReportForwarded":
            key = (d["incident_id"], d["from_unit_id"], d["to_unit_id"])
            if key not in forwards or fact.time < forwards[key]:
                forwards[key] = fact.time
        elif fact.type == "DeadlineBreached" and d.get("obligation") == WRITTEN:
            duty = duties.setdefault((d["incident_id"], d["unit_id"]), _Duty(None, None))
            duty.breaches.add(d["kind"])
            deadline = _dt(d["deadline_at"])
            if d["kind"] == "late" or duty.breach_deadline is None:
                duty.breach_deadline = deadline
    for (incident, unit), duty in duties.items():
        times = [t for (i, f, to), t in forwards.items()
                 if i == incident and f == unit and (duty.to_unit_id is None or to == duty.to_unit_id)]
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


def _rate(on_time: int, late: int, missed: int) -> float | None:
    due = on_time + late + missed
    return round(on_time / due, 4) if due else None


def unit_stats(facts: list[Fact], units: dict[str, UnitInfo], quotas: dict[str, int | None],
               period: str) -> list[dict[str, Any]]:
    """One row per unit (every registered unit, and any unit with figures), best on-time rate first.

    ``quotas`` maps a unit id to its monthly quota (from the pack governing it), None for none.
    """
    rows: dict[str, dict[str, Any]] = {
        uid: {"unit_id": uid, "reports": 0, "on_time": 0, "late": 0, "missed": 0} for uid in units}

    def row(uid: str) -> dict[str, Any]:
        return rows.setdefault(uid, {"unit_id": uid, "reports": 0, "on_time": 0, "late": 0, "missed": 0})

    for fact in facts:
        if fact.type == "ReportSubmitted" and period_of(_dt(fact.data["received_at"]) or fact.time) == period:
            row(fact.data["report"]["reporting_unit"])["reports"] += 1
    for (_, uid), duty in _duties(facts).items():
        month_at = duty.late_at or duty.breach_deadline
        outcome = _outcome(duty)
        if outcome and month_at and period_of(month_at) == period:
            row(uid)[outcome] += 1
    out = []
    for uid, r in rows.items():
        info = units.get(uid, UnitInfo(uid))
        quota = quotas.get(uid)
        out.append({**r, "name": info.name or uid, "kind": info.kind,
                    "on_time_rate": _rate(r["on_time"], r["late"], r["missed"]),
                    "quota": quota, "quota_met": None if quota is None else r["reports"] >= quota})
    out.sort(key=lambda r: (r["on_time_rate"] is None, -(r["on_time_rate"] or 0), r["unit_id"]))
    return out


def totals(rows: list[dict[str, Any]], period: str) -> dict[str, Any]:
    """The month's sums over units (what the charts over months plot)."""
    s = {k: sum(r[k] for r in rows) for k in ("reports", "on_time", "late", "missed")}
    return {"period": period, **s, "on_time_rate": _rate(s["on_time"], s["late"], s["missed"])}
