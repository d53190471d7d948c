// Parse an AsyncAPI document with the official parser; print {"parsed", "diagnostics"} as JSON.
// Run by deploy/asyncapi_parser.py with NODE_PATH set to the parser's cached node_modules.
const { Parser, fromFile } = require('@asyncapi/parser');

(async () => {
  const { document, diagnostics } = await fromFile(new Parser(), process.argv[2]).parse();
  const found = diagnostics.map(d => ({ severity: d.severity, code: d.code, message: d.message, path: d.path }));
  process.stdout.write(JSON.stringify({ parsed: document !== undefined, diagnostics: found }));
})().catch(error => { console.error(error); process.exit(2); });
