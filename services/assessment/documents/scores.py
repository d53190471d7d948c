"""The score documents: the monthly newsletter (月度信息通报), the quarterly notice (季度通报) and the year's
assessment results (年度考核结果), in the shape of the model report 《信息报送情况报告》 (篇一) — overview with
totals and a table, a sentence per unit, problems naming units, suggestions — inside a GB/T 9704 frame.

Every figure comes from the ``ScoreTable``; every sentence from ``wording``. Rows and sentences carry
``data-unit`` and the cells per-figure classes, so tests and pages can read them back.
"""

from __future__ import annotations

from html import escape

from services.assessment.documents import wording
from services.assessment.documents.inputs import ScoreTable, UnitScore
from services.assessment.documents.layout import page, zh_date
from shared.periods import PeriodKind

#: (the document's kind, its title given the period's Chinese name, the opening sentence)
DOCUMENTS: dict[PeriodKind, tuple[str, str, str]] = {
    "month": ("月度信息通报", "关于{period}信息报送采用情况的通报",
              "现将{period}各单位信息报送、采用和计分情况通报如下："),
    "quarter": ("季度通报", "关于{period}信息报送采用情况的通报",
                "现将{period}各单位信息报送、采用和计分情况通报如下："),
    "year": ("年度考核结果", "关于{period}度信息工作考核结果的通报",
             "根据信息工作考核办法，现将{period}度各单位信息工作考核结果通报如下："),
}


def render_newsletter(month_scores: ScoreTable) -> str:
    """月度信息通报: a month's counts, adoptions and points (HTML)."""
    return _render(month_scores, "month")


def render_quarterly_notice(quarter_scores: ScoreTable) -> str:
    """季度通报: a quarter's counts, adoptions and points (HTML)."""
    return _render(quarter_scores, "quarter")


def render_year_assessment(year_scores: ScoreTable) -> str:
    """年度考核结果: a year's points, the zeroed totals and the grades (HTML)."""
    return _render(year_scores, "year")


def _render(table: ScoreTable, kind: PeriodKind) -> str:
    if table.period.kind != kind:
        raise ValueError(f"a {kind} document needs a {kind}'s scores, not {table.period.name}")
    label, title_form, opening_form = DOCUMENTS[kind]
    period_zh = table.period.name_zh
    title = title_form.format(period=period_zh)
    head = table.letterhead
    number = f'<p class="number">{escape(head.number)}</p>' if head.number else ""
    units = table.ranked()
    body = f"""<header><p class="issuer">{escape(head.issuer)}</p>{number}<hr class="rule"></header>
<h1>{escape(title)}</h1>
<p class="addressees">{escape(head.addressees)}：</p>
<p>{escape(opening_form.format(period=period_zh))}</p>
<h2>一、总体情况</h2>
<div id="overview">{"".join(f"<p>{escape(s)}</p>" for s in wording.overview(table))}</div>
{_table(table) if units else ""}
<h2>二、各单位情况</h2>
<div id="units-said">{"".join(_unit_paragraph(u, table) for u in units) or "<p>无。</p>"}</div>
<h2>三、存在问题</h2>
<ol class="points" id="problems">{"".join(f"<li>{escape(s)}</li>" for s in wording.problems(table))}</ol>
<h2>四、下一步工作建议</h2>
<ol class="points" id="suggestions">{"".join(f"<li>{escape(s)}</li>" for s in wording.suggestions(table))}</ol>
<p class="note">{escape(_note(table))}</p>
<p class="signature">{escape(head.issuer)}</p>
<p class="dated">{zh_date(head.dated)}</p>
<footer class="imprint"><span>{escape(head.issuer)}</span><span>{zh_date(head.dated)}印发</span></footer>"""
    return page(f"{title}（{label}）", body)


def _note(table: ScoreTable) -> str:
    return (f"说明：定额与分值按信息工作考核方案 {table.policy} 计算；信息以本单位审签通过的时间（北京时间）计入"
            f"{table.period.name_zh}，采用以采用时间计入；合计＝基础分＋采用分＋加分－扣分。")


def _unit_paragraph(unit: UnitScore, table: ScoreTable) -> str:
    return f'<p class="unit" data-unit="{escape(unit.unit_id)}">{escape(wording.unit_sentence(unit, table))}</p>'


def _table(table: ScoreTable) -> str:
    publications = [p for p, n in wording.total_adoptions(table.units).items() if n]
    year = table.period.kind == "year"
    headings = ["排名", "单位", "报送", "审签上报", "采用", *(f"其中{p}" for p in publications), "定额", "完成定额",
                "约稿未报", "基础分", "采用分", "加分", "扣分", "合计", *(["等次"] if year else [])]

    def row(u: UnitScore) -> str:
        met = {True: "是", False: "否", None: "—"}[u.quota_met]
        cells = [("rank", str(u.rank)), ("name", u.name), ("submitted", str(u.submitted)),
                 ("approved", str(u.approved)), ("adopted", str(u.adopted)),
                 *((f"adoptions-{i}", str(u.adoptions.get(p, 0))) for i, p in enumerate(publications)),
                 ("quota", str(u.quota) if u.quota_met is not None else "—"), ("quota_met", met),
                 ("requests_missed", str(u.requests_missed)), ("base_points", str(u.base_points)),
                 ("adoption_points", str(u.adoption_points)), ("bonus_points", str(u.bonus_points)),
                 ("penalty_points", str(u.penalty_points)),
                 ("total", f"{u.total}（计零）" if u.zeroed else str(u.total)),
                 *([("grade", u.grade.zh if u.grade else "未评定")] if year else [])]
        tds = "".join(f'<td class="{key}">{escape(text)}</td>' for key, text in cells)
        return f'<tr data-unit="{escape(u.unit_id)}">{tds}</tr>'

    return (f'<table id="scores"><caption>{escape(table.period.name_zh)}各单位信息工作得分情况</caption>'
            f'<thead><tr>{"".join(f"<th scope=col>{escape(h)}</th>" for h in headings)}</tr></thead>'
            f'<tbody>{"".join(row(u) for u in table.ranked())}</tbody></table>')
