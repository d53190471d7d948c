// 值班台: the board from /v1/board, then new breaches pushed by /v1/streams/breaches (no reload).
const {t, esc, time, unit} = BS;
BS.header();
const row = (cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
const empty = `<tr><td class="empty">${t('none')}</td></tr>`;
const link = (id, text) => `<a href="/incidents/${encodeURIComponent(id)}">${esc(text || id)}</a>`;

function breachRow(b) {
  return `<tr class="breach" data-breach="${esc(b.breach_id)}"><td class="${esc(b.kind)}">${t(b.kind)}</td>
    <td>${unit(b.unit_id)}</td><td>${link(b.incident_id)}</td><td>${t('deadline')} ${time(b.deadline_at)}</td>
    <td>${b.suspected_concealment ? `<span class="concealment">${t('concealment')}</span>` : ''}</td></tr>`;
}

function render(board) {
  BS.setNames(board.unit_names);
  document.getElementById('breaches').innerHTML = board.breaches.map(breachRow).join('') || empty;
  document.getElementById('approaching').innerHTML = board.approaching.map((d) => row([
    unit(d.unit_id), link(d.incident_id), `${t('deadline')} ${time(d.next_deadline)}`,
    d.reminders.length ? `${Math.round(Math.max(...d.reminders) * 100)}%` : '',
  ])).join('') || empty;
  document.getElementById('open').innerHTML = Object.entries(board.open_incidents).filter(([, l]) => l.length)
    .map(([g, list]) => `<h3>${g === 'none' ? t('nograde') : g + ' 级'} (${list.length})</h3><ul>` +
      list.map((i) => `<li>${link(i.incident_id, i.title)} <span class="muted">${time(i.occurred_at)}</span></li>`).join('') +
      '</ul>').join('') || `<p class="empty">${t('none')}</p>`;
  document.getElementById('waiting').innerHTML = board.awaiting_sign_off.map((r) => row([
    unit(r.reporting_unit), link(r.incident_id, r.title), esc(r.grade || ''), time(r.received_at),
  ])).join('') || empty;
}

function live() {
  const source = new EventSource('/v1/streams/breaches?token=' + encodeURIComponent(BS.token()));
  const status = document.getElementById('live');
  source.onopen = () => { status.textContent = '● ' + t('live'); };
  source.onerror = () => { status.textContent = '○ ' + t('offline'); };
  source.addEventListener('breach', (e) => {
    const b = JSON.parse(e.data);
    const body = document.getElementById('breaches');
    if (body.querySelector('.empty')) body.innerHTML = '';
    body.insertAdjacentHTML('afterbegin', breachRow(b));
    body.firstElementChild.classList.add('new');
  });
}

if (!BS.token()) BS.showSignin();
else BS.api('/v1/board').then((b) => { render(b); live(); }).catch((e) => console.error(e));
setInterval(() => { if (BS.token()) BS.api('/v1/board').then((b) => {
  const fresh = document.querySelectorAll('#breaches tr.new').length;
  if (!fresh) render(b); else { const keep = document.getElementById('breaches').innerHTML; render(b);
    document.getElementById('breaches').innerHTML = keep; } }).catch(() => {}); }, 30000);
