// 值班台: the board from /v1/board (breaches a page at a time), then new breaches and acknowledgements pushed by
// /v1/streams/breaches (no reload). A breach shows how long it is overdue (counting), whom to call, and 已知悉.
const {t, esc, time, unit} = BS;
BS.header();
const say = (zh, en) => (BS.lang() === 'zh' ? zh : en);
const row = (cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
const empty = `<tr><td class="empty" colspan="8">${t('none')}</td></tr>`;
const PER_PAGE = 20;
const TITLE = document.title;
let titles = {};
let page = {breaches: [], total: 0, offset: 0};
const fresh = new Set();  // breaches that came in while the board was open, not yet acknowledged: highlighted
const link = (id, text) => `<a href="/incidents/${encodeURIComponent(id)}">${esc(text || titles[id] || id)}</a>`;

// A breach's subject: its incident (a link), or the work item / commissioned request it names (no page yet).
const subject = (b) => (b.incident_id ? link(b.incident_id)
  : `<span class="muted">${b.item_id ? t('item') : t('request')}</span> ${esc(b.item_id || b.request_id || '')}`);

// 已超时 2小时15分: from the deadline to now, in whole minutes.
function overdue(deadline) {
  const minutes = Math.max(0, Math.floor((Date.now() - new Date(deadline).getTime()) / 60000));
  const d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
  const zh = `${d ? `${d}天` : ''}${d || h ? `${h}小时` : ''}${m}分`;
  const en = `${d ? `${d}d ` : ''}${d || h ? `${h}h ` : ''}${m}m`;
  return say(`已超时 ${zh}`, `overdue ${en}`);
}

const contact = (c) => (c && (c.name || c.phone)
  ? `${esc(c.name)} ${c.phone ? `<a class="phone" href="tel:${esc(c.phone)}">${esc(c.phone)}</a>` : ''}`
  : `<span class="muted">${say('未留联系人', 'no contact given')}</span>`);

const acknowledged = (b) => (b.acknowledged_at
  ? `<span class="acknowledged">${say('已知悉', 'Acknowledged')}：${esc(b.acknowledged_by_name || b.acknowledged_by)} ${time(b.acknowledged_at)}</span>`
  : `<button type="button" class="acknowledge" data-ack="${esc(b.breach_id)}">已知悉</button>`);

function breachRow(b) {
  const mark = fresh.has(b.breach_id) && !b.acknowledged_at ? ' new' : '';
  return `<tr class="breach${mark}" data-breach="${esc(b.breach_id)}"><td class="${esc(b.kind)}">${t(b.kind)}</td>
    <td>${unit(b.unit_id)}</td><td>${subject(b)}</td><td>${time(b.deadline_at)}</td>
    <td class="overdue" data-deadline="${esc(b.deadline_at)}">${overdue(b.deadline_at)}</td>
    <td class="contact">${contact(b.contact)}</td><td class="ack">${acknowledged(b)}</td>
    <td>${b.suspected_concealment ? `<span class="concealment">${t('concealment')}</span>` : ''}</td>
    <td>${BS.responsible(b.responsible)}</td></tr>`;
}

function renderBreaches() {
  document.getElementById('breaches').innerHTML = page.breaches.map(breachRow).join('') || empty;
  const pages = Math.max(1, Math.ceil(page.total / PER_PAGE)), at = Math.floor(page.offset / PER_PAGE) + 1;
  document.getElementById('page').textContent = say(`第 ${at} / ${pages} 页，共 ${page.total} 条`,
    `page ${at} of ${pages}, ${page.total} in all`);
  document.getElementById('newer').disabled = page.offset === 0;
  document.getElementById('older').disabled = page.offset + PER_PAGE >= page.total;
  const waiting = [...fresh].length;
  document.title = waiting ? `(${waiting}) ${TITLE}` : TITLE;
}

function render(board) {
  BS.setNames(board.unit_names);
  titles = board.incident_titles;
  page = {breaches: board.breaches, total: board.breaches_total, offset: board.breaches_offset};
  renderBreaches();
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

const load = (offset = page.offset) => BS.api(`/v1/board?breaches_offset=${offset}&breaches_limit=${PER_PAGE}`).then(render);
let reloading = null;  // a new breach: fetch the board again soon (its contact, titles), once for a burst
const reloadSoon = () => { clearTimeout(reloading); reloading = setTimeout(() => load().catch(() => {}), 1000); };

// 已知悉: escalation records the first acknowledgement; everyone who sees the breach sees it over the stream.
document.getElementById('breaches').addEventListener('click', (e) => {
  const button = e.target.closest('button.acknowledge');
  if (!button) return;
  button.disabled = true;
  BS.api(`/v1/breaches/${encodeURIComponent(button.dataset.ack)}/acknowledgements`, {service: 'escalation', method: 'POST'})
    .then(applyAcknowledgement)
    .catch((err) => { button.disabled = false; button.title = err.message; alert(err.message); });
});

function applyAcknowledgement(a) {
  fresh.delete(a.breach_id);
  const b = page.breaches.find((x) => x.breach_id === a.breach_id);
  if (b && !b.acknowledged_at) Object.assign(b, a);
  renderBreaches();
}

// Sound for a new breach, unless muted (静音, remembered in this browser).
let muted = localStorage.getItem('bs-board-muted') === '1';
const muteButton = document.getElementById('mute');
function showMute() {
  muteButton.textContent = muted ? say('已静音（点击恢复声音）', 'Muted (click for sound)') : say('静音', 'Mute');
  muteButton.setAttribute('aria-pressed', String(muted));
}
muteButton.onclick = () => { muted = !muted; localStorage.setItem('bs-board-muted', muted ? '1' : '0'); showMute(); };
showMute();
let audio = null;
function chime() {
  if (muted) return;
  try {
    audio = audio || new AudioContext();
    const tone = audio.createOscillator(), gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.6);
  } catch (err) { console.warn('no sound', err); }
}

// 实时 / 已断开: the stream's state. The server ends each response after a minute and the browser reconnects
// within a second, so 已断开 shows only when no connection is back 3 s after one dropped.
const state = document.getElementById('live');
function showState(live) {
  state.textContent = live ? say('● 实时', '● live') : say('○ 已断开（重连中）', '○ disconnected (reconnecting)');
  state.className = `stream-state ${live ? 'on' : 'off'}`;
  state.dataset.state = live ? 'live' : 'disconnected';
}
function live() {
  const source = new EventSource(BS.url('/v1/streams/breaches'));  // the session's cookie goes with it
  let dropped = null;
  source.onopen = () => { clearTimeout(dropped); dropped = null; showState(true); };
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {  // refused (e.g. signed out, web restarting): start again
      showState(false);
      setTimeout(live, 3000);
      return;
    }
    if (!dropped) dropped = setTimeout(() => showState(false), 3000);
  };
  source.addEventListener('breach', (e) => {
    const b = JSON.parse(e.data);
    if (page.breaches.some((x) => x.breach_id === b.breach_id)) return;
    fresh.add(b.breach_id);
    page.total += 1;
    if (page.offset === 0) page.breaches = [b, ...page.breaches].slice(0, PER_PAGE);
    renderBreaches();
    chime();
    reloadSoon();
  });
  source.addEventListener('acknowledged', (e) => applyAcknowledgement(JSON.parse(e.data)));
}
showState(false);

