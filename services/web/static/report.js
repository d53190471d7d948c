// 报送突发事件: a report (首报, 续报, 终报) with the fields of the rules (docs/api.md, "The report") to POST
// /api/intake/v1/reports as the signed-in person. The categories are those of the unit's policy pack (GET
// /v1/categories); intake's own messages (422 errors[], 202 warnings[]) show next to their fields; the answer shows
// the report's id, grade and deadlines in Beijing time. ?incident=ID&kind=follow_up|final prefills a follow-up.
const {createApp, reactive, ref, computed} = Vue;
BS.header();

const KINDS = {initial: '首报', follow_up: '续报', final: '终报'};
const LEVELS = {public: '公开', internal: '内部', secret: '秘密', confidential: '机密', top_secret: '绝密'};
const FLAGS = {sensitive_time: '敏感时间', sensitive_place: '敏感地点', special_identity: '涉及特殊身份人员',
  wide_attention: '社会影响较大'};
const CASUALTIES = {deaths: '死亡', injured: '受伤', seriously_injured: '重伤', missing: '失踪', poisoned: '中毒'};
const TEXTS = {summary: '基本情况', cause: '起因与性质', measures_taken: '已采取措施', next_steps: '下一步措施',
  trend: '发展趋势', leaders_on_site: '领导到位情况', source: '信息来源'};
// Every field the form shows, as intake names it in errors[].field.
const SHOWN = ['kind', 'incident_id', 'channel', 'title', 'category', 'occurred_at', 'discovered_at', 'location.unit_id',
  'location.address', ...Object.keys(CASUALTIES).map((k) => `casualties.${k}`), 'economic_loss_cny', 'participants',
  'flags', ...Object.keys(TEXTS), 'signer', 'contact.name', 'contact.phone', 'classification', 'reopen_reason'];

function blank(query) {
  const kind = KINDS[query.get('kind')] ? query.get('kind') : (query.get('incident') ? 'follow_up' : 'initial');
  return {kind, incident_id: query.get('incident') || '', channel: 'written', title: '', category: '',
    occurred_at: '', discovered_at: '', unit_id: '', address: '',
    casualties: {deaths: 0, injured: 0, seriously_injured: 0, missing: 0, poisoned: 0},
    economic_loss_cny: 0, participants: 0, flags: [], summary: '', cause: '', measures_taken: '', next_steps: '',
    trend: '', leaders_on_site: '', source: '', signer: '', contact_name: '', contact_phone: '',
    classification: 'internal', reopen: false, reopen_reason: ''};
}

