// 登录: 账号 and 密码 to POST /v1/session (the answer sets an HttpOnly session cookie), then back to the page that
// sent the person here. Vue 3 + Element Plus (zh-CN), loaded from /vendor (fetched from npm by the set-up).
const {createApp, reactive, ref} = Vue;

// Only a path on this site: never an address elsewhere (no open redirect).
function nextPage() {
  const next = new URLSearchParams(location.search).get('next') || '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

createApp({
  setup() {
    const form = reactive({login: '', password: ''});
    const error = ref('');
    const busy = ref(false);
    async function submit() {
      if (!form.login.trim() || !form.password) {
        error.value = '请输入账号和密码 / Enter your login and password';
        return;
      }
      busy.value = true;
      error.value = '';
      try {
        const answer = await fetch('/v1/session', {method: 'POST', headers: {'content-type': 'application/json'},
          body: JSON.stringify({login: form.login.trim(), password: form.password})});
        if (answer.ok) { location.assign(nextPage()); return; }
        const problem = await answer.json().catch(() => ({}));
        error.value = problem.detail || `${answer.status}`;
        form.password = '';
      } catch (e) {
        error.value = '无法连接服务器 / The server cannot be reached';
      } finally {
        busy.value = false;
      }
    }
    return {form, error, busy, submit};
  },
  template: `
    <section class="signin">
      <h1>报送 Baosong</h1>
      <el-form :model="form" label-position="top" @submit.prevent="submit">
        <el-form-item label="账号" for="login">
          <el-input id="login" v-model="form.login" autocomplete="username" />
        </el-form-item>
        <el-form-item label="密码" for="password">
          <el-input id="password" v-model="form.password" type="password" autocomplete="current-password" />
        </el-form-item>
        <el-alert v-if="error" id="signin-error" :title="error" type="error" :closable="false" show-icon role="alert" />
        <el-button type="primary" native-type="submit" :loading="busy">登录</el-button>
      </el-form>
    </section>`,
}).use(ElementPlus, {locale: ElementPlusLocaleZhCn}).mount('#app');
