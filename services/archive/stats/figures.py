"""The statistics as the endpoint, the page and the monthly report all take them (one source).

Events are tailed from the store (``StoreTail``) and the month's figures are computed again only
when something was appended since; the computation runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import asyncpg

from services.archive.domain.stored import StoredEvent, conforms
from services.archive.stats.domain import Fact, UnitInfo, counts_by_period
from services.archive.stats.queries import load_units
from services.archive.stats.tail import StoreTail
from shared.incident_stats.figures import month_figures, previous_periods

STATS_TYPES = ["ReportSubmitted", "IncidentRegraded", "ReportForwarded", "DeadlineBreached"]


def _fact(event: StoredEvent) -> Fact | None:
    """The fact the figures read, or None for an event that does not conform to its type: left out."""
    if not conforms(event):
        return None
    return Fact(event.type, datetime.fromisoformat(event.time or event.recorded_at), event.data)


def compute(facts: list[Fact], units: dict[str, UnitInfo], period: str, history: int) -> dict[str, Any]:
    periods = previous_periods(period, history)
    return month_figures(counts_by_period(facts, periods), units, periods)


class Figures:
    def __init__(self) -> None:
        self._facts: StoreTail[Fact] = StoreTail(STATS_TYPES, _fact)
        self._cache: dict[tuple[str, int], tuple[int, dict[str, Any]]] = {}

    async def month(self, pool: asyncpg.Pool, period: str, history: int) -> dict[str, Any]:
        """``{"period", "units", "totals", "months"}``: the month per unit, and the last months' totals."""
        units = await load_units(pool)
        facts = await self._facts.refresh(pool)
        key, seen = (period, history), hash((self._facts.position, tuple(units.values())))
        cached = self._cache.get(key)
        if cached is not None and cached[0] == seen:
            return cached[1]
        result = await asyncio.to_thread(compute, facts, units, period, history)
        self._cache[key] = (seen, result)
        return result
