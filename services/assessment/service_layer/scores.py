"""Answering ``/v1/scores`` and ``/v1/board``: the aggregates of one database snapshot, each unit's pack,
the pure scoring over them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.assessment.adapters import aggregates
from services.assessment.domain.board import board_rows, publications
from services.assessment.domain.scoring import UnitInfo, covering, parts, ranks, score
from shared.db import Database
from shared.information import InfoPack, info_pack_for
from shared.offset import in_china
from shared.periods import Period


def pack_of(unit: UnitInfo) -> InfoPack:
    """The unit's information pack, by this deployment's assignments (by unit id, then unit kind, else default)."""
    return info_pack_for(unit_id=unit.unit_id, unit_kind=unit.kind)


def scored_periods(period: Period) -> tuple[Period, ...]:
    """The months, quarters and the year within ``period`` (whose QuotaMissed facts a score shows)."""
    quarters = parts(period, "quarter") if period.kind != "month" else ()
    return (*parts(period, "month"), *quarters, *((period,) if period.kind == "year" else ()))


class Scores:
    def __init__(self, db: Database):
        self._db = db

    async def scores(self, period: Period, as_of: datetime) -> dict[str, Any]:
        async with self._db.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            known = await aggregates.units(conn, as_of)
            figures = await aggregates.monthly_figures(conn, covering(period), as_of)
            misses = await aggregates.quota_misses(conn, scored_periods(period), as_of)
        units = [known.get(u) or UnitInfo(u, u, None, None) for u in sorted(known.keys() | figures.keys())]
        scored = [score(pack_of(u), u, period, figures.get(u.unit_id, {})) for u in units]
        rows = [s.as_json(rank) | {"quotas_missed": misses.get(s.unit.unit_id, [])}
                for s, rank in zip(scored, ranks(s.total for s in scored), strict=True)]
        rows.sort(key=lambda r: (r["rank"], r["unit_id"]))
        policies = sorted({s.policy for s in scored})
        return {"period": period.name, "period_zh": period.name_zh, "as_of": in_china(as_of).isoformat(),
                "policy": policies[0] if len(policies) == 1 else None, "policies": policies, "units": rows}

    async def board(self, period: Period, as_of: datetime) -> dict[str, Any]:
        async with self._db.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            known = await aggregates.units(conn, as_of)
            figures = await aggregates.monthly_figures(conn, period, as_of)
        rows = board_rows(known, figures)
        return {"period": period.name, "period_zh": period.name_zh, "as_of": in_china(as_of).isoformat(),
                "publications": publications(rows), "units": rows}
