"""The documents as HTML: the GB/T 9704 frame, the table's cells and the sentences as the figures give them."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest

from services.assessment.documents import (
    Bulletin,
    BulletinItem,
    ScoreTable,
    render_bulletin,
    render_newsletter,
    render_quarterly_notice,
    render_year_assessment,
)
from services.assessment.documents.wording import problems, suggestions, unit_sentence
from tests.support.score_tables import LETTERHEAD, table, unit

VOID = {"meta", "hr", "br", "link", "img", "input"}


class Reading(HTMLParser):
    """What a reader of the page gets: each element's text by id/class, the table's cells by unit."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[dict[str, str | None]] = []
        self.cells: dict[str, dict[str, str]] = {}
        self.units_said: dict[str, str] = {}
        self.lists: dict[str, list[str]] = {}
        self.by_class: dict[str, list[str]] = {}
        self.text = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        self.stack.append({"tag": tag, **dict(attrs), "text": ""})

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element["text"] = (element["text"] or "") + data
        if not any(e["tag"] in ("style", "title") for e in self.stack):
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        element = self.stack.pop()
        text = element["text"] or ""
        row = next((e.get("data-unit") for e in reversed(self.stack) if e["tag"] == "tr"), None)
        if tag == "td" and row:
            self.cells.setdefault(row, {})[element["class"] or ""] = text
        if tag == "p" and element.get("class") == "unit":
            self.units_said[element["data-unit"] or ""] = text
        if tag == "li" and self.stack and self.stack[-1].get("id"):
            self.lists.setdefault(self.stack[-1]["id"] or "", []).append(text)
        for name in (element.get("class") or "").split():
            self.by_class.setdefault(name, []).append(text)


def month() -> ScoreTable:
    return table("2026-11", unit("a", "城关镇", submitted=7, approved=6, adoptions={"要情快报": 2, "政务信息": 1},
                                 quota_met=True, base=10, bonus=5),
                 unit("b", "东山乡", submitted=3, approved=2, quota_met=False, missed=1),
                 unit("c", "县教育局", submitted=2, approved=2, quota=0, quota_met=None))


def test_the_newsletter_holds_the_frame_the_table_and_every_sentence() -> None:
    t = month()
    html = render_newsletter(t)
    read = Reading(html)
    assert read.by_class["issuer"] == read.by_class["signature"] == ["××县人民政府办公室"]
    assert read.by_class["number"] == ["县政办信〔2026〕11号"]
    assert read.by_class["addressees"] == ["各乡镇人民政府，县直各单位："]
    assert read.by_class["dated"] == ["2026年12月1日"]
    assert "关于2026年11月信息报送采用情况的通报" in read.text
    headings = ["一、总体情况", "二、各单位情况", "三、存在问题", "四、下一步工作建议"]
    assert [read.text.index(h) for h in headings] == sorted(read.text.index(h) for h in headings)
    for u in t.units:
        cells = read.cells[u.unit_id]
        assert cells["name"] == u.name
        assert [int(cells[k]) for k in ("rank", "submitted", "approved", "adopted", "base_points",
                                        "adoption_points", "bonus_points", "penalty_points", "total")] == [
            u.rank, u.submitted, u.approved, u.adopted, u.base_points, u.adoption_points, u.bonus_points,
            u.penalty_points, u.total]
        assert cells["quota_met"] == {True: "是", False: "否", None: "—"}[u.quota_met]
        assert read.units_said[u.unit_id] == unit_sentence(u, t)
    assert read.cells["a"]["adoptions-0"] == "2" and read.cells["a"]["adoptions-1"] == "1"
    assert read.lists["problems"] == problems(t)
    assert read.lists["suggestions"] == suggestions(t)
    assert "info-county@1" in read.text


def test_rows_are_in_rank_order() -> None:
    html = render_newsletter(month())
    assert html.index('data-unit="a"') < html.index('data-unit="c"') < html.index('data-unit="b"')


def test_the_page_is_a4_with_page_numbers_and_song_fonts() -> None:
    html = render_newsletter(month())
    assert "size: A4" in html and 'content: "— " counter(page) " —"' in html
    assert '"AR PL SungtiL GB"' in html and '"FangSong_GB2312"' in html
    assert "break-inside: avoid" in html  # table rows do not split across pages


def test_each_document_takes_its_own_period_only() -> None:
    with pytest.raises(ValueError, match="a quarter document needs a quarter's scores"):
        render_quarterly_notice(month())
    with pytest.raises(ValueError, match="a year document"):
        render_year_assessment(month())
    quarter = table("2026-Q4", unit("a", "城关镇", submitted=15, approved=15, quota=15, quota_met=True, base=30))
    assert "关于2026年第四季度信息报送采用情况的通报" in render_quarterly_notice(quarter)


def test_the_year_assessment_has_grades_and_shows_a_zeroed_total() -> None:
    t = table("2026", unit("a", "城关镇", submitted=30, approved=30, quota=24, quota_met=True, base=120, grade="优秀"),
              unit("b", "东山乡", submitted=30, approved=30, quota=24, quota_met=True, base=90, missed=2, zeroed=True,
                   grade="不合格"))
    read = Reading(render_year_assessment(t))
    assert "关于2026年度信息工作考核结果的通报" in read.text
    assert read.cells["a"]["grade"] == "优秀" and read.cells["b"]["grade"] == "不合格"
    assert read.cells["b"]["total"] == "0（计零）"


def test_an_empty_table_still_reads_as_a_document() -> None:
    read = Reading(render_newsletter(table("2026-11")))
    assert "2026年11月，没有参加信息工作考核的单位。" in read.text and not read.cells


def test_names_are_escaped() -> None:
    t = table("2026-11", unit("x", "<script>alert(1)</script>镇", submitted=1, approved=1, quota=0, quota_met=None))
    html = render_newsletter(t)
    assert "<script>" not in html and "&lt;script&gt;" in html


def bulletin(*items: BulletinItem) -> Bulletin:
    return Bulletin(publication="要情快报", issue="2026年第45期", issuer=LETTERHEAD.issuer, dated=date(2026, 11, 30),
                    items=items)


ITEMS = (BulletinItem("城关镇推进秸秆禁烧", "11月以来，城关镇组织干部巡查。\n\n全镇未发现焚烧火点。", "李明",
                      "城关镇党政办"),
         BulletinItem("县教育局开展校园安全排查", "对全县32所学校开展排查。", "王芳", "县教育局", "办公室"))


def test_the_bulletin_has_its_masthead_and_each_item() -> None:
    read = Reading(render_bulletin(bulletin(*ITEMS)))
    assert read.by_class["publication"] == ["要情快报"]
    assert read.by_class["issue"] == ["2026年第45期"]
    assert read.by_class["compiled"] == ["××县人民政府办公室编2026年11月30日"]
    assert read.by_class["writer"] == ["（供稿：城关镇党政办　李明）", "（供稿：县教育局办公室　王芳）"]
    assert "本期目录" in read.text
    assert "11月以来，城关镇组织干部巡查。全镇未发现焚烧火点。" in read.text


def test_a_bulletin_of_one_item_has_no_contents_and_escapes_its_text() -> None:
    html = render_bulletin(bulletin(BulletinItem("<b>标题</b>", "正文 & <i>x</i>", "李明", "城关镇")))
    assert "本期目录" not in html and "&lt;b&gt;标题&lt;/b&gt;" in html and "正文 &amp; &lt;i&gt;" in html
