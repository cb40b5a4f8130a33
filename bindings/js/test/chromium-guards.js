// Headless Chromium (/usr/bin/chromium over DevTools) against the three wsguard guards:
// `wsguard serve`, FastAPI + WebSocketGuard under uvicorn, Channels + wsguard.channels
// under daphne. The same page is served from two loopback origins (two ports of
// 127.0.0.1): one allowed, one refused. For every guard:
//   * the allowed page connects and echoes;
//   * the refused page's WsguardError and its console name origin_host and the remedy
//     (the browser itself only saw 1006);
//   * (serve, uvicorn: the guards with a token option) a missing token gives 401
//     token_missing and no further attempt until `error.socket.reauthenticate(token)`;
//   * a real restart of the server process — uvicorn closes with 1012, serve with 1001,
//     daphne drops the connection (1006) — is followed by reconnects on the core's schedule: the decisions
//     equal a fresh core Reconnect's for the same inputs and randomness, and each attempt
//     starts no earlier than the decided time (ordering and bounds only, no timing).
// Once: an https page with a ws:// URL is refused as mixed content before any connection.
import { serveStatic, withChromium, until } from './cdp.js';
import { backend } from './backends.js';

const allowedPages = await serveStatic('127.0.0.1');
const refusedPages = await serveStatic('127.0.0.1');  // opened as http://localhost:<port>: another host, another port
const REFUSED_ORIGIN = refusedPages.origin.replace('127.0.0.1', 'localhost');
const ALLOWED = [allowedPages.origin];
const PORT_REMEDY = 'add the origin with this port (`http://localhost:5173`), a port list (`:[3000,5173]`) or `:*` to the allowed origins';
const REMEDY = "add the page's exact origin (as shown by `location.origin` in the browser console) to the allowed origins";

let passed = 0, failed = 0;
function expect(name, got, want) {
  const ok = JSON.stringify(got) === JSON.stringify(want);
  ok ? passed++ : failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`}`);
}

// In the page: connect, echo one message, report what happened.
const attempt = (ws, opts = '{}') => `import('/js/index.js').then(async (m) => {
  const codes = [];
  try { const s = await m.connect(${JSON.stringify(ws)}, { reconnect: { maxAttempts: 1 }, heartbeat: false,
          onAttempt: (e) => codes.push(e.code ?? null), ...${opts} });
        const echo = await new Promise((r) => { s.addEventListener('message', (e) => r(e.data)); s.send('hi'); });
        s.close(); return { ok: true, echo };
  } catch (e) { return { ok: false, code: e.code, status: e.status, explained: e.explained, remedy: e.remedy,
                         decision: e.retry && e.retry.decision, browserSaw: codes }; } })`;

// In the page: a missing token, then no attempt while waiting, then reauthenticate.
const tokenFlow = (ws) => `import('/js/index.js').then(async (m) => {
  let attempts = 0;
  const opts = { reconnect: { baseMs: 50, maxAttempts: 5 }, heartbeat: false, onAttempt: () => { attempts++; },
                 token: { placement: 'query', name: 'token', value: null } };
  let err;
  try { await m.connect(${JSON.stringify(ws)}, opts); } catch (e) { err = e; }
  if (!err) return { ok: false, why: 'connected without a token' };
  const first = { code: err.code, status: err.status, decision: err.retry.decision, state: err.socket.state };
  await new Promise((r) => setTimeout(r, 20 * 50));        // 20 base delays: a retry would have happened
  const waited = attempts;
  const s = await err.socket.reauthenticate('sesame');
  const state = s.state;
  const echo = await new Promise((r) => { s.addEventListener('message', (e) => r(e.data)); s.send('hi'); });
  s.close();
  return { first, attemptsWhileWaiting: waited, afterToken: [state, echo] };
})`;

// In the page: an open socket that records every attempt and close with its decision inputs.
const OPTS = { baseMs: 100, capMs: 800, maxAttempts: 40, jitter: 'full' };
const openForRestart = (ws) => `import('/js/index.js').then(async (m) => {
  const RANDOMS = [0x9e3779b9, 0x7f4a7c15, 0x12345678, 0xdeadbeef, 0x0badf00d, 0x31415926];
  let draws = 0;
  const events = window.restartEvents = [];
  const keep = (e) => events.push({ type: e.type, ok: e.ok, code: e.code ?? null, startedAt: e.startedAt, at: e.at,
    disconnect: e.disconnect ?? null, random: e.random ?? null, decision: e.decision ?? null });
  const s = window.restartSocket = await m.connect(${JSON.stringify(ws)}, { reconnect: ${JSON.stringify(OPTS)}, heartbeat: false,
    random: () => RANDOMS[draws++ % RANDOMS.length], onAttempt: keep });
  s.addEventListener('close', keep);
  return s.state;
})`;
const afterRestart = `import('/js/index.js').then(async (m) => {
  const s = window.restartSocket, events = window.restartEvents;
  await new Promise((r, j) => { const t0 = Date.now(); const t = () => (s.state === 'open' && events.length > 2) ? r()
    : Date.now() - t0 > 30000 ? j(new Error('no reconnect in 30 s: ' + JSON.stringify(events))) : setTimeout(t, 20); t(); });
  const echo = await new Promise((r) => { s.addEventListener('message', (e) => r(e.data)); s.send('hi'); });
  s.close();
  const rc = new m.Reconnect(${JSON.stringify(OPTS)});
  const same = [], bounds = [];
  let due = null;
  for (const e of events) {
    if (due !== null) bounds.push(e.startedAt >= due - 1);   // 1 ms: performance.now() granularity
    if (e.ok) { rc.onConnected(e.at); due = null; continue; }
    const d = rc.onDisconnect(e.at, e.disconnect, e.random);
    same.push(JSON.stringify(d) === JSON.stringify(e.decision) || JSON.stringify([d, e]));
    due = e.decision.atMs;
  }
  return { echo, firstClose: events[1].code, kinds: events.map((e) => e.ok ? 'open' : e.disconnect.close ?? e.disconnect.transport),
           decisions: events.filter((e) => !e.ok).map((e) => e.decision.decision), same, bounds };
})`;

