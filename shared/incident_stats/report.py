"""The monthly assessment report (信息报送情况报告) as one self-contained HTML page, and as PDF.

The numbers are exactly what ``/v1/stats/units`` answers (the same figures); each unit's
row carries ``data-unit`` and per-figure classes so a test can read them back.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from shared.incident_stats.findings import comment, overview, pct, problems

COLUMNS = ("reports", "on_time", "late", "missed", "on_time_rate")
HEADINGS = ("报送信息", "按时", "迟报", "漏报", "按时报送率")


def _cell(key: str, value: Any) -> str:
    shown = pct(value) if key == "on_time_rate" else str(value)
    return f'<td class="{key}" data-value="{escape(json.dumps(value))}">{escape(shown)}</td>'


def render_html(figures: dict[str, Any], echarts_js: str) -> str:
    rows = figures["units"]
    table = "".join(
        f'<tr data-unit="{escape(r["unit_id"])}"><td>{i}</td><td>{escape(r["name"])}</td>'
        + "".join(_cell(k, r[k]) for k in COLUMNS) + "</tr>" for i, r in enumerate(rows, 1))
    analysis = "".join(f"<li>{escape(r['name'])}按时报送率：{pct(r['on_time_rate'])}<p>{escape(comment(r))}</p></li>"
                       for r in rows)
    named = problems(rows) or ["本月各单位均按时报送，未发现迟报、漏报。"]
    chart_data = json.dumps({"units": [[r["name"], r["on_time_rate"]] for r in rows],
                             "months": figures["months"]}, ensure_ascii=False)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>信息报送情况报告 {escape(figures["period"])}</title>
<style>
body {{ font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", sans-serif; margin: 2em auto; max-width: 60em; }}
h1 {{ text-align: center; }} table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 1px solid #999; padding: .3em .5em; text-align: center; }}
.chart {{ width: 100%; height: 300px; }} @media print {{ .chart {{ width: 17cm; }} }}
</style><script>{echarts_js}</script></head>
<body>
<h1>信息报送情况报告</h1>
<p>统计周期：{escape(figures["period"])}（北京时间）。现将本月信息报送情况报告如下：</p>
<h2>一、报送情况总览</h2><p id="overview">{escape(overview(figures))}</p>
<table id="units"><thead><tr><th>序号</th><th>单位</th>{"".join(f"<th>{h}</th>" for h in HEADINGS)}</tr></thead>
<tbody>{table}</tbody></table>
<div id="rate-chart" class="chart"></div>
<h2>二、报送率分析</h2><ol>{analysis}</ol>
<div id="trend-chart" class="chart"></div>
<h2>三、存在问题及建议</h2><ol id="problems">{"".join(f"<li>{escape(p)}</li>" for p in named)}</ol>
<p>口径：按时＝书面报告在迟报时限前报送上级；迟报、漏报以超时告警（DeadlineBreached）为准；月份按北京时间。</p>
<script>
const D = {chart_data};
echarts.init(document.getElementById('rate-chart'), null, {{renderer: 'svg'}}).setOption({{animation: false,
  title: {{text: '各单位按时报送率'}}, xAxis: {{type: 'category', data: D.units.map(u => u[0])}},
  yAxis: {{type: 'value', max: 100, axisLabel: {{formatter: '{{value}}%'}}}},
  series: [{{type: 'bar', data: D.units.map(u => u[1] === null ? null : +(u[1] * 100).toFixed(1))}}]}});
echarts.init(document.getElementById('trend-chart'), null, {{renderer: 'svg'}}).setOption({{animation: false,
  title: {{text: '近月趋势'}}, legend: {{top: 25}}, xAxis: {{type: 'category', data: D.months.map(m => m.period)}},
  yAxis: [{{type: 'value', name: '起'}}, {{type: 'value', name: '%', max: 100}}],
  series: [{{name: '迟报', type: 'bar', data: D.months.map(m => m.late)}},
           {{name: '漏报', type: 'bar', data: D.months.map(m => m.missed)}},
           {{name: '按时报送率', type: 'line', yAxisIndex: 1,
             data: D.months.map(m => m.on_time_rate === null ? null : +(m.on_time_rate * 100).toFixed(1))}}]}});
</script></body></html>"""

