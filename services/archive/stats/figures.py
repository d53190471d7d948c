"""The statistics as the endpoint, the page and the monthly report all take them (one source)."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.archive.stats.domain import UnitInfo, previous_periods, totals, unit_stats
from services.archive.stats.queries import load_facts, load_units
from shared.policy import load_assignments, load_pack


def quotas_for(units: dict[str, UnitInfo]) -> dict[str, int | None]:
    """Each unit's monthly quota from the pack that governs it (``packs/assignments.yaml``)."""
    assignments = load_assignments()
    out: dict[str, int | None] = {}
    for uid, info in units.items():
        pack = load_pack(assignments.pack_name_for(unit_id=uid, kind=info.kind))
        out[uid] = pack.quotas.get(info.kind) if info.kind else None
    return out


async def month_figures(pool: asyncpg.Pool, period: str, history: int = 6) -> dict[str, Any]:
    """``{"period", "units", "totals", "months"}``: the month per unit, and the last months' totals."""
    units = await load_units(pool)
    facts = await load_facts(pool)
    quotas = quotas_for(units)
    rows = unit_stats(facts, units, quotas, period)
    months = [totals(unit_stats(facts, units, quotas, p), p) for p in previous_periods(period, history)]
    return {"period": period, "units": rows, "totals": totals(rows, period), "months": months}
