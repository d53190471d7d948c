"""The documents printed by the real headless Chromium: A4, the text readable back, Chinese in CJK faces."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from deploy.proc import SetupError
from deploy.web_assets import ensure_browser
from services.assessment.documents import Bulletin, BulletinItem, render_bulletin, render_newsletter, to_pdf
from services.assessment.documents.wording import unit_sentence
from tests.support.score_tables import table, unit

A4_POINTS = (595.28, 841.89)  # 210 × 297 mm
SONG_FAMILY = "AR PL SungtiL GB"
ITEMS = (
    BulletinItem("城关镇推进秸秆禁烧", "11月以来，城关镇组织干部巡查田间地头。\n全镇未发现焚烧火点。",
                 "李明", "城关镇党政办"),
    BulletinItem("县教育局开展校园安全排查", "县教育局对全县32所学校开展安全排查，整改隐患17处。" * 20,
                 "王芳", "县教育局", "办公室"),
    BulletinItem("东山乡完成冬季造林任务", "东山乡完成冬季造林1200亩。", "赵强", "东山乡党政办"),
)


@pytest.fixture(scope="module")
def chromium() -> Path:
    try:
        return ensure_browser()
    except SetupError as exc:  # not root and no Chromium / CJK fonts on the machine
        pytest.skip(f"Chromium or the CJK fonts cannot be installed here: {exc}")


def postscript_names(pattern: str) -> set[str]:
    """The PostScript names of the faces fontconfig lists for ``pattern`` (e.g. ``:lang=zh``)."""
    out = subprocess.run(["fc-list", pattern, "postscriptname"], capture_output=True, text=True, check=True).stdout
    return {line.split("=", 1)[1].strip() for line in out.splitlines() if "=" in line}


def embedded_fonts(pdf: PdfReader) -> set[str]:
    """The fonts the pages use, without the subset prefix (``AAAAAA+``)."""
    names = set()
    for pdf_page in pdf.pages:
        fonts = pdf_page["/Resources"].get("/Font") or {}
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names


def check_a4_and_cjk(pdf: PdfReader) -> None:
    for pdf_page in pdf.pages:
        size = (float(pdf_page.mediabox.width), float(pdf_page.mediabox.height))
        assert size == pytest.approx(A4_POINTS, abs=1.0), size
    fonts = embedded_fonts(pdf)
    assert fonts and fonts <= postscript_names(":lang=zh"), f"not all CJK faces: {fonts}"
    assert fonts & postscript_names(f":family={SONG_FAMILY}"), f"no Song face ({SONG_FAMILY}) among {fonts}"


def text_of(pdf: PdfReader) -> str:
    return "".join(pdf_page.extract_text() for pdf_page in pdf.pages).replace("\n", "")


async def test_a_bulletin_prints_on_a4_with_its_items_titles_in_a_song_face(chromium: Path) -> None:
    bulletin = Bulletin(publication="要情快报", issue="2026年第45期", issuer="××县人民政府办公室",
                        dated=date(2026, 11, 30), items=ITEMS)
    pdf = PdfReader(io.BytesIO(await to_pdf(render_bulletin(bulletin), chromium)))
    check_a4_and_cjk(pdf)
    text = text_of(pdf)
    assert "要情快报" in text and "2026年第45期" in text and "××县人民政府办公室编" in text
    for item in ITEMS:
        assert text.count(item.title) == 2, item.title  # the contents and the item itself
    assert "（供稿：县教育局办公室　王芳）" in text
    assert len(pdf.pages) >= 2 and "— 2 —" in pdf.pages[1].extract_text()


async def test_the_monthly_newsletter_prints_with_its_red_head_and_sentences(chromium: Path) -> None:
    t = table("2026-11",
              unit("a", "城关镇", submitted=7, approved=6, adoptions={"要情快报": 2}, quota_met=True, base=10),
              unit("b", "东山乡", submitted=3, approved=2, quota_met=False, missed=1))
    pdf = PdfReader(io.BytesIO(await to_pdf(render_newsletter(t), chromium)))
    check_a4_and_cjk(pdf)
    text = text_of(pdf)
    assert "— 1 —" in pdf.pages[0].extract_text()
    assert "××县人民政府办公室" in text and "县政办信〔2026〕11号" in text
    assert "关于2026年11月信息报送采用情况的通报" in text
    for u in t.units:
        assert unit_sentence(u, t) in text
