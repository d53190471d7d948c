// The incident page: its timeline, and a slider replaying it as the store knew it then. Everything comes
// from the archive's read API: /v1/incidents/{id}?as_of=, …/timeline, …/knowledge and /v1/units.
const {t, esc, time, unit} = BS;
BS.header();
const incidentId = decodeURIComponent(location.pathname.split('/').pop());
const base = `/v1/incidents/${encodeURIComponent(incidentId)}`;
const WHAT = {ReportSubmitted: ['报告提交', 'submitted'], ReportApproved: ['审核签发', 'approved'],
  ReportRejected: ['退回', 'rejected'], ReportForwarded: ['转报上级', 'forwarded'], ReportAcknowledged: ['回执', 'acknowledged'],
  DeadlineBreached: ['超时告警', 'breach'], DeadlineApproaching: ['临近时限提醒', 'reminder'], IncidentRegraded: ['重新定级', 'regraded'],
  StepOverdue: ['审签超时提醒', 'sign-off step overdue'], FollowUpDue: ['续报提醒', 'follow-up due']};
const ACTION = {submitted: 'ReportSubmitted', approved: 'ReportApproved', rejected: 'ReportRejected',
  forwarded: 'ReportForwarded', acknowledged: 'ReportAcknowledged'};
const STATUS = {pending_approval: ['待签发', 'pending_approval'], approved: ['已签发', 'approved'],
  rejected: ['已退回', 'rejected'], forwarded: ['已转报', 'forwarded']};
const KIND = {initial: ['初报', 'initial'], follow_up: ['续报', 'follow-up'], final: ['终报', 'final']};
const word = (table, key) => (table[key] || [key, key])[BS.lang() === 'zh' ? 0 : 1];
const what = (type) => word(WHAT, type);
const empty = `<tr><td class="empty">${t('none')}</td></tr>`;
const heading = (r) => (r.withheld ? `（${t('withheld')}）` : r.title);  // a stub: above the reader's clearance

function describe(e) {
  const d = e.details;
  if (e.type === 'ReportSubmitted') return `${unit(d.reporting_unit)}：${esc(heading(d))}（${esc(d.grade || '—')}）`;
  if (e.type === 'ReportForwarded') return `${unit(d.from_unit_id)} → ${unit(d.to_unit_id)}`;
  if (e.type === 'DeadlineBreached') return `${unit(d.unit_id)} ${t(d.kind)}`;
  if (e.type === 'IncidentRegraded') return `${esc(d.previous_grade || '—')} → ${esc(d.grade)}`;
  return unit(d.unit_id || '');
}

function knewRows(knowledge, upTo) {
  return Object.values(knowledge.units)
    .filter((k) => k.informed_by && k.informed_by.position <= upTo)
    .sort((a, b) => a.informed_by.position - b.informed_by.position)
    .map((k) => {
      const acts = k.actions.filter((a) => a.position <= upTo && a.position !== k.informed_by.position)
        .map((a) => what(ACTION[a.action] || a.action));
      return `<tr><td>${unit(k.unit_id)}</td><td>${time(k.first_informed_at)}</td>
        <td class="muted">${what(k.informed_by.type)}${acts.length ? ' · ' + esc(acts.join('、')) : ''}</td></tr>`;
    }).join('');
}

function show(incident, entries, knowledge, upTo) {
  const known = entries.filter((e) => e.position <= upTo);
  document.getElementById('as-of').textContent = time(known.length ? known[known.length - 1].recorded_at : null);
  document.getElementById('timeline').innerHTML = known.map((e) =>
    `<li data-type="${esc(e.type)}"><span class="muted">${time(e.recorded_at)}</span> <b>${what(e.type)}</b> ${describe(e)}</li>`).join('');
  document.getElementById('knew').innerHTML = knewRows(knowledge, upTo) || empty;
  document.getElementById('reports').innerHTML = incident.reports.map((r) =>
    r.withheld ? `<tr><td>${unit(r.reporting_unit)}</td><td colspan="2" class="muted">${t('withheld')}</td>
     <td>${r.forwarded_to.map(unit).join('、')}</td></tr>` :
    `<tr><td>${unit(r.reporting_unit)}</td><td>${word(KIND, r.kind)}</td><td data-status="${esc(r.status)}">${word(STATUS, r.status)}</td>
     <td>${r.forwarded_to.map(unit).join('、')}</td></tr>`).join('') || empty;
  // breaches by store position, like the timeline (events stored in one batch share a recorded_at)
  const breaches = known.filter((e) => e.type === 'DeadlineBreached').map((e) => e.details);
  document.getElementById('breaches').innerHTML = breaches.map((b) =>
    `<div class="breach"><span class="${esc(b.kind)}">${t(b.kind)}</span> ${unit(b.unit_id)} ${t('deadline')} ${time(b.deadline_at)}
     ${b.suspected_concealment ? `<span class="concealment">${t('concealment')}</span>` : ''}
     <div>${BS.responsible(b.responsible)}</div>
     <details><summary>${t('evidence')}</summary><pre>${esc(JSON.stringify(b.evidence, null, 2))}</pre></details></div>`).join('')
    || `<p class="empty">${t('none')}</p>`;
}

async function start() {
  const [incident, timeline, knowledge, units] = await Promise.all(
    [BS.api(base), BS.api(`${base}/timeline`), BS.api(`${base}/knowledge`), BS.api('/v1/units')]);
  BS.setNames(Object.fromEntries(units.units.map((u) => [u.unit_id, u.name])));
  document.getElementById('title').textContent = incident.reports.length ? heading(incident.reports[0]) : incidentId;
  const entries = timeline.entries;
  const slider = document.getElementById('slider');
  slider.max = String(Math.max(entries.length - 1, 0));
  slider.value = slider.max;
  const last = entries.length ? entries[entries.length - 1].position : 0;
  show(incident, entries, knowledge, last);
  let asked = 0;  // only the latest slider position is shown, however the answers arrive
  slider.oninput = async () => {
    const mine = ++asked;
    const at = entries[+slider.value];
    const then = await BS.api(`${base}?as_of=${encodeURIComponent(at.recorded_at)}`);
    if (mine === asked) show(then, entries, knowledge, at.position);
  };
}

start().catch((e) => console.error(e));
