// 报送信息: an item of work information (工作动态、要情 …) to POST /api/intake/v1/items as the signed-in person.
// 约稿 offers the requests the unit received (GET /api/approval/v1/requests); ?request=ID preselects one. intake's
// own messages show next to their fields; the answer shows the item's id and its due time in Beijing time.
const {createApp, reactive, ref} = Vue;
BS.header();

const KINDS = {news: '工作动态', brief: '要情', long: '调研/长篇', opinion: '舆情', newmedia: '新媒体'};
const LEVELS = {public: '公开', internal: '内部', secret: '秘密', confidential: '机密', top_secret: '绝密'};
const SHOWN = ['kind', 'title', 'body', 'author.name', 'author.phone', 'section', 'request_id', 'happened_on',
  'classification'];

createApp({
  setup() {
    const query = new URLSearchParams(location.search);
    const form = reactive({kind: 'news', title: '', body: '', author_name: '', author_phone: '', section: '',
      request_id: query.get('request') || '', happened_on: '', classification: 'internal'});
    const msg = Forms.messages();
    const requests = ref([]);
    const me = ref(null);
    const busy = ref(false);
    const failure = ref('');
    const answer = ref(null);
    const keyFor = Forms.idempotency();

    BS.session().then(async (who) => {
      me.value = who;
      form.author_name = form.author_name || who.name || '';
      form.author_phone = form.author_phone || who.phone || '';
      requests.value = (await BS.api('/v1/requests', {service: 'approval'})).received;
    }).catch((e) => { failure.value = String(e.message || e); });

    const touched = (field) => { delete msg.errors[field]; delete msg.warnings[field]; };

    async function submit() {
      msg.clear();
      failure.value = '';
      answer.value = null;
      busy.value = true;
      try {
        const b = {reporting_unit: me.value.unit, kind: form.kind, title: form.title, body: form.body,
          author: {name: form.author_name, phone: form.author_phone}, section: form.section || null,
          request_id: form.request_id || null, happened_on: form.happened_on || null,
          classification: form.classification};
        const a = await BS.api('/v1/items', {service: 'intake', method: 'POST', body: b,
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
    return {form, msg, requests, busy, failure, answer, submit, touched, KINDS, LEVELS, time: BS.time};
  },
  components: {'field-msg': Forms.fieldMsg},
  template: `
  <main class="form-main">
    <section class="form-card">
      <h1>报送信息</h1>
      <el-form :model="form" label-position="top" @submit.prevent="submit" novalidate>
        <el-form-item label="信息类别" for="kind">
          <el-select id="kind" v-model="form.kind" @change="touched('kind')">
            <el-option v-for="(zh, k) in KINDS" :key="k" :label="zh" :value="k" />
          </el-select>
          <field-msg :msg="msg" field="kind" />
        </el-form-item>
        <el-form-item label="标题" for="title">
          <el-input id="title" v-model="form.title" maxlength="200" @input="touched('title')" />
          <field-msg :msg="msg" field="title" />
        </el-form-item>
        <el-form-item label="正文" for="body">
          <el-input id="body" v-model="form.body" type="textarea" :autosize="{minRows: 6}" @input="touched('body')" />
          <field-msg :msg="msg" field="body" />
        </el-form-item>
        <div class="form-row">
          <el-form-item label="供稿人" for="author_name">
            <el-input id="author_name" v-model="form.author_name" @input="touched('author.name')" />
            <field-msg :msg="msg" field="author.name" />
          </el-form-item>
          <el-form-item label="供稿人电话" for="author_phone">
            <el-input id="author_phone" v-model="form.author_phone" type="tel" @input="touched('author.phone')" />
            <field-msg :msg="msg" field="author.phone" />
          </el-form-item>
          <el-form-item label="供稿科室" for="section">
            <el-input id="section" v-model="form.section" @input="touched('section')" />
            <field-msg :msg="msg" field="section" />
          </el-form-item>
        </div>
        <el-form-item label="约稿" for="request_id">
          <el-select id="request_id" v-model="form.request_id" clearable placeholder="不是约稿（可不选）"
            @change="touched('request_id')">
            <el-option v-for="r in requests" :key="r.request_id" :label="r.topic + '（截止 ' + time(r.due_at) + '）'"
              :value="r.request_id" />
          </el-select>
          <field-msg :msg="msg" field="request_id" />
        </el-form-item>
        <div class="form-row">
          <el-form-item label="发生日期" for="happened_on">
            <el-date-picker id="happened_on" v-model="form.happened_on" type="date" format="YYYY-MM-DD"
              value-format="YYYY-MM-DD" placeholder="可不填（即受理当日）" @change="touched('happened_on')" />
            <field-msg :msg="msg" field="happened_on" />
          </el-form-item>
          <el-form-item label="密级" for="classification">
            <el-select id="classification" v-model="form.classification">
              <el-option v-for="(zh, k) in LEVELS" :key="k" :label="zh" :value="k" />
            </el-select>
            <field-msg :msg="msg" field="classification" />
          </el-form-item>
        </div>
        <el-alert v-if="failure" id="form-error" :title="failure" type="error" :closable="false" show-icon role="alert" />
        <ul v-if="msg.others.length" class="other-errors"><li v-for="o in msg.others">{{ o }}</li></ul>
        <el-button type="primary" native-type="submit" :loading="busy" class="submit">提交</el-button>
      </el-form>
    </section>
    <section v-if="answer" id="answer" class="form-card answer" role="status">
      <h2>已受理</h2>
      <dl>
        <dt>信息编号</dt><dd id="answer-item">{{ answer.item_id }}</dd>
        <dt>受理时间</dt><dd>{{ time(answer.received_at) }}（北京时间）</dd>
        <dt>应报时限</dt><dd id="answer-due">{{ answer.due_at ? time(answer.due_at) + '（北京时间）' : '本类信息没有时限' }}</dd>
      </dl>
      <ul v-if="answer.warnings.length" id="answer-warnings" class="warnings">
        <li v-for="w in answer.warnings">{{ w.label || w.field }}：{{ msg.text(w) }}</li>
      </ul>
      <p>下一步：本单位审签后报送上级（见 <a href="/inbox">待办</a>）。</p>
    </section>
  </main>`,
}).use(ElementPlus, {locale: ElementPlusLocaleZhCn}).mount('#app');
