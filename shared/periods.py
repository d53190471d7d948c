"""Assessment periods (考核周期): a month ``2026-11``, a quarter ``2026-Q4`` or a year ``2026``, in Beijing time.

A period is the half-open interval [start, end) of instants, both at +08:00 (``shared.offset``). Escalation
closes a period's quotas at its end; assessment scores the items whose times fall inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.offset import CHINA, in_china
from shared.report import MAX_YEAR, MIN_YEAR

PeriodKind = Literal["month", "quarter", "year"]

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: PeriodKind
    #: The month 1–12, the quarter 1–4, or 1 for a year.
    number: int

    @property
    def name(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return f"{self.year}"

    @property
    def name_zh(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.number}月"
        if self.kind == "quarter":
            return f"{self.year}年第{'一二三四'[self.number - 1]}季度"
        return f"{self.year}年"

    def _first_month(self) -> int:
        return {"month": self.number, "quarter": 3 * self.number - 2, "year": 1}[self.kind]

    def _months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    @property
    def start(self) -> datetime:
        return datetime(self.year, self._first_month(), 1, tzinfo=CHINA)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        index = self.year * 12 + self._first_month() - 1 + self._months()
        return datetime(index // 12, index % 12 + 1, 1, tzinfo=CHINA)

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end

    def months(self) -> tuple[Period, ...]:
        """The months the period is made of (itself for a month)."""
        first = self._first_month()
        return tuple(Period(self.year, "month", first + i) for i in range(self._months()))


def parse_period(text: str) -> Period:
    """``2026-11`` → November 2026; ``2026-Q4``; ``2026``. ValueError, naming the forms, otherwise."""
    match = _PATTERN.match(text.strip())
    if match is None:
        raise ValueError(f"not a period: {text!r} (expected YYYY-MM, YYYY-Qn or YYYY)")
    year = int(match["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"the year must be {MIN_YEAR}–{MAX_YEAR}: {text!r}")
    if match["month"] is not None:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValueError(f"the month must be 01–12: {text!r}")
        return Period(year, "month", month)
    if match["quarter"] is not None:
        return Period(year, "quarter", int(match["quarter"]))
    return Period(year, "year", 1)


def period_containing(instant: datetime, kind: PeriodKind) -> Period:
    """The month, quarter or year (in Beijing time) that ``instant`` falls in."""
    local = in_china(instant)
    number = {"month": local.month, "quarter": (local.month - 1) // 3 + 1, "year": 1}[kind]
    return Period(local.year, kind, number)