document.getElementById('newer').textContent = say('上一页（较新）', 'Newer');
document.getElementById('older').textContent = say('下一页（较早）', 'Older');
document.getElementById('newer').onclick = () => load(Math.max(0, page.offset - PER_PAGE)).catch(() => {});
document.getElementById('older').onclick = () => load(page.offset + PER_PAGE).catch(() => {});
document.getElementById('breach-head').innerHTML = [say('类型', 'Kind'), t('unit'), say('事件', 'Incident'),
  t('deadline'), say('超时', 'Overdue'), say('联系人及电话', 'Contact'), say('知悉', 'Acknowledged'), '', t('traced')].map((h) =>
  `<th scope="col">${h}</th>`).join('');
load(0).then(live).catch((e) => console.error(e));
setInterval(() => load().catch(() => {}), 30000);
setInterval(() => document.querySelectorAll('#breaches td.overdue').forEach((td) => {
  td.textContent = overdue(td.dataset.deadline);
}), 15000);

// Whether every service keeps up: a red banner naming what is held up (a stuck consumer delays breaches).
function showHealth(h) {
  const box = document.getElementById('health');
  if (h.ok) { box.hidden = true; return; }
  const status = (c) => (c.state === 'stuck' ? t('held') : t('lagging'));
  box.innerHTML = `<h2>⚠ ${t('degraded')}</h2><ul>` + h.services.filter((s) => s.status !== 'ok').map((s) =>
    `<li><b>${esc(s.service)}</b>: ${s.status === 'unreachable' ? t('unreachable') : ''} ` +
    s.consumers.filter((c) => c.state !== 'ok').map((c) =>
      `${esc(c.consumer)} ${status(c)}${c.lag ? ` (${c.lag})` : ''}${c.reason ? ` — ${esc(c.reason)}` : ''}`).join('; ') +
    '</li>').join('') + '</ul>';
  box.hidden = false;
}
const checkHealth = () => { BS.api('/v1/system/health').then(showHealth).catch(() => {}); };
checkHealth();
setInterval(checkHealth, 10000);
