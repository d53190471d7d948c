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

from shared.report import MAX_YEAR, MIN_YEAR

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
    local = moment.astimezone(SHANGHAI)
    return f"{local.year:04d}-{local.month:02d}"


def parse_period(period: str) -> str:
    """Validate ``YYYY-MM`` in the years reports may fall in (ValueError otherwise); returns it normalised."""
    month = datetime.strptime(period, "%Y-%m")
    if not MIN_YEAR <= month.year <= MAX_YEAR:
        raise ValueError(f"{period}: outside the years {MIN_YEAR}–{MAX_YEAR}")
    return month.strftime("%Y-%m")


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


def _rate(on_time: int, late: int, missed: int) -> float | None:
    due = on_time + late + missed
    return round(on_time / due, 4) if due else None


def unit_stats(facts: list[Fact], units: dict[str, UnitInfo], quotas: dict[str, int | None],
               period: str) -> list[dict[str, Any]]:
    """One row per unit (every registered unit, and any unit with figures), best on-time rate first.

    ``quotas`` maps a unit id to its monthly quota (from the pack governing it), None for none.
    """
    return stats_by_period(facts, units, quotas, [period])[period]


def stats_by_period(facts: list[Fact], units: dict[str, UnitInfo], quotas: dict[str, int | None],
                    periods: list[str]) -> dict[str, list[dict[str, Any]]]:
    """``unit_stats`` for several months in one pass over the facts."""
    counts: dict[str, dict[str, dict[str, int]]] = {
        p: {uid: {"reports": 0, "on_time": 0, "late": 0, "missed": 0} for uid in units} for p in periods}

    def row(period: str, uid: str) -> dict[str, int]:
        return counts[period].setdefault(uid, {"reports": 0, "on_time": 0, "late": 0, "missed": 0})

    for fact in facts:
        if fact.type == "ReportSubmitted":
            p = period_of(_dt(fact.data["received_at"]) or fact.time)
            if p in counts:
                row(p, fact.data["report"]["reporting_unit"])["reports"] += 1
    for (_, uid), duty in _duties(facts).items():
        month_at = duty.late_at or duty.breach_deadline
        outcome = _outcome(duty)
        if outcome and month_at and (p := period_of(month_at)) in counts:
            row(p, uid)[outcome] += 1
    return {p: _rows(by_unit, units, quotas) for p, by_unit in counts.items()}


def _rows(by_unit: dict[str, dict[str, int]], units: dict[str, UnitInfo],
          quotas: dict[str, int | None]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for uid, r in by_unit.items():
        info = units.get(uid, UnitInfo(uid))
        quota = quotas.get(uid)
        out.append({"unit_id": uid, **r, "name": info.name or uid, "kind": info.kind,
                    "on_time_rate": _rate(r["on_time"], r["late"], r["missed"]),
                    "quota": quota, "quota_met": None if quota is None else r["reports"] >= quota})
    out.sort(key=_rank)
    return out


def _rank(row: dict[str, Any]) -> tuple[bool, float, str]:
    rate = row["on_time_rate"]
    return (rate is None, -(rate or 0.0), row["unit_id"])


def totals(rows: list[dict[str, Any]], period: str) -> dict[str, Any]:
    """The month's sums over units (what the charts over months plot)."""
    s = {k: sum(r[k] for r in rows) for k in ("reports", "on_time", "late", "missed")}
    return {"period": period, **s, "on_time_rate": _rate(s["on_time"], s["late"], s["missed"])}