// What each server sends its open sockets when it restarts (uvicorn: 1012 Service Restart;
// `wsguard serve`: 1001 Going Away; daphne 4 drops the TCP connections without a Close
// frame, which the browser reports as 1006). Each is followed by the core's decision for it.
const RESTART_CLOSE = { uvicorn: 1012, serve: 1001, daphne: 1006 };
const ready = `new Promise((r) => document.readyState === 'complete' ? r() : addEventListener('load', r))`;
const guards = [];
try {
  for (const kind of ['serve', 'uvicorn', 'daphne']) {
    guards.push(await backend(kind, { allowed: ALLOWED, mode: 'full' }));
    if (kind !== 'daphne') guards.push(await backend(kind, { allowed: ALLOWED, mode: 'full', token: kind === 'serve' ? 'sesame' : 'required' }));
  }
  await withChromium(async (browser) => {
    for (const kind of ['serve', 'uvicorn', 'daphne']) {
      const open = guards.find((g) => g.kind === kind);
      const locked = guards.find((g) => g.kind === kind && g !== open);
      const good = await browser.page();
      await good.goto(`${allowedPages.origin}/js/test/blank.html`);
      await good.eval(ready);
      expect(`${kind}: allowed origin connects and echoes`, await good.eval(attempt(`ws://${open.addr}/ws`)), { ok: true, echo: 'hi' });

      const bad = await browser.page();
      await bad.goto(`${REFUSED_ORIGIN}/js/test/blank.html`);
      await bad.eval(ready);
      const r = await bad.eval(attempt(`ws://${open.addr}/ws`));
      expect(`${kind}: refused origin: the browser saw only 1006`, r.browserSaw, [1006]);
      expect(`${kind}: refused origin: WsguardError code, status, explained`, [r.code, r.status, r.explained], ['origin_host', 403, true]);
      expect(`${kind}: refused origin: the server's remedy`, r.remedy, REMEDY);
      expect(`${kind}: refused origin: console names origin_host and the remedy`,
        bad.console.some((l) => l.includes('origin_host') && l.includes(REMEDY)), true);
      expect(`${kind}: refused origin: no retry`, r.decision, 'wait_for_reauth');
      // The same host on another port: the core names that exactly.
      const portPage = await browser.page();
      await portPage.goto(`${refusedPages.origin}/js/test/blank.html`);
      await portPage.eval(ready);
      const p = await portPage.eval(attempt(`ws://${open.addr}/ws`));
      expect(`${kind}: allowed host, other port: origin_port and its remedy`, [p.code, p.status, p.remedy], ['origin_port', 403, PORT_REMEDY]);

      if (locked) {
        const t = await good.eval(tokenFlow(`ws://${locked.addr}/ws`));
        expect(`${kind}: missing token: 401 token_missing, waiting for auth`, t.first,
          { code: 'token_missing', status: 401, decision: 'wait_for_reauth', state: 'waiting_for_auth' });
        expect(`${kind}: missing token: no attempt until a token is supplied`, t.attemptsWhileWaiting, 1);
        expect(`${kind}: token supplied: connects and echoes`, t.afterToken, ['open', 'hi']);
      }

      {
        expect(`${kind}: before the restart: open`, await good.eval(openForRestart(`ws://${open.addr}/ws`)), 'open');
        // Down until the page has had an attempt refused (so the backoff is exercised too).
        await open.restart({ before: () => good.eval(until('window.restartEvents.some((e) => e.disconnect && e.disconnect.transport)')) });
        const rs = await good.eval(afterRestart);
        expect(`${kind}: restart: the server's close code`, rs.firstClose, RESTART_CLOSE[kind]);
        expect(`${kind}: restart: reconnected and echoes`, rs.echo, 'hi');
        console.log(`     ${kind}: restart sequence: ${rs.kinds.join(' → ')}`);
        expect(`${kind}: restart: every decision (the close, at least one refused attempt) is the core's for the same inputs`,
          rs.same.length >= 2 && rs.same.every((x) => x === true) ? true : rs.same, true);
        expect(`${kind}: restart: retries until open, each attempt after its decided time`,
          [rs.decisions.every((d) => d === 'retry_at'), rs.bounds.length === rs.decisions.length && rs.bounds.every(Boolean)], [true, true]);
      }
    }
    const page = await browser.page();
    await page.goto(`${allowedPages.origin}/js/test/blank.html`);
    await page.eval(ready);
    const mixed = await page.eval(attempt(`ws://${guards[0].addr}/ws`, `{ page: 'https://app.example/chat' }`));
    expect('https page + ws:// URL: mixed content before connecting', [mixed.code, mixed.status, mixed.browserSaw], ['url_mixed_content', null, []]);
  }, { limitMs: 240000 });
} catch (e) {
  failed++;
  console.log(`FAIL ${e.stack || e}`);
} finally {
  await Promise.all(guards.map((g) => g.stop()));
  await allowedPages.close();
  await refusedPages.close();
}
console.log(`chromium-guards: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
