// 值班台: the board from /v1/board, then new breaches pushed by /v1/streams/breaches (no reload).
const {t, esc, time, unit} = BS;
BS.header();
const row = (cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
const empty = `<tr><td class="empty">${t('none')}</td></tr>`;
let titles = {};
const link = (id, text) => `<a href="/incidents/${encodeURIComponent(id)}">${esc(text || titles[id] || id)}</a>`;

// A breach's subject: its incident (a link), or the work item / commissioned request it names (no page yet).
const subject = (b) => (b.incident_id ? link(b.incident_id)
  : `<span class="muted">${b.item_id ? t('item') : t('request')}</span> ${esc(b.item_id || b.request_id || '')}`);

function breachRow(b) {
  return `<tr class="breach" data-breach="${esc(b.breach_id)}"><td class="${esc(b.kind)}">${t(b.kind)}</td>
    <td>${unit(b.unit_id)}</td><td>${subject(b)}</td><td>${t('deadline')} ${time(b.deadline_at)}</td>
    <td>${b.suspected_concealment ? `<span class="concealment">${t('concealment')}</span>` : ''}</td>
    <td>${BS.responsible(b.responsible)}</td></tr>`;
}

function render(board) {
  BS.setNames(board.unit_names);
  titles = board.incident_titles;
  document.getElementById('breaches').innerHTML = board.breaches.map(breachRow).join('') || empty;
  document.getElementById('approaching').innerHTML = board.approaching.map((d) => row([
    unit(d.unit_id), link(d.incident_id), `${t('deadline')} ${time(d.next_deadline)}`,
    d.reminders.length ? `${Math.round(Math.max(...d.reminders) * 100)}%` : '',
  ])).join('') || empty;
  document.getElementById('open').innerHTML = Object.entries(board.open_incidents).filter(([, l]) => l.length)
    .map(([g, list]) => `<h3>${g === 'none' ? t('nograde') : t('grade').replace('{g}', g)} (${list.length})</h3><ul>` +
      list.map((i) => `<li>${link(i.incident_id, i.title)} <span class="muted">${time(i.occurred_at)}</span></li>`).join('') +
      '</ul>').join('') || `<p class="empty">${t('none')}</p>`;
  document.getElementById('waiting').innerHTML = board.awaiting_sign_off.map((r) => row([
    unit(r.reporting_unit), link(r.incident_id, r.title), esc(r.grade || ''), time(r.received_at),
  ])).join('') || empty;
}

function live() {
  const source = new EventSource(BS.url('/v1/streams/breaches'));  // the session's cookie goes with it
  const status = document.getElementById('live');
  source.onopen = () => { status.textContent = '● ' + t('live'); };
  source.onerror = () => { status.textContent = '○ ' + t('offline'); };
  source.addEventListener('breach', (e) => {
    const b = JSON.parse(e.data);
    const body = document.getElementById('breaches');
    if (body.querySelector('.empty')) body.innerHTML = '';
    body.insertAdjacentHTML('afterbegin', breachRow(b));
    const row = body.firstElementChild;
    row.classList.add('new');
    if (b.incident_id && !titles[b.incident_id]) {  // an incident newer than the board: name it from the read API
      BS.api(`/v1/incidents/${encodeURIComponent(b.incident_id)}`).then((inc) => {
        titles[b.incident_id] = inc.reports.length ? inc.reports[0].title : '';
        row.querySelector('a').outerHTML = link(b.incident_id);
      }).catch(() => {});
    }
  });
}

BS.api('/v1/board').then((b) => { render(b); live(); }).catch((e) => console.error(e));
setInterval(() => { BS.api('/v1/board').then((b) => {
  const fresh = document.querySelectorAll('#breaches tr.new').length;
  if (!fresh) render(b); else { const keep = document.getElementById('breaches').innerHTML; render(b);
    document.getElementById('breaches').innerHTML = keep; } }).catch(() => {}); }, 30000);

// Whether every service keeps up: a red banner naming what is held up (a stuck consumer delays breaches).
function showHealth(h) {
  const box = document.getElementById('health');
  if (h.ok) { box.hidden = true; return; }
  const state = (c) => (c.state === 'stuck' ? t('held') : t('lagging'));
  box.innerHTML = `<h2>⚠ ${t('degraded')}</h2><ul>` + h.services.filter((s) => s.status !== 'ok').map((s) =>
    `<li><b>${esc(s.service)}</b>: ${s.status === 'unreachable' ? t('unreachable') : ''} ` +
    s.consumers.filter((c) => c.state !== 'ok').map((c) =>
      `${esc(c.consumer)} ${state(c)}${c.lag ? ` (${c.lag})` : ''}${c.reason ? ` — ${esc(c.reason)}` : ''}`).join('; ') +
    '</li>').join('') + '</ul>';
  box.hidden = false;
}
const checkHealth = () => { BS.api('/v1/system/health').then(showHealth).catch(() => {}); };
checkHealth();
setInterval(checkHealth, 10000);
