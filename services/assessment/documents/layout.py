"""The page of an official document in the manner of GB/T 9704-2012 (党政机关公文格式), as HTML and CSS.

A4 with the standard's margins (天头 37 mm, 订口 28 mm, type area 156 × 225 mm), page numbers ``— 1 —`` in
the bottom margin by CSS ``@page`` margin boxes (outer side: right on odd pages, left on even ones), the
issuing office in red over a red rule, body text in 仿宋 size 3 (16 pt), first-level headings in 黑体 and
second-level ones in 楷体. Each font stack names the official faces first (a reader's machine that has them
uses them) and then Debian's free faces that ``./baosong`` installs (AR PL SungtiL GB, AR PL KaitiM GB,
WenQuanYi Zen Hei), so the PDF printed by headless Chromium embeds a Song face, never a box.
"""

from __future__ import annotations

from datetime import date
from html import escape

SONG = ('"FZXiaoBiaoSong-B05S", "方正小标宋简体", "SimSun", "宋体", "AR PL SungtiL GB", "Noto Serif CJK SC", '
        '"Source Han Serif SC", serif')
FANGSONG = ('"FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", "STFangsong", "AR PL SungtiL GB", '
            '"Noto Serif CJK SC", serif')
HEI = '"SimHei", "黑体", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif'
KAI = '"KaiTi_GB2312", "楷体_GB2312", "KaiTi", "楷体", "AR PL KaitiM GB", serif'
RED = "#e60012"

CSS = f"""
@page {{ size: A4; margin: 37mm 26mm 35mm 28mm; }}
@page :right {{ @bottom-right {{ content: "— " counter(page) " —"; font: 14pt {SONG}; vertical-align: top;
  padding-top: 7mm; margin-right: 1em; }} }}
@page :left {{ margin: 37mm 28mm 35mm 26mm; @bottom-left {{ content: "— " counter(page) " —"; font: 14pt {SONG};
  vertical-align: top; padding-top: 7mm; margin-left: 1em; }} }}
html {{ font: 16pt/28.9pt {FANGSONG}; color: #000; }}
body {{ margin: 0 auto; max-width: 156mm; }}
@media screen {{ body {{ margin: 2em auto; padding: 0 1em; }} }}
p {{ margin: 0; text-indent: 2em; text-align: justify; }}
.issuer {{ font: 30pt/1.3 {SONG}; color: {RED}; text-align: center; letter-spacing: .12em; margin: 0; }}
.number {{ text-align: center; text-indent: 0; margin-top: 14pt; }}
.rule {{ border: 0; border-top: 2px solid {RED}; margin: 4mm 0 0; }}
h1 {{ font: 22pt/1.45 {SONG}; text-align: center; margin: 28.9pt 0; font-weight: normal; }}
h2 {{ font: 16pt/28.9pt {HEI}; margin: 0; text-indent: 2em; font-weight: normal; }}
h3 {{ font: 16pt/28.9pt {KAI}; margin: 0; text-indent: 2em; font-weight: normal; }}
.addressees {{ text-indent: 0; }}
ol.points {{ list-style: none; margin: 0; padding: 0; counter-reset: point; }}
ol.points > li {{ text-indent: 2em; counter-increment: point; }}
ol.points > li::before {{ content: counter(point) "．"; }}
table {{ border-collapse: collapse; width: 100%; font: 9pt/1.35 {FANGSONG}; margin: 7pt 0 14pt;
  break-inside: auto; }}
caption {{ font: 12pt/1.6 {HEI}; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
th, td {{ border: 1px solid #000; padding: 2pt 2pt; text-align: center; }}
th {{ font-family: {HEI}; font-weight: normal; }}
td.name {{ text-align: left; white-space: nowrap; }}
.signature {{ text-align: right; text-indent: 0; margin-top: 28.9pt; padding-right: 4em; }}
.dated {{ text-align: right; text-indent: 0; padding-right: 4em; }}
.imprint {{ margin-top: 57.8pt; border-top: 1px solid #000; border-bottom: 1px solid #000; font-size: 14pt;
  display: flex; justify-content: space-between; padding: 0 1em; break-inside: avoid; }}
.note {{ font-size: 12pt; line-height: 1.6; text-indent: 2em; margin-top: 14pt; }}
"""


def zh_date(day: date) -> str:
    """``2026年12月1日`` (GB/T 9704-2012: Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def page(title: str, body: str, extra_css: str = "") -> str:
    """A whole HTML document: the A4 page's CSS and ``body`` (already HTML)."""
    return (f'<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}{extra_css}</style></head>\n<body>\n{body}\n</body></html>\n")


def paragraphs(text: str) -> str:
    """Plain text as paragraphs: each non-empty line one ``<p>``, escaped."""
    return "".join(f"<p>{escape(line.strip())}</p>" for line in text.splitlines() if line.strip())
