// Shared by the forms (report.js, item.js): the service's own field messages (problem+json errors[] and the 202's
// warnings[]: field, message 中文, message_en English) kept by field, so each shows next to its control; a field's
// message clears as soon as the person changes it. Times are written and shown in Beijing time.
const Forms = (() => {
  const {reactive} = Vue;
  function messages() {
    const errors = reactive({});    // field → "中文 / English"
    const warnings = reactive({});
    const others = reactive([]);    // messages about fields the form does not show
    const text = (e) => [e.message, e.message_en].filter(Boolean).join(' / ');
    function clear() {
      for (const k of Object.keys(errors)) delete errors[k];
      for (const k of Object.keys(warnings)) delete warnings[k];
      others.splice(0);
    }
    // Each entry goes to the first of its field's names the form shows ('casualties.deaths', else 'casualties').
    function place(list, into, shown) {
      for (const e of list || []) {
        const parts = String(e.field || '').split('.');
        const field = parts.map((_, i) => parts.slice(0, parts.length - i).join('.')).find((f) => shown.includes(f));
        if (field) into[field] = into[field] ? `${into[field]}；${text(e)}` : text(e);
        else others.push(`${e.label || e.field}：${text(e)}`);
      }
    }
    return {errors, warnings, others, clear, place, text};
  }
  // "2026-12-05T10:30:00" as picked (Beijing wall clock) → ISO with +08:00, as the services require an offset.
  const beijing = (local) => (local ? `${local}+08:00` : null);
  // One Idempotency-Key per content: resending the same form (after a 503 or a lost answer) reuses its key, so the
  // service answers the first submission again instead of taking it twice; changed content gets a new key.
  function idempotency() {
    let sent = null;
    let key = null;
    const fresh = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    return (body) => {
      const text = JSON.stringify(body);
      if (text !== sent) { sent = text; key = fresh(); }
      return key;
    };
  }
  // A field's messages from the service: the error (red), or a warning the submission was accepted with (amber).
  const fieldMsg = {
    props: ['msg', 'field'],
    template: `<div v-if="msg.errors[field]" class="field-error" role="alert" :id="'error-' + field"
        :data-field="field">{{ msg.errors[field] }}</div>
      <div v-if="msg.warnings[field]" class="field-warning" :id="'warning-' + field">{{ msg.warnings[field] }}</div>`,
  };
  return {messages, beijing, idempotency, fieldMsg};
})();
