"""A work-information item (信息) as units submit it (docs/api.md, "Work information"; docs/rules.md §9).

The wire shape only, with the same bounds as a report (``shared.report``); intake's domain adds the
rules a clerk must satisfy (a request the item answers must exist, the unit must be known).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.access import DEFAULT, Level
from shared.report import MAX_YEAR, MIN_YEAR, Id

#: 工作动态, 要情, 调研/长篇, 舆情, 新媒体.
ItemKind = Literal["news", "brief", "long", "opinion", "newmedia"]
#: The level of a leader's written instruction (批示).
InstructionLevel = Literal["county", "prefecture", "province", "state"]

KIND_NAMES_ZH: dict[str, str] = {"news": "工作动态", "brief": "要情", "long": "调研/长篇", "opinion": "舆情",
                                 "newmedia": "新媒体"}


class Author(BaseModel):
    """The writer (供稿人) and a phone number the editors can call."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(default="", max_length=50)


class Item(BaseModel):
    """One item, one matter (信息均采用单条形式报送), exactly as `POST /v1/items` takes it."""

    model_config = ConfigDict(extra="forbid")

    reporting_unit: Id = Field(min_length=1, description="The unit that writes the item (供稿单位).")
    kind: ItemKind = Field(description="news 工作动态, brief 要情, long 调研/长篇, opinion 舆情, newmedia 新媒体.")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=50000)
    author: Author
    section: str | None = Field(default=None, max_length=100, description="The writing section (供稿科室).")
    request_id: Id | None = Field(default=None, description="The commissioned request (约稿) this item answers.")
    happened_on: date | None = Field(
        default=None, ge=date(MIN_YEAR, 1, 1), le=date(MAX_YEAR, 12, 31),
        description="The day the work it reports happened; a news item is due from it (the pack's due_after).")
    classification: Level = Field(default=DEFAULT, description="密级, as for reports.")
