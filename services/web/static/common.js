// Shared by the pages: who is signed in (GET /v1/session), the API helper (/api/{service}/v1/…, as the signed-in
// person; a change carries the session's CSRF token), sign-out, and the 中文/English switch.
const BS = (() => {
  const WORDS = {
    board: ['值班台', 'Duty board'], stats: ['统计公示', 'Statistics'],
    inbox: ['待办已办', 'Inbox'], report: ['报送事件', 'Report an incident'], item_form: ['报送信息', 'Submit an item'],
    signout: ['退出', 'Sign out'],
    breaches: ['超时告警（实时）', 'Breaches (live)'], approaching: ['临近时限', 'Deadlines approaching'],
    open: ['未结事件（按等级）', 'Open incidents by grade'], waiting: ['待签发报告', 'Awaiting sign-off'],
    late: ['迟报', 'late'], missed: ['漏报', 'missed'], request_missed: ['约稿未报', 'request missed'],
    item: ['信息', 'item'], request: ['约稿', 'request'], none: ['暂无', 'none'], unit: ['单位', 'unit'],
    deadline: ['时限', 'deadline'], concealment: ['疑似瞒报', 'suspected concealment'],
    timeline: ['时间线', 'Timeline'], replay: ['回放：截至', 'Replay as of'], knew: ['各单位知情时间', 'Who knew when'],
    reports: ['报告', 'Reports'], evidence: ['证据', 'evidence'], ranking: ['公示栏：按时报送率排名', 'Ranking by on-time rate'],
    trend: ['近月趋势', 'Months'], download: ['下载月度报告', 'Monthly report'], period: ['月份', 'Month'],
    nograde: ['未定级', 'ungraded'], grade: ['{g} 级', 'Grade {g}'],
    reported: ['报送', 'reports'], ontime: ['按时', 'on time'], rate: ['按时报送率', 'on-time rate'],
    withheld: ['密级内容，已隐去', 'classified: withheld'],
    count: ['起', 'count'], breachlist: ['超时告警及证据', 'Breaches and evidence'], live: ['实时连接', 'live'],
    degraded: ['系统异常：有消息积压，告警可能延迟', 'System degraded: records are held up; breaches may be late'],
    traced: ['责任倒查', 'Traced to'], holder: ['时限到时在此环节', 'held it at the deadline'],
    drafter: ['起草', 'drafter'], approver: ['审核', 'approver'], section_head: ['科室负责人', 'section head'],
    leader: ['分管领导', 'leader in charge'], principal: ['主要领导', 'principal'],
    unreachable: ['无法连接', 'unreachable'], held: ['卡住', 'held up'], lagging: ['积压', 'behind'], offline: ['连接中断，重连中', 'reconnecting'],
  };
  let lang = localStorage.getItem('bs-lang') || 'zh';
  let names = {};
  const unit = (id) => (names[id] ? `${esc(names[id])} <span class="muted">${esc(id)}</span>` : esc(id));
  const t = (k) => (WORDS[k] || [k, k])[lang === 'zh' ? 0 : 1];
  let me = null;  // GET /v1/session: login, name, unit, roles, clearance, csrf_token
  const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
  const time = (iso) => iso ? new Date(iso).toLocaleString('zh-CN', {timeZone: 'Asia/Shanghai', hour12: false}) : '—';
  const toSignin = () => location.assign('/signin?next=' + encodeURIComponent(location.pathname + location.search));
  // A service's API as the signed-in person: web adds their token (the page never holds one).
  const url = (path, service = 'archive') => `/api/${service}${path}`;
  async function api(path, {service = 'archive', method = 'GET', body, headers: extra = {}} = {}) {
    const headers = {...extra, ...(body === undefined ? {} : {'content-type': 'application/json'})};
    if (method !== 'GET') headers['X-CSRF-Token'] = (me || await session()).csrf_token;
    const r = await fetch(url(path, service), {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
    if (r.status === 401) { toSignin(); throw new Error('401'); }
    if (!r.ok) {  // the problem+json rides along: its field errors (errors[].field) go next to the fields
      const problem = await r.json().catch(() => ({}));
      throw Object.assign(new Error(problem.detail || r.status), {status: r.status, problem});
    }
    return r.status === 204 ? null : r.json();
  }
  async function session() {
    const r = await fetch('/v1/session');
    if (r.status === 401) { toSignin(); throw new Error('401'); }
    me = await r.json();
    return me;
  }
  async function signOut() {
    const {csrf_token: csrf} = me || await session();
    await fetch('/v1/session', {method: 'DELETE', headers: {'X-CSRF-Token': csrf}});
    location.assign('/signin');
  }
  function header() {
    const h = document.createElement('header');
    h.innerHTML = `<strong>报送 Baosong</strong><a href="/">${t('board')}</a><a href="/inbox">${t('inbox')}</a>
      <a href="/report">${t('report')}</a><a href="/item">${t('item_form')}</a><a href="/stats">${t('stats')}</a>
      <span class="grow"></span><span id="who" class="muted"></span>
      <button id="lang">${lang === 'zh' ? 'English' : '中文'}</button><button id="out">${t('signout')}</button>`;
    document.body.prepend(h);
    h.querySelector('#lang').onclick = () => { localStorage.setItem('bs-lang', lang === 'zh' ? 'en' : 'zh'); location.reload(); };
    h.querySelector('#out').onclick = () => signOut().catch(() => location.assign('/signin'));
    session().then((who) => {
      h.querySelector('#who').textContent = `${who.name} · ${who.unit || ''} · ${who.roles.join(',')}`;
    }).catch(() => {});
    document.querySelectorAll('[data-t]').forEach((el) => { el.textContent = t(el.dataset.t); });
  }
  // 责任倒查 of a breach: the drafter, the steps decided (by whom) and the step that held it at the deadline.
  const responsible = (r) => (!r || !r.persons.length ? '' : `<span class="responsible">${t('traced')}：${r.persons.map((p) =>
    `<span class="${p.held ? 'holder' : ''}">${esc(t(p.stage))} ${p.subject ? esc(p.subject) : `（${esc(p.role)}）`}${
      p.held ? `【${t('holder')}】` : ''}</span>`).join(' → ')}</span>`);
  return {t, esc, time, api, url, session, header, unit, responsible, lang: () => lang,
    setNames: (n) => { names = {...names, ...n}; }};
})();
