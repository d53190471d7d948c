"""An issue of a publication (e.g. 《要情快报》2026年第45期) compiled from the items adopted into it.

The masthead (刊头) carries the publication's name large in red, the issue, the compiling office and the
date over a red rule; then a contents list when the issue holds more than one item, and each item: its
title, its text and the line naming its writer and writing unit (供稿). Same A4 page as the documents.
"""

from __future__ import annotations

from html import escape

from services.assessment.documents.inputs import Bulletin, BulletinItem
from services.assessment.documents.layout import RED, SONG, page, paragraphs, zh_date

BULLETIN_CSS = f"""
.masthead {{ text-align: center; }}
.masthead .publication {{ font: 44pt/1.3 {SONG}; color: {RED}; letter-spacing: .2em; margin: 0; text-indent: 0;
  text-align: center; }}
.masthead .issue {{ text-indent: 0; text-align: center; margin: 6pt 0 10pt; }}
.masthead .compiled {{ display: flex; justify-content: space-between; text-indent: 0; }}
.masthead hr {{ border: 0; border-top: 3px solid {RED}; margin: 2mm 0 0; }}
.contents {{ margin: 14pt 0; }}
.contents ol {{ margin: 0; padding-left: 2em; }}
.contents a {{ color: inherit; text-decoration: none; }}
article {{ margin-top: 20pt; }}
article + article {{ border-top: 1px solid #000; padding-top: 14pt; }}
article h2 {{ font: 20pt/1.45 {SONG}; text-align: center; text-indent: 0; margin: 0 0 14pt; break-after: avoid; }}
article .writer {{ text-align: right; text-indent: 0; margin-top: 6pt; }}
"""


def render_bulletin(bulletin: Bulletin) -> str:
    """The issue as an HTML document (A4 when printed)."""
    items = bulletin.items
    contents = ""
    if len(items) > 1:
        entries = "".join(f'<li><a href="#item-{n}">{escape(item.title)}</a></li>' for n, item in enumerate(items, 1))
        contents = f'<nav class="contents" aria-label="本期目录"><h3>本期目录</h3><ol>{entries}</ol></nav>'
    articles = "".join(_article(n, item) for n, item in enumerate(items, 1)) or "<p>本期没有采用的信息。</p>"
    body = f"""<header class="masthead">
<p class="publication">{escape(bulletin.publication)}</p>
<p class="issue">{escape(bulletin.issue)}</p>
<p class="compiled"><span>{escape(bulletin.issuer)}编</span><span>{zh_date(bulletin.dated)}</span></p>
<hr>
</header>
{contents}
{articles}"""
    return page(f"《{bulletin.publication}》{bulletin.issue}", body, BULLETIN_CSS)


def writer_line(item: BulletinItem) -> str:
    """（供稿：城关镇党政办综合科　李明）"""
    section = item.section or ""
    return f"（供稿：{item.writing_unit_name}{section}　{item.author_name}）"


def _article(number: int, item: BulletinItem) -> str:
    return (f'<article id="item-{number}"><h2>{escape(item.title)}</h2>{paragraphs(item.body)}'
            f'<p class="writer">{escape(writer_line(item))}</p></article>')
