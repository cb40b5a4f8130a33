// node --test: the explain exchange answered identically by the three guards — `wsguard
// serve`, FastAPI + WebSocketGuard (uvicorn) and Channels + wsguard.channels (daphne) —
// byte for byte, for the same facts; and the package's `explain()` reads each answer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { explain } from '../index.js';
import { backend } from './backends.js';

const ALLOWED = 'http://127.0.0.1:3000';
const guards = await Promise.all(['serve', 'uvicorn', 'daphne'].map((k) => backend(k, { allowed: [ALLOWED], mode: 'full' })));
after(() => Promise.all(guards.map((g) => g.stop())));

/** A plain GET with exactly these headers (Node's fetch would add its own). */
const get = (addr, target, headers = {}) => new Promise((resolve, reject) => {
  const req = request(`http://${addr}${target}`, { headers }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d) => { body += d; });
    res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
  });
  req.on('error', reject);
  req.end();
});

const ORIGIN_HOST = '{"wsguard":1,"ok":false,"code":"origin_host","status":403,"reason":"the Origin\'s host is not in the allowed origins",'
  + '"remedy":"add the page\'s exact origin (as shown by `location.origin` in the browser console) to the allowed origins"}';
const ACCEPTED = '{"wsguard":1,"ok":true,"code":"explain_accepted","status":101,"reason":"the server would accept this upgrade; '
  + 'if it still fails, the token value or the application refused it, or a proxy in between did",'
  + '"remedy":"check the token\'s value and expiry, and the proxies between the page and the server"}';
const CASES = [
  ['a refused cross-origin page', '/ws?wsguard-explain=1&token=none', { origin: 'http://127.0.0.2:3000' }, ORIGIN_HOST],
  ['a same-origin page (no Origin header, its origin in the query)', `/ws?wsguard-explain=1&token=none&origin=${encodeURIComponent(ALLOWED)}`, {}, ACCEPTED],
  ['the Origin header wins over the query', `/ws?wsguard-explain=1&origin=${encodeURIComponent(ALLOWED)}`, { origin: 'http://127.0.0.2:3000' }, ORIGIN_HOST],
];

for (const [name, target, headers, want] of CASES) {
  test(`identical answers: ${name}`, async () => {
    const answers = await Promise.all(guards.map((g) => get(g.addr, target, headers)));
    for (const [i, a] of answers.entries()) {
      const who = guards[i].kind;
      assert.equal(a.status, 200, who);
      assert.equal(a.body, want, who);
      assert.deepEqual([a.headers['content-type'], a.headers['cache-control'], a.headers['access-control-allow-origin'],
        a.headers['x-content-type-options'], a.headers['access-control-allow-credentials']],
      ['application/json', 'no-store', '*', 'nosniff', undefined], who);
      assert.ok(!a.body.includes('127.0.0.1:3000'), `${who} must not reveal the allowlist`);
    }
  });
}

test('explain() reads every guard: explained, code, status and remedy', async () => {
  for (const g of guards) {
    const a = await explain(`ws://${g.addr}/ws`, { origin: 'http://127.0.0.2:3000' });
    assert.deepEqual([a.explained, a.ok, a.code, a.status, /location\.origin/.test(a.remedy)], [true, false, 'origin_host', 403, true], g.kind);
  }
});

test('default mode is public (no remedy) and off answers nothing, in every guard', async () => {
  const target = '/ws?wsguard-explain=1&token=none';
  for (const kind of ['serve', 'uvicorn', 'daphne']) {
    const byDefault = await backend(kind, { allowed: [ALLOWED], mode: null });
    const off = await backend(kind, { allowed: [ALLOWED], mode: 'off' });
    try {
      const pub = await get(byDefault.addr, target, { origin: 'http://127.0.0.2:3000' });
      assert.equal(pub.body, ORIGIN_HOST.slice(0, ORIGIN_HOST.indexOf(',"remedy"')) + '}', kind);
      const none = await get(off.addr, target, { origin: 'http://127.0.0.2:3000' });
      assert.ok(none.status !== 200 && !none.body.includes('"wsguard"'), `${kind} off: ${none.status} ${none.body.slice(0, 80)}`);
    } finally {
      await Promise.all([byDefault.stop(), off.stop()]);
    }
  }
});