createApp({
  setup() {
    const query = new URLSearchParams(location.search);
    const form = reactive(blank(query));
    const msg = Forms.messages();
    const categories = ref([]);
    const units = ref([]);
    const me = ref(null);
    const busy = ref(false);
    const failure = ref('');
    const answer = ref(null);
    const keyFor = Forms.idempotency();
    const unitName = (id) => (units.value.find((u) => u.unit_id === id) || {}).name || id;

    BS.session().then(async (who) => {
      me.value = who;
      form.unit_id = form.unit_id || who.unit || '';
      const directory = await BS.api('/v1/units', {service: 'intake'});
      units.value = directory.units;
      const mine = directory.units.find((u) => u.unit_id === who.unit);
      const r = await fetch(`/v1/categories?kind=${encodeURIComponent((mine && mine.kind) || '')}`);
      if (r.ok) categories.value = (await r.json()).categories;
    }).catch((e) => { failure.value = String(e.message || e); });

    // The person changed a field: its old message no longer applies.
    const touched = (field) => { delete msg.errors[field]; delete msg.warnings[field]; };

    function body() {
      const b = {kind: form.kind, incident_id: form.kind === 'initial' ? null : (form.incident_id.trim() || null),
        reporting_unit: me.value.unit, channel: form.channel, title: form.title, category: form.category,
        occurred_at: Forms.beijing(form.occurred_at), discovered_at: Forms.beijing(form.discovered_at),
        location: {unit_id: form.unit_id, address: form.address}, casualties: {...form.casualties},
        economic_loss_cny: form.economic_loss_cny ?? 0, participants: form.participants ?? 0,
        flags: Object.fromEntries(Object.keys(FLAGS).map((f) => [f, form.flags.includes(f)])),
        signer: form.signer, contact: {name: form.contact_name, phone: form.contact_phone},
        classification: form.classification};
      for (const k of Object.keys(TEXTS)) b[k] = form[k];
      if (form.reopen) { b.reopen = true; b.reopen_reason = form.reopen_reason; }
      return b;
    }

    async function submit() {
      msg.clear();
      failure.value = '';
      answer.value = null;
      busy.value = true;
      try {
        const b = body();
        const a = await BS.api('/v1/reports', {service: 'intake', method: 'POST', body: b,
          headers: {'Idempotency-Key': keyFor(b)}});
        answer.value = a;
        msg.place(a.warnings, msg.warnings, SHOWN);
      } catch (e) {
        failure.value = String(e.message || e);
        if (e.problem) msg.place(e.problem.errors, msg.errors, SHOWN);
      } finally {
        busy.value = false;
      }
    }
    const followUp = (kind) => `/report?incident=${encodeURIComponent(answer.value.incident_id)}&kind=${kind}`;
    return {form, msg, categories, units, busy, failure, answer, submit, touched, followUp, unitName,
      KINDS, LEVELS, FLAGS, CASUALTIES, TEXTS, time: BS.time, heading: computed(() => KINDS[form.kind])};
  },
  components: {'field-msg': Forms.fieldMsg},
  template: `
  <main class="form-main">
    <section class="form-card">
      <h1>报送突发事件 · {{ heading }}</h1>
      <el-form :model="form" label-position="top" @submit.prevent="submit" novalidate>
        <el-form-item label="报告类型" for="kind">
          <el-radio-group id="kind" v-model="form.kind" @change="touched('kind')">
            <el-radio-button v-for="(zh, k) in KINDS" :key="k" :value="k">{{ zh }}</el-radio-button>
          </el-radio-group>
          <field-msg :msg="msg" field="kind" />
        </el-form-item>
        <el-form-item v-if="form.kind !== 'initial'" label="事件编号" for="incident_id">
          <el-input id="incident_id" v-model="form.incident_id" @input="touched('incident_id')" />
          <field-msg :msg="msg" field="incident_id" />
        </el-form-item>
        <el-form-item label="报送方式" for="channel">
          <el-radio-group id="channel" v-model="form.channel">
            <el-radio value="written">书面</el-radio><el-radio value="phone">电话</el-radio>
          </el-radio-group>
        </el-form-item>
        <el-form-item label="标题" for="title">
          <el-input id="title" v-model="form.title" maxlength="200" @input="touched('title')" />
          <field-msg :msg="msg" field="title" />
        </el-form-item>
        <el-form-item label="类别" for="category">
          <el-select id="category" v-model="form.category" filterable placeholder="请选择" @change="touched('category')">
            <el-option v-for="c in categories" :key="c.code" :label="c.zh" :value="c.code" />
          </el-select>
          <field-msg :msg="msg" field="category" />
        </el-form-item>
        <div class="form-row">
          <el-form-item label="发生时间" for="occurred_at">
            <el-date-picker id="occurred_at" v-model="form.occurred_at" type="datetime" format="YYYY-MM-DD HH:mm"
              value-format="YYYY-MM-DDTHH:mm:ss" placeholder="北京时间" @change="touched('occurred_at')" />
            <field-msg :msg="msg" field="occurred_at" />
          </el-form-item>
          <el-form-item label="发现时间" for="discovered_at">
            <el-date-picker id="discovered_at" v-model="form.discovered_at" type="datetime" format="YYYY-MM-DD HH:mm"
              value-format="YYYY-MM-DDTHH:mm:ss" placeholder="北京时间（可不填）" @change="touched('discovered_at')" />
            <field-msg :msg="msg" field="discovered_at" />
          </el-form-item>
        </div>
        <el-form-item label="发生地单位" for="location_unit">
          <el-select id="location_unit" v-model="form.unit_id" filterable @change="touched('location.unit_id')">
            <el-option v-for="u in units" :key="u.unit_id" :label="u.name + '（' + u.unit_id + '）'" :value="u.unit_id" />
          </el-select>
          <field-msg :msg="msg" field="location.unit_id" />
        </el-form-item>
        <el-form-item label="发生地点" for="address">
          <el-input id="address" v-model="form.address" placeholder="详细地址" @input="touched('location.address')" />
          <field-msg :msg="msg" field="location.address" />
        </el-form-item>
        <fieldset class="figures"><legend>伤亡与损失</legend>
          <el-form-item v-for="(zh, k) in CASUALTIES" :key="k" :label="zh" :for="'casualties_' + k">
            <el-input-number :id="'casualties_' + k" v-model="form.casualties[k]" :min="0" controls-position="right"
              @change="touched('casualties.' + k)" />
            <field-msg :msg="msg" :field="'casualties.' + k" />
          </el-form-item>
          <el-form-item label="直接经济损失（元）" for="economic_loss_cny">
            <el-input-number id="economic_loss_cny" v-model="form.economic_loss_cny" :min="0" controls-position="right"
              @change="touched('economic_loss_cny')" />
            <field-msg :msg="msg" field="economic_loss_cny" />
          </el-form-item>
          <el-form-item label="参与人数" for="participants">
            <el-input-number id="participants" v-model="form.participants" :min="0" controls-position="right"
              @change="touched('participants')" />
            <field-msg :msg="msg" field="participants" />
          </el-form-item>
        </fieldset>
        <el-form-item label="敏感情形" for="flags">
          <el-checkbox-group id="flags" v-model="form.flags">
            <el-checkbox v-for="(zh, k) in FLAGS" :key="k" :value="k">{{ zh }}</el-checkbox>
          </el-checkbox-group>
          <field-msg :msg="msg" field="flags" />
        </el-form-item>
        <el-form-item v-for="(zh, k) in TEXTS" :key="k" :label="zh" :for="k">
          <el-input :id="k" v-model="form[k]" type="textarea" :autosize="{minRows: k === 'summary' ? 4 : 2}"
            @input="touched(k)" />
          <field-msg :msg="msg" :field="k" />
        </el-form-item>
        <div class="form-row">
          <el-form-item label="签发人" for="signer">
            <el-input id="signer" v-model="form.signer" @input="touched('signer')" />
            <field-msg :msg="msg" field="signer" />
          </el-form-item>
          <el-form-item label="联系人" for="contact_name">
            <el-input id="contact_name" v-model="form.contact_name" @input="touched('contact.name')" />
            <field-msg :msg="msg" field="contact.name" />
          </el-form-item>
          <el-form-item label="联系电话" for="contact_phone">
            <el-input id="contact_phone" v-model="form.contact_phone" type="tel" @input="touched('contact.phone')" />
            <field-msg :msg="msg" field="contact.phone" />
          </el-form-item>
        </div>
        <el-form-item label="密级" for="classification">
          <el-select id="classification" v-model="form.classification">
            <el-option v-for="(zh, k) in LEVELS" :key="k" :label="zh" :value="k" />
          </el-select>
          <field-msg :msg="msg" field="classification" />
        </el-form-item>
        <template v-if="form.kind !== 'initial'">
          <el-checkbox v-model="form.reopen">重新打开已终报的事件</el-checkbox>
          <el-form-item v-if="form.reopen" label="重新打开的理由" for="reopen_reason">
            <el-input id="reopen_reason" v-model="form.reopen_reason" @input="touched('reopen_reason')" />
            <field-msg :msg="msg" field="reopen_reason" />
          </el-form-item>
        </template>
        <el-alert v-if="failure" id="form-error" :title="failure" type="error" :closable="false" show-icon role="alert" />
        <ul v-if="msg.others.length" class="other-errors"><li v-for="o in msg.others">{{ o }}</li></ul>
        <el-button type="primary" native-type="submit" :loading="busy" class="submit">提交</el-button>
      </el-form>
    </section>
    <section v-if="answer" id="answer" class="form-card answer" role="status">
      <h2>已受理 · {{ KINDS[form.kind] }}</h2>
      <dl>
        <dt>报告编号</dt><dd id="answer-report">{{ answer.report_id }}</dd>
        <dt>事件编号</dt><dd id="answer-incident"><a :href="'/incidents/' + answer.incident_id">{{ answer.incident_id }}</a></dd>
        <dt>等级</dt><dd id="answer-grade">{{ answer.grade ? answer.grade + ' 级' : (answer.reportable ? '未定级' : '未达报送标准') }}</dd>
        <dt>受理时间</dt><dd>{{ time(answer.received_at) }}（北京时间）</dd>
        <dt v-if="answer.reasons_zh && answer.reasons_zh.length">依据</dt>
        <dd v-if="answer.reasons_zh && answer.reasons_zh.length">{{ answer.reasons_zh.join('；') }}</dd>
      </dl>
      <table v-if="answer.obligations.length" id="answer-deadlines">
        <caption>报送时限（北京时间）</caption>
        <thead><tr><th scope="col">单位</th><th scope="col">报送至</th><th scope="col">迟报时限</th><th scope="col">漏报时限</th></tr></thead>
        <tbody><tr v-for="o in answer.obligations">
          <td>{{ unitName(o.unit_id) }}</td><td>{{ unitName(o.to_unit_id) }}</td>
          <td>{{ time(o.late_at) }}</td><td>{{ time(o.missed_at) }}</td></tr></tbody>
      </table>
      <ul v-if="answer.warnings.length" id="answer-warnings" class="warnings">
        <li v-for="w in answer.warnings">{{ w.label || w.field }}：{{ msg.text(w) }}</li>
      </ul>
      <p class="links"><a :href="followUp('follow_up')">续报此事件</a> · <a :href="followUp('final')">终报此事件</a></p>
    </section>
  </main>`,
}).use(ElementPlus, {locale: ElementPlusLocaleZhCn}).mount('#app');
