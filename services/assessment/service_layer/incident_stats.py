"""Answering the incident statistics (``/v1/stats/units``, the months' totals, the monthly incident report)
from the read models: SQL aggregates over the months asked for, in one database snapshot — never a fold over
every event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.assessment.adapters import aggregates, incidents
from shared.db import Database
from shared.envelope import now_utc
from shared.incident_stats.figures import SHANGHAI, month_figures, previous_periods


def month_start(period: str, months_later: int = 0) -> datetime:
    """The first instant of the Shanghai month ``period`` (``YYYY-MM``), or of a month ``months_later``."""
    year, month = map(int, period.split("-"))
    year, month = divmod(year * 12 + month - 1 + months_later, 12)
    return datetime(year, month + 1, 1, tzinfo=SHANGHAI)


class IncidentStats:
    def __init__(self, db: Database):
        self._db = db

    async def month(self, period: str, history: int) -> dict[str, Any]:
        """``{"period", "units", "totals", "months"}``: ``period`` per unit, the totals of ``history`` months."""
        periods = previous_periods(period, history)
        async with self._db.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            units = await aggregates.units(conn, now_utc())
            counts = await incidents.counts(conn, month_start(periods[0]), month_start(period, 1))
        return month_figures(counts, units, periods)
