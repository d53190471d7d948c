// Shared by the pages: sign-in token (localStorage), the /v1 fetch helper, and the 中文/English switch.
const BS = (() => {
  const WORDS = {
    board: ['值班台', 'Duty board'], stats: ['统计公示', 'Statistics'], signin: ['登录', 'Sign in'],
    signout: ['退出', 'Sign out'], token: ['令牌（./baosong token）', 'Token (./baosong token)'],
    breaches: ['超时告警（实时）', 'Breaches (live)'], approaching: ['临近时限', 'Deadlines approaching'],
    open: ['未结事件（按等级）', 'Open incidents by grade'], waiting: ['待签发报告', 'Awaiting sign-off'],
    late: ['迟报', 'late'], missed: ['漏报', 'missed'], request_missed: ['约稿未报', 'request missed'],
    item: ['信息', 'item'], request: ['约稿', 'request'], none: ['暂无', 'none'], unit: ['单位', 'unit'],
    deadline: ['时限', 'deadline'], concealment: ['疑似瞒报', 'suspected concealment'],
    timeline: ['时间线', 'Timeline'], replay: ['回放：截至', 'Replay as of'], knew: ['各单位知情时间', 'Who knew when'],
    reports: ['报告', 'Reports'], evidence: ['证据', 'evidence'], ranking: ['公示栏：按时报送率排名', 'Ranking by on-time rate'],
    trend: ['近月趋势', 'Months'], download: ['下载月度报告', 'Monthly report'], period: ['月份', 'Month'],
    nograde: ['未定级', 'ungraded'], grade: ['{g} 级', 'Grade {g}'],
    reported: ['报送', 'reports'], ontime: ['按时', 'on time'], rate: ['按时报送率', 'on-time rate'], quota: ['定额', 'quota'],
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
  const token = () => localStorage.getItem('bs-token') || '';
  const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
  const time = (iso) => iso ? new Date(iso).toLocaleString('zh-CN', {timeZone: 'Asia/Shanghai', hour12: false}) : '—';
  async function api(path) {
    const r = await fetch(path, {headers: {Authorization: 'Bearer ' + token()}});
    if (r.status === 401) { showSignin(); throw new Error('401'); }
    if (!r.ok) throw new Error((await r.json()).detail || r.status);
    return r.json();
  }
  function header() {
    const h = document.createElement('header');
    h.innerHTML = `<strong>报送 Baosong</strong><a href="/">${t('board')}</a><a href="/stats">${t('stats')}</a>
      <span class="grow"></span><span id="who" class="muted"></span>
      <button id="lang">${lang === 'zh' ? 'English' : '中文'}</button><button id="out">${t('signout')}</button>`;
    document.body.prepend(h);
    h.querySelector('#lang').onclick = () => { localStorage.setItem('bs-lang', lang === 'zh' ? 'en' : 'zh'); location.reload(); };
    h.querySelector('#out').onclick = () => { localStorage.removeItem('bs-token'); location.reload(); };
    try { const c = JSON.parse(atob(token().split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      h.querySelector('#who').textContent = `${c.sub} · ${(c.roles || []).join(',')}`; } catch (e) { /* not signed in */ }
    document.querySelectorAll('[data-t]').forEach((el) => { el.textContent = t(el.dataset.t); });
  }
  function showSignin() {
    const s = document.getElementById('signin');
    s.hidden = false;
    s.innerHTML = `<h2>${t('signin')}</h2><form><label>${t('token')}<br><input name="token" autocomplete="off"></label>
      <button>${t('signin')}</button></form>`;
    s.querySelector('form').onsubmit = (e) => { e.preventDefault();
      localStorage.setItem('bs-token', e.target.token.value.trim()); location.reload(); };
  }
  // 责任倒查 of a breach: the drafter, the steps decided (by whom) and the step that held it at the deadline.
  const responsible = (r) => (!r || !r.persons.length ? '' : `<span class="responsible">${t('traced')}：${r.persons.map((p) =>
    `<span class="${p.held ? 'holder' : ''}">${esc(t(p.stage))} ${p.subject ? esc(p.subject) : `（${esc(p.role)}）`}${
      p.held ? `【${t('holder')}】` : ''}</span>`).join(' → ')}</span>`);
  return {t, token, esc, time, api, header, showSignin, unit, responsible, lang: () => lang,
    setNames: (n) => { names = {...names, ...n}; }};
})();
