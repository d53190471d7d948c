"""The public board (公示栏) of a period: each unit's counts and its adoptions by publication; pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from services.assessment.domain.scoring import MonthFigures, UnitInfo
from shared.periods import Period


def board_rows(units: Mapping[str, UnitInfo], figures: Mapping[str, Mapping[Period, MonthFigures]]
               ) -> list[dict[str, Any]]:
    """One row per unit (registered, or named by a fact), summing its months in ``figures``: most adopted
    first, then most approved, most submitted, then by id."""
    rows: list[dict[str, Any]] = []
    for unit_id in units.keys() | figures.keys():
        unit = units.get(unit_id) or UnitInfo(unit_id, unit_id, None, None)
        months = list(figures.get(unit_id, {}).values())
        by_publication: Counter[str] = Counter()
        for f in months:
            for (_, publication), n in f.adoptions.items():
                by_publication[publication] += n
        rows.append({"unit_id": unit_id, "name": unit.name, "submitted": sum(f.submitted for f in months),
                     "approved": sum(sum(f.approved.values()) for f in months),
                     "adopted": sum(by_publication.values()), "adoptions": dict(sorted(by_publication.items()))})
    rows.sort(key=lambda r: (-int(r["adopted"]), -int(r["approved"]), -int(r["submitted"]), str(r["unit_id"])))
    return rows


def publications(rows: list[dict[str, Any]]) -> list[str]:
    """Every publication that adopted an item on the board, by name."""
    return sorted({name for row in rows for name in row["adoptions"]})
