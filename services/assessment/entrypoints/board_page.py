"""The public board (公示栏) as one small HTML page for posting: Chinese, a table with headers, readable on a
phone (the table scrolls sideways inside the page, never the page itself). Each unit's row carries
``data-unit`` and each figure ``data-value``, so a test can read the numbers back."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

STYLE = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","PingFang SC","Microsoft YaHei",sans-serif;margin:0;
padding:1rem;color:#1a1a1a;line-height:1.5}
h1{font-size:1.25rem;margin:0 0 .25rem}p{margin:.25rem 0 1rem;color:#555;font-size:.875rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;min-width:100%;font-size:.9375rem}
caption{text-align:left;font-size:.875rem;color:#555;padding-bottom:.25rem}
th,td{border:1px solid #ccc;padding:.4rem .5rem;white-space:nowrap}
th{background:#f2f2f2;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
tbody th{text-align:left;background:#fff;font-weight:400}
"""


def _number(key: str, value: int) -> str:
    return f'<td class="n {escape(key)}" data-value="{value}">{value}</td>'


def render_board(board: dict[str, Any]) -> str:
    """The board of ``Scores.board`` as a page."""
    names = board["publications"]
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in ("序号", "单位", "报送", "签发", "采用", *names))
    rows = "".join(
        f'<tr data-unit="{escape(r["unit_id"])}"><td class="n">{i}</td><th scope="row">{escape(r["name"])}</th>'
        + _number("submitted", r["submitted"]) + _number("approved", r["approved"]) + _number("adopted", r["adopted"])
        + "".join(_number("publication", r["adoptions"].get(n, 0)) for n in names) + "</tr>"
        for i, r in enumerate(board["units"], 1))
    title = f"{board['period_zh']}信息报送公示栏"
    as_of = datetime.fromisoformat(board["as_of"])
    empty = "" if board["units"] else '<tr><td colspan="5">本期暂无单位数据</td></tr>'
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{escape(title)}</h1><p>统计截至 {as_of.year}年{as_of.month}月{as_of.day}日 {as_of:%H:%M}"
            "（北京时间）。报送：本期提交的信息；签发：本期经本单位审签报出的信息；"
            "采用：本期被各级刊物采用的次数（按刊物分列）。</p>"
            f'<div class="scroll"><table><caption>{escape(board["period_zh"])}各单位信息报送与采用情况</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{rows or empty}</tbody></table></div></body></html>")
