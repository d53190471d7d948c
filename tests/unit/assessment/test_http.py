"""The read API's refusals name the field in both languages; the board's page is a table a phone can read."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

import pytest

from services.assessment.entrypoints.board_page import render_board
from services.assessment.entrypoints.http import as_of_of, period_of
from shared.http import Problem
from shared.periods import parse_period
from tests.unit.test_bilingual_problems import bilingual


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26", "2026/11", "1800", "2026-11-01", ""])
def test_a_bad_period_is_a_bilingual_422_naming_it(text: str) -> None:
    with pytest.raises(Problem) as refused:
        period_of(text)
    assert refused.value.status == 422 and bilingual(refused.value.detail)
    assert [e["field"] for e in refused.value.errors] == ["period"]


@pytest.mark.parametrize("text", ["2026-11", "2026-Q4", "2026"])
def test_the_three_forms_of_a_period_are_taken(text: str) -> None:
    assert period_of(text).name == text


@pytest.mark.parametrize("value", [datetime(2026, 11, 1, 9), datetime.fromisoformat("1900-01-01T00:00:00+08:00")])
def test_a_bad_as_of_is_a_bilingual_422_naming_it(value: datetime) -> None:
    with pytest.raises(Problem) as refused:
        as_of_of(value)
    assert refused.value.status == 422 and bilingual(refused.value.detail)
    assert [e["field"] for e in refused.value.errors] == ["as_of"]


class Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.cells: dict[str, list[str]] = {}
        self.viewport = False
        self._in: str | None = None
        self._unit: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and a.get("name") == "viewport":
            self.viewport = True
        unit = a.get("data-unit")
        if tag == "tr" and unit:
            self._unit = unit
            self.cells[unit] = []
        if tag == "th" and a.get("scope") == "col":
            self._in = "header"
        if tag == "td" and a.get("data-value") is not None and self._unit:
            self.cells[self._unit].append(a["data-value"] or "")

    def handle_data(self, data: str) -> None:
        if self._in == "header":
            self.headers.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in = None


def test_the_board_page_is_a_chinese_table_with_headers_for_a_phone() -> None:
    board = {"period": "2026-11", "period_zh": parse_period("2026-11").name_zh, "as_of": "2026-11-30T18:00:00+08:00",
             "publications": ["政务信息", "要情快报"],
             "units": [{"unit_id": "town-a", "name": "城关镇<党政办>", "submitted": 7, "approved": 5, "adopted": 3,
                        "adoptions": {"要情快报": 2, "政务信息": 1}},
                       {"unit_id": "town-b", "name": "河口镇", "submitted": 1, "approved": 0, "adopted": 0,
                        "adoptions": {}}]}
    page = render_board(board)
    table = Table()
    table.feed(page)
    assert table.viewport and 'lang="zh-CN"' in page
    assert table.headers == ["序号", "单位", "报送", "签发", "采用", "政务信息", "要情快报"]
    assert table.cells == {"town-a": ["7", "5", "3", "1", "2"], "town-b": ["1", "0", "0", "0", "0"]}
    assert "城关镇&lt;党政办&gt;" in page and "2026年11月信息报送公示栏" in page
    assert re.search(r"统计截至 2026年11月30日 18:00", page)
