"""Score tables for the documents' tests: units whose figures agree (total = sum of parts, ranks by total)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from services.assessment.documents import Letterhead, ScoreTable, UnitScore
from shared.periods import parse_period
from shared.policy import Words

LETTERHEAD = Letterhead(issuer="××县人民政府办公室", addressees="各乡镇人民政府，县直各单位",
                        dated=date(2026, 12, 1), number="县政办信〔2026〕11号")
POINTS = {"要情快报": 5, "政务信息": 10, "增刊": 30}


def unit(unit_id: str, name: str, *, submitted: int = 0, approved: int = 0, adoptions: dict[str, int] | None = None,
         quota: int = 5, quota_met: bool | None = None, base: int = 0, bonus: int = 0, missed: int = 0,
         zeroed: bool = False, grade: str | None = None) -> UnitScore:
    """A unit's score, its points computed as the county pack counts them (``POINTS``, 10 a missed request).
    ``quota_met=None`` means no quota applies (give ``quota=0`` with it)."""
    adoptions = adoptions or {}
    adoption_points = sum(POINTS[p] * n for p, n in adoptions.items())
    penalty = 10 * missed
    raw = base + adoption_points + bonus - penalty
    return UnitScore(unit_id=unit_id, name=name, submitted=submitted, approved=approved,
                     adopted=sum(adoptions.values()), adoptions=adoptions, quota=quota, quota_met=quota_met,
                     base_points=base, adoption_points=adoption_points, bonus_points=bonus, penalty_points=penalty,
                     total=0 if zeroed else raw, rank=1, requests_missed=missed, zeroed=zeroed,
                     grade=Words(zh=grade, en=grade) if grade else None)


def table(period: str, *units: UnitScore) -> ScoreTable:
    """The units ranked by total (equal totals share a rank, the next rank skips: 1, 1, 3)."""
    ranked = tuple(replace(u, rank=1 + sum(1 for other in units if other.total > u.total)) for u in units)
    return ScoreTable(period=parse_period(period), policy="info-county@1", letterhead=LETTERHEAD, units=ranked)
