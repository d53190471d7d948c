// The incident page: its events on a timeline, and a slider replaying it as the store knew it then.
const {t, esc, time, unit} = BS;
BS.header();
const incidentId = decodeURIComponent(location.pathname.split('/').pop());
const base = `/v1/incidents/${encodeURIComponent(incidentId)}/replay`;
const WHAT = {ReportSubmitted: ['报告提交', 'submitted'], ReportApproved: ['审核签发', 'approved'],
  ReportRejected: ['退回', 'rejected'], ReportForwarded: ['转报上级', 'forwarded'], ReportAcknowledged: ['回执', 'acknowledged'],
  DeadlineBreached: ['超时告警', 'breach'], DeadlineApproaching: ['临近时限提醒', 'reminder'], IncidentRegraded: ['重新定级', 'regraded']};
const what = (type) => (WHAT[type] || [type, type])[BS.lang() === 'zh' ? 0 : 1];
const empty = `<tr><td class="empty">${t('none')}</td></tr>`;

function describe(e) {
  const d = e.data;
  if (e.type === 'ReportSubmitted') return `${unit(d.report.reporting_unit)}：${esc(d.report.title)}（${esc(d.grade || '—')}）`;
  if (e.type === 'ReportForwarded') return `${unit(d.from_unit_id)} → ${unit(d.to_unit_id)}`;
  if (e.type === 'DeadlineBreached') return `${unit(d.unit_id)} ${t(d.kind)}`;
  return esc(d.unit_id || '');
}

function show(view) {
  BS.setNames(view.unit_names);
  document.getElementById('as-of').textContent = time(view.as_of || view.last_recorded_at);
  document.getElementById('timeline').innerHTML = view.events.map((e) =>
    `<li data-type="${esc(e.type)}"><span class="muted">${time(e.recorded_at)}</span> <b>${what(e.type)}</b> ${describe(e)}</li>`).join('');
  document.getElementById('knew').innerHTML = view.knew.map((k) =>
    `<tr><td>${unit(k.unit_id)}</td><td>${time(k.since)}</td><td class="muted">${esc(k.how)}</td></tr>`).join('') || empty;
  document.getElementById('reports').innerHTML = view.reports.map((r) =>
    `<tr><td>${unit(r.reporting_unit)}</td><td>${esc(r.kind)}</td><td>${esc(r.status)}</td><td>${esc(r.forwarded_to.join('、'))}</td></tr>`).join('') || empty;
  document.getElementById('breaches').innerHTML = view.breaches.map((b) =>
    `<div class="breach"><span class="${esc(b.kind)}">${t(b.kind)}</span> ${unit(b.unit_id)} ${t('deadline')} ${time(b.deadline_at)}
     ${b.suspected_concealment ? `<span class="concealment">${t('concealment')}</span>` : ''}
     <details><summary>${t('evidence')}</summary><pre>${esc(JSON.stringify(b.evidence, null, 2))}</pre></details></div>`).join('')
    || `<p class="empty">${t('none')}</p>`;
}

async function start() {
  const full = await BS.api(base);
  const first = full.events[0];
  document.getElementById('title').textContent = first && first.data.report ? first.data.report.title : incidentId;
  const moments = full.events.map((e) => e.recorded_at);
  const slider = document.getElementById('slider');
  slider.max = String(moments.length - 1);
  slider.value = slider.max;
  show(full);
  slider.oninput = async () => { show(await BS.api(`${base}?as_of=${encodeURIComponent(moments[+slider.value])}`)); };
}

if (!BS.token()) BS.showSignin(); else start().catch((e) => console.error(e));
