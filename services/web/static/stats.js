// 统计公示 (assessment's indexed statistics): /v1/stats/units ranked by on-time rate, and the months' rates and breaches as ECharts charts.
const {t, esc} = BS;
BS.header();
const pct = (r) => (r === null ? '—' : (r * 100).toFixed(1) + '%');
const input = document.getElementById('period');
const params = new URLSearchParams(location.search);
input.value = params.get('period') || new Date().toLocaleDateString('sv-SE', {timeZone: 'Asia/Shanghai'}).slice(0, 7);
const rateChart = echarts.init(document.getElementById('rate-chart'));
const trendChart = echarts.init(document.getElementById('trend-chart'));

async function load() {
  const period = input.value;
  const link = (fmt) => BS.url(`/v1/stats/report?period=${period}&format=${fmt}`, 'assessment');
  document.getElementById('report-html').href = link('html');
  document.getElementById('report-pdf').href = link('pdf');
  const [month, months] = await Promise.all([BS.api(`/v1/stats/units?period=${period}`, {service: 'assessment'}),
    BS.api(`/v1/stats/months?until=${period}&count=6`, {service: 'assessment'})]);
  document.getElementById('ranking').innerHTML = month.units.map((u, i) => `<tr data-unit="${esc(u.unit_id)}">
    <td>${i + 1}</td><td>${esc(u.name)}</td><td>${u.reports}</td><td>${u.on_time}</td><td class="late">${u.late}</td>
    <td class="missed">${u.missed}</td><td>${pct(u.on_time_rate)}</td></tr>`).join('');
  rateChart.setOption({title: {text: t('ranking'), textStyle: {fontSize: 14}}, tooltip: {},
    xAxis: {type: 'category', data: month.units.map((u) => u.name), axisLabel: {rotate: 30}},
    yAxis: {type: 'value', max: 100, axisLabel: {formatter: '{value}%'}},
    series: [{type: 'bar', itemStyle: {color: '#a61b1b'},
      data: month.units.map((u) => (u.on_time_rate === null ? null : +(u.on_time_rate * 100).toFixed(1)))}]}, true);
  trendChart.setOption({tooltip: {trigger: 'axis'}, legend: {},
    xAxis: {type: 'category', data: months.months.map((m) => m.period)},
    yAxis: [{type: 'value', name: t('count')}, {type: 'value', name: '%', max: 100}],
    series: [{name: t('late'), type: 'bar', stack: 'b', data: months.months.map((m) => m.late)},
      {name: t('missed'), type: 'bar', stack: 'b', data: months.months.map((m) => m.missed)},
      {name: t('rate'), type: 'line', yAxisIndex: 1,
        data: months.months.map((m) => (m.on_time_rate === null ? null : +(m.on_time_rate * 100).toFixed(1)))}]}, true);
}

input.onchange = () => load().catch((e) => console.error(e));
load().catch((e) => console.error(e));
