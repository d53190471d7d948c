"""The documents of an office (考核文书): its subordinates' scores as a newsletter, notice or year-end assessment,
and an issue of its publication (bulletin). Figures come from ``Scores``; the renderers are pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.assessment.adapters import documents as reads
from services.assessment.documents import (
    Bulletin,
    BulletinItem,
    Letterhead,
    ScoreTable,
    UnitScore,
    render_bulletin,
    render_newsletter,
    render_quarterly_notice,
    render_year_assessment,
)
from services.assessment.domain.scoring import ranks
from services.assessment.service_layer.scores import Scores
from shared.access import may_read
from shared.db import Database
from shared.offset import in_china
from shared.periods import Period
from shared.policy import Words

RENDERERS = {"month": render_newsletter, "quarter": render_quarterly_notice, "year": render_year_assessment}
#: What a withheld item shows in a bulletin printed for a reader below its classification.
WITHHELD_TITLE, WITHHELD_BODY = "（涉密信息，按密级不予显示）", "本条信息的密级高于阅读者的许可级别，内容不予显示。"


class UnknownUnit(Exception):
    """The office named has never been registered (by ``as_of``)."""


@dataclass(frozen=True)
class Frame:
    """What the caller chooses about a document: the office, to whom, its number, when."""

    unit_id: str
    as_of: datetime
    addressees: str | None = None
    number: str | None = None


def _unit_score(row: dict[str, Any], rank: int) -> UnitScore:
    grade = row.get("grade")
    return UnitScore(
        unit_id=row["unit_id"], name=row["name"], submitted=row["submitted"], approved=row["approved"],
        adopted=row["adopted"], adoptions=row["adoptions"], quota=row["quota"] or 0, quota_met=row["quota_met"],
        base_points=row["base_points"], adoption_points=row["adoption_points"], bonus_points=row["bonus_points"],
        penalty_points=row["penalty_points"], total=row["total"], rank=rank,
        requests_missed=row["requests_missed"], grade=Words(**grade) if grade else None,
        zeroed=bool(row.get("zeroed")))


class Documents:
    def __init__(self, db: Database, scores: Scores):
        self._db, self._scores = db, scores

    async def _office(self, frame: Frame) -> tuple[str, set[str]]:
        async with self._db.pool.acquire() as conn:
            name = await reads.unit_name(conn, frame.unit_id, frame.as_of)
            if name is None:
                raise UnknownUnit(frame.unit_id)
            return name, await reads.subordinates(conn, frame.unit_id, frame.as_of)

    async def score_document(self, period: Period, frame: Frame) -> str:
        """The period's document of the office: its subordinates ranked among themselves."""
        issuer, under = await self._office(frame)
        answer = await self._scores.scores(period, frame.as_of)
        rows = [r for r in answer["units"] if r["unit_id"] in under]
        table = ScoreTable(
            period=period, policy=answer["policy"] or "、".join(answer["policies"]),
            letterhead=Letterhead(issuer=issuer, addressees=frame.addressees or "各有关单位",
                                  dated=_day(frame.as_of), number=frame.number),
            units=tuple(_unit_score(r, rank) for r, rank in zip(rows, ranks(r["total"] for r in rows), strict=True)))
        return RENDERERS[period.kind](table)

    async def bulletin(self, publication: str, issue: str, frame: Frame, *, clearance: str) -> str:
        """The issue as the office's editors compiled it; items above the reader's clearance withheld."""
        issuer, _ = await self._office(frame)
        async with self._db.pool.acquire() as conn:
            found = await reads.issue_items(conn, frame.unit_id, publication, issue, frame.as_of)
        items = tuple(_bulletin_item(f, clearance) for f in found)
        dated = _day(max((f["adopted_at"] for f in found), default=frame.as_of))
        return render_bulletin(Bulletin(publication=publication, issue=issue, issuer=issuer, dated=dated, items=items))


def _bulletin_item(found: dict[str, Any], clearance: str) -> BulletinItem:
    item = found["item"]
    if not may_read(clearance, item.get("classification")):
        return BulletinItem(title=WITHHELD_TITLE, body=WITHHELD_BODY, author_name="—",
                            writing_unit_name=found["writing_unit_name"])
    return BulletinItem(title=item["title"], body=item["body"], author_name=item["author"]["name"],
                        writing_unit_name=found["writing_unit_name"], section=item.get("section"))


def _day(instant: datetime) -> date:
    return in_china(instant).date()
