// 待办 / 已办: what waits for the signed-in person's unit — reports (GET /api/approval/v1/approvals) and items of
// work information (GET /api/approval/v1/items) to sign off (签发, 退回 with its reason) and what reached the unit
// to confirm (确认收到) — and what the unit has done with items (?all=true). A multi-step chain shows each step.
const {createApp, ref, reactive, computed} = Vue;
BS.header();

const SIGNERS = ['approver', 'principal', 'section_head', 'leader'];
const ARRIVAL = {sign_off: '待签发', inform: '阅知', notice: '越级通知'};
const VIA = {submitted: '本单位报送', main: '主渠道', department: '部门抄送', skip_notice: '越级通知'};
const ROLE = {approver: '审核人', principal: '主要领导', section_head: '科室负责人', leader: '分管领导', phone: '电话'};
const ITEM_KIND = {news: '工作动态', brief: '要情', long: '调研/长篇', opinion: '舆情', newmedia: '新媒体'};
const STATE = {pending: '待签发', awaiting_principal: '待主要领导签发', signed: '已签发', approved: '已同意',
  rejected: '已退回', waiting: '未轮到', skipped: '不再进行', forwarded: '已报送'};

createApp({
  setup() {
    const me = ref(null);
    const tab = ref('todo');
    const reports = ref([]);
    const items = ref([]);
    const done = ref([]);
    const steps = reactive({});     // item id → its sign-off steps (GET /v1/items/{id})
    const names = ref({});
    const notice = ref('');
    const failure = ref('');
    const rejecting = reactive({open: false, kind: '', id: '', title: '', comment: '', error: ''});
    const canSign = computed(() => !!me.value && me.value.roles.some((r) => SIGNERS.includes(r)));
    const unit = (id) => (names.value[id] ? `${names.value[id]}` : id);

    async function load() {
      failure.value = '';
      try {
        const [q, i, all] = await Promise.all([BS.api('/v1/approvals', {service: 'approval'}),
          BS.api('/v1/items', {service: 'approval'}), BS.api('/v1/items?all=true', {service: 'approval'})]);
        reports.value = q.items;
        items.value = i.items;
        // Done: the unit's own items once decided; items that reached it once it confirmed their receipt.
        done.value = all.items.filter((x) => !x.withheld
          && (x.via === 'submitted' ? !x.needs_sign_off : !!x.acknowledged_at));
        for (const x of i.items.filter((y) => y.needs_sign_off && !y.withheld)) {
          BS.api(`/v1/items/${encodeURIComponent(x.item_id)}`, {service: 'approval'})
            .then((full) => { steps[x.item_id] = full.steps; }).catch(() => {});
        }
      } catch (e) { failure.value = String(e.message || e); }
    }
    BS.session().then(async (who) => {
      me.value = who;
      const directory = await BS.api('/v1/units', {service: 'intake'});
      names.value = Object.fromEntries(directory.units.map((u) => [u.unit_id, u.name]));
      await load();
    }).catch((e) => { failure.value = String(e.message || e); });

    const path = (kind, id, what) => `/v1/${kind === 'report' ? 'reports' : 'items'}/${encodeURIComponent(id)}/${what}`;
    async function act(kind, id, what, body, said) {
      notice.value = '';
      failure.value = '';
      try {
        const a = await BS.api(path(kind, id, what), {service: 'approval', method: 'POST', body});
        const onward = (a.forwarded_to || []).map(unit).join('、');
        notice.value = said(a) + (onward ? `，已报送 ${onward}` : '');
        await load();
        return null;
      } catch (e) { return e; }
    }
    async function approve(kind, id) {
      const e = await act(kind, id, 'decisions', {decision: 'approve', comment: '同意'},
        (a) => (a.state === 'awaiting_principal' || a.state === 'pending' ? '已同意，等待下一步签发' : '已签发'));
      if (e) failure.value = String(e.message || e);
    }
    function askReject(kind, id, title) {
      Object.assign(rejecting, {open: true, kind, id, title, comment: '', error: ''});
    }
    async function reject() {
      const e = await act(rejecting.kind, rejecting.id, 'decisions', {decision: 'reject', comment: rejecting.comment},
        () => '已退回');
      if (e) {
        const field = ((e.problem || {}).errors || []).find((x) => x.field === 'comment');
        rejecting.error = field ? `${field.message} / ${field.message_en}` : String(e.message || e);
      } else rejecting.open = false;
    }
    async function receive(kind, id) {
      const e = await act(kind, id, 'receipts', undefined, (a) => `已确认收到（${BS.time(a.acknowledged_at)}）`);
      if (e) failure.value = String(e.message || e);
    }
    // The chain of a report: each decision recorded so far, then the step it waits for.
    function reportChain(r) {
      const chain = (r.decisions || []).map((d) => ({who: ROLE[d.role] || d.role, state: String(d.decision).startsWith('reject') ? 'rejected' : 'approved',
        note: d.comment}));
      if (r.state === 'awaiting_principal') chain.push({who: '主要领导', state: 'pending'});
      return chain;
    }
    const itemChain = (id) => (steps[id] || []).map((s) => ({who: s.name.zh, state: s.state,
      note: s.decision ? s.decision.comment : ''}));
    return {me, tab, reports, items, done, notice, failure, rejecting, canSign, unit, approve, askReject, reject,
      receive, reportChain, itemChain, ARRIVAL, VIA, STATE, ITEM_KIND, time: BS.time};
  },
  components: {
    // The steps a report or an item climbs inside the unit, each with its state.
    'sign-chain': {
      props: ['chain'],
      template: `<ol v-if="chain.length > 1 || (chain[0] && chain[0].state !== 'pending')" class="chain" aria-label="审签流程">
        <li v-for="(s, n) in chain" :class="s.state">{{ n + 1 }}. {{ s.who }}：{{ $root.STATE[s.state] || s.state }}
          <span v-if="s.note" class="muted">（{{ s.note }}）</span></li></ol>`,
    },
  },
  template: `
  <main class="form-main">
    <section class="form-card">
      <h1>待办 / 已办</h1>
      <el-alert v-if="notice" id="inbox-notice" :title="notice" type="success" :closable="false" show-icon role="status" />
      <el-alert v-if="failure" id="inbox-error" :title="failure" type="error" :closable="false" show-icon role="alert" />
      <el-tabs v-model="tab">
        <el-tab-pane label="待办" name="todo">
          <h2>报告</h2>
          <p v-if="!reports.length" class="empty">暂无</p>
          <article v-for="r in reports" :key="r.report_id + r.via" class="inbox-row" :data-report="r.report_id">
            <strong>{{ r.withheld ? '密级内容，已隐去' : r.title }}</strong>
            <span class="muted"> · {{ r.grade ? r.grade + ' 级' : '未定级' }} · {{ ARRIVAL[r.kind] || r.kind }} ·
              {{ VIA[r.via] || r.via }}<template v-if="r.from_unit_id"> · 来自 {{ unit(r.from_unit_id) }}</template>
              · {{ time(r.arrived_at) }}</span>
            <div><a :href="'/incidents/' + r.incident_id">事件页</a></div>
            <sign-chain :chain="reportChain(r)" />
            <div class="actions">
              <template v-if="r.needs_sign_off && canSign">
                <el-button type="primary" @click="approve('report', r.report_id)">签发</el-button>
                <el-button @click="askReject('report', r.report_id, r.title)">退回</el-button>
              </template>
              <el-button v-if="r.needs_receipt && r.via !== 'submitted'" @click="receive('report', r.report_id)">确认收到</el-button>
            </div>
          </article>
          <h2>信息</h2>
          <p v-if="!items.length" class="empty">暂无</p>
          <article v-for="x in items" :key="x.item_id" class="inbox-row" :data-item="x.item_id">
            <strong>{{ x.withheld ? '密级内容，已隐去' : x.title }}</strong>
            <span class="muted"> · {{ ITEM_KIND[x.kind] || x.kind }} · {{ unit(x.reporting_unit) }} · {{ VIA[x.via] || x.via }}
              <template v-if="x.due_at"> · 时限 {{ time(x.due_at) }}</template></span>
            <sign-chain :chain="itemChain(x.item_id)" />
            <div class="actions">
              <template v-if="x.needs_sign_off && canSign">
                <el-button type="primary" @click="approve('item', x.item_id)">签发</el-button>
                <el-button @click="askReject('item', x.item_id, x.title)">退回</el-button>
              </template>
              <el-button v-if="x.needs_receipt" @click="receive('item', x.item_id)">确认收到</el-button>
            </div>
          </article>
        </el-tab-pane>
        <el-tab-pane label="已办" name="done">
          <h2>信息</h2>
          <p v-if="!done.length" class="empty">暂无</p>
          <table v-else id="done-items">
            <thead><tr><th scope="col">标题</th><th scope="col">供稿单位</th><th scope="col">状态</th><th scope="col">时间</th></tr></thead>
            <tbody><tr v-for="x in done" :key="x.item_id" :data-item="x.item_id">
              <td>{{ x.title }}</td><td>{{ unit(x.reporting_unit) }}</td>
              <td>{{ x.via === 'submitted' ? (STATE[x.state] || x.state) : (x.acknowledged_at ? '已确认收到' : '已收到') }}</td>
              <td>{{ time(x.acknowledged_at || x.arrived_at || x.received_at) }}</td></tr></tbody>
          </table>
          <p class="muted">已办的报告：审批服务尚无"本单位已办报告"的查询接口，暂不列出。</p>
        </el-tab-pane>
      </el-tabs>
    </section>
    <el-dialog v-model="rejecting.open" title="退回" width="min(32em, 94vw)">
      <p>{{ rejecting.title }}</p>
      <el-form label-position="top" @submit.prevent="reject">
        <el-form-item label="退回理由" for="reject-comment">
          <el-input id="reject-comment" v-model="rejecting.comment" type="textarea" :autosize="{minRows: 3}"
            @input="rejecting.error = ''" />
          <div v-if="rejecting.error" class="field-error" role="alert" id="error-comment">{{ rejecting.error }}</div>
        </el-form-item>
        <el-button type="primary" native-type="submit">确认退回</el-button>
      </el-form>
    </el-dialog>
  </main>`,
}).use(ElementPlus, {locale: ElementPlusLocaleZhCn}).mount('#app');
