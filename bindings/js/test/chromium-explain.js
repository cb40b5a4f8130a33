// Headless Chromium against a real `wsguard serve`: a page from a refused loopback origin
// (127.0.0.2) gets the server's reason (origin_host + remedy) instead of 1006; a missing
// token gives 401 token_missing and no retry; an https page with a ws:// URL is refused
// as mixed content before connecting; an allowed page connects and echoes.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { serveStatic, withChromium, ROOT } from './cdp.js';

const allowed = await serveStatic('127.0.0.1');
const refused = await serveStatic('127.0.0.2');
const bin = join(ROOT, 'target/debug/wsguard');
function serve(extra) {
  const p = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--quiet', '--allow', allowed.origin, ...extra],
    { env: { ...process.env, WSGUARD_EXPLAIN: 'full' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const on = (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/(127\.0\.0\.1:\d+)/);
      if (m) resolve({ proc: p, addr: m[1] });
    };
    p.stdout.on('data', on);
    p.stderr.on('data', on);
    p.on('exit', (c) => reject(new Error(`wsguard serve exited (${c}): ${out}`)));
  });
}
const open = await serve([]);
const locked = await serve(['--token', 'sesame']);

let passed = 0, failed = 0;
function expect(name, got, want) {
  const ok = JSON.stringify(got) === JSON.stringify(want);
  ok ? passed++ : failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`}`);
}
const attempt = (ws, opts = '{}') => `import('/js/index.js').then(async (m) => {
  try { const s = await m.connect(${JSON.stringify(ws)}, { reconnect: { maxAttempts: 1 }, heartbeat: false, ...${opts} });
        const echo = await new Promise((r) => { s.addEventListener('message', (e) => r(e.data)); s.send('hi'); });
        s.close(); return { ok: true, echo };
  } catch (e) { return { ok: false, code: e.code, status: e.status, explained: e.explained, remedy: e.remedy,
                         decision: e.retry && e.retry.decision }; } })`;

try {
  await withChromium(async (browser) => {
    const good = await browser.page();
    await good.goto(`${allowed.origin}/js/test/blank.html`);
    await good.eval(`new Promise((r) => document.readyState === 'complete' ? r() : addEventListener('load', r))`);
    expect('allowed origin connects and echoes', await good.eval(attempt(`ws://${open.addr}/ws`)), { ok: true, echo: 'hi' });

    const bad = await browser.page();
    await bad.goto(`${refused.origin}/js/test/blank.html`);
    await bad.eval(`new Promise((r) => document.readyState === 'complete' ? r() : addEventListener('load', r))`);
    const r = await bad.eval(attempt(`ws://${open.addr}/ws`));
    expect('refused origin: code, status, explained', [r.code, r.status, r.explained], ['origin_host', 403, true]);
    expect('refused origin: remedy from the server', /allowed origins/.test(r.remedy || ''), true);
    expect('refused origin: console names the code', bad.console.some((l) => l.includes('origin_host')), true);
    expect('refused origin: no retry (wait for re-authentication)', r.decision, 'wait_for_reauth');

    const t = await good.eval(attempt(`ws://${locked.addr}/ws`));
    expect('missing token: 401 token_missing, no retry', [t.code, t.status, t.decision], ['token_missing', 401, 'wait_for_reauth']);
    const ok = await good.eval(attempt(`ws://${locked.addr}/ws`, `{ token: { value: 'sesame', placement: 'query', name: 'token' } }`));
    expect('token in the query: connects', ok, { ok: true, echo: 'hi' });

    const mixed = await good.eval(attempt(`ws://${open.addr}/ws`, `{ page: 'https://app.example/chat' }`));
    expect('https page + ws:// URL: mixed content before connecting', [mixed.code, mixed.status], ['url_mixed_content', null]);
  });
} finally {
  for (const s of [open, locked]) s.proc.kill();
  await allowed.close();
  await refused.close();
}
console.log(`chromium-explain: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
