"""The incident statistics' rows and totals per unit per month (``/v1/stats/units``); pure, no I/O.

Definitions (docs/pages.md §统计口径) — the archive (its in-memory fold) and assessment (its SQL aggregates)
count by them and must give the same numbers:

- A month is a calendar month in Asia/Shanghai.
- ``reports``: reports submitted by the unit (``ReportSubmitted.report.reporting_unit``) whose
  ``received_at`` falls in the month.
- Each written-report obligation of a unit (``written_report`` in the obligations of
  ``ReportSubmitted`` / ``IncidentRegraded``, one per incident and unit, the first one stated) counts in the
  month of its ``late_at`` (an obligation known only from its breaches: of the ``late`` breach's deadline,
  else of the first breach's) and is exactly one of:
  ``missed`` — a ``missed`` DeadlineBreached exists for it;
  ``late`` — a ``late`` DeadlineBreached exists for it, and no ``missed`` one;
  ``on_time`` — no breach, and a ReportForwarded from the unit (to the obligation's ``to_unit_id``)
  happened (envelope ``time``) at or before ``late_at``;
  otherwise still open: not counted.
- ``on_time_rate`` = on_time / (on_time + late + missed), rounded to 4 places; null when nothing is due.
- ``quota`` and ``quota_met`` are always null: the information quota (items a unit owes per month, quarter or
  year, by its information pack) is scored by ``/v1/scores``, over signed-off items — not over incident
  reports, rejected and duplicated ones included. The fields stay for the contract's shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from shared.report import MAX_YEAR, MIN_YEAR

SHANGHAI = ZoneInfo("Asia/Shanghai")
WRITTEN = "written_report"
COUNTS = ("reports", "on_time", "late", "missed")
#: unit id → figure (one of ``COUNTS``) → number, for one month.
Counts = dict[str, dict[str, int]]


class NamedUnit(Protocol):
    """What a row shows of a unit: its name and kind."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str | None: ...


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


def zero() -> dict[str, int]:
    return dict.fromkeys(COUNTS, 0)


def rate(on_time: int, late: int, missed: int) -> float | None:
    due = on_time + late + missed
    return round(on_time / due, 4) if due else None


def unit_rows(counts: Counts, units: Mapping[str, NamedUnit]) -> list[dict[str, Any]]:
    """One row per unit — every unit in ``units`` and every unit with figures — best on-time rate first."""
    out: list[dict[str, Any]] = []
    for uid in units.keys() | counts.keys():
        r, info = counts.get(uid) or zero(), units.get(uid)
        out.append({"unit_id": uid, **r, "name": (info.name if info else "") or uid,
                    "kind": info.kind if info else None, "on_time_rate": rate(r["on_time"], r["late"], r["missed"]),
                    "quota": None, "quota_met": None})
    out.sort(key=_rank)
    return out


def _rank(row: dict[str, Any]) -> tuple[bool, float, str]:
    on_time_rate = row["on_time_rate"]
    return (on_time_rate is None, -(on_time_rate or 0.0), row["unit_id"])


def totals(rows: list[dict[str, Any]], period: str) -> dict[str, Any]:
    """The month's sums over units (what the charts over months plot)."""
    s = {k: sum(r[k] for r in rows) for k in COUNTS}
    return {"period": period, **s, "on_time_rate": rate(s["on_time"], s["late"], s["missed"])}


def month_figures(by_period: Mapping[str, Counts], units: Mapping[str, NamedUnit], periods: list[str]
                  ) -> dict[str, Any]:
    """``{"period", "units", "totals", "months"}`` for the last of ``periods``: its rows per unit, and every
    month's totals (``by_period`` may lack a month with no figures)."""
    period = periods[-1]
    rows = {p: unit_rows(by_period.get(p, {}), units) for p in periods}
    return {"period": period, "units": rows[period], "totals": totals(rows[period], period),
            "months": [totals(rows[p], p) for p in periods]}
