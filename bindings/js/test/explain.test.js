// node --test: the explain exchange against a real `wsguard serve`, a plain HTTP server
// (not a guard) and a closed port; URL helpers on the way.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { explain, deriveWsUrl, WsguardError } from '../index.js';
import { backend } from './backends.js';

const guard = await backend('serve', { allowed: ['http://127.0.0.1:3000'], mode: 'public', token: 'sesame' });
const addr = guard.addr;
const plain = createServer((req, res) => { res.writeHead(404); res.end('not here'); });
await new Promise((r) => plain.listen(0, '127.0.0.1', r));
after(() => { guard.stop(); plain.close(); });

test('refused origin: the server names origin_host, public mode has no remedy', async () => {
  const a = await explain(`ws://${addr}/ws`, { origin: 'http://127.0.0.2:3000', token: { placement: 'query', name: 'token' } });
  assert.deepEqual([a.explained, a.ok, a.code, a.status, a.remedy], [true, false, 'origin_host', 403, undefined]);
});

test('missing token: 401 token_missing; token in the query: accepted', async () => {
  const a = await explain(`ws://${addr}/ws`, { origin: 'http://127.0.0.1:3000' });
  assert.deepEqual([a.code, a.status], ['token_missing', 401]);
  const b = await explain(`ws://${addr}/ws`, { origin: 'http://127.0.0.1:3000', token: { placement: 'query', name: 'token' } });
  assert.deepEqual([b.ok, b.code, b.status], [true, 'explain_accepted', 101]);
});

test('a plain HTTP server does not explain; a closed port is a transport failure', async () => {
  const port = plain.address().port;
  assert.deepEqual(await explain(`ws://127.0.0.1:${port}/ws`), { explained: false, status: 404 });
  await new Promise((r) => plain.close(r));
  assert.deepEqual(await explain(`ws://127.0.0.1:${port}/ws`), { explained: false, transport: 'refused' });
});

test('URL helpers: https page gets wss; mixed content is the core error', () => {
  assert.equal(deriveWsUrl('https://app.example.com/chat/', '/ws'), 'wss://app.example.com/ws');
  assert.equal(deriveWsUrl('http://localhost:5173/', 'wss://api.example.com/ws'), 'wss://api.example.com/ws');
  assert.throws(() => deriveWsUrl('https://app.example.com/', 'ws://app.example.com/ws'),
    (e) => e instanceof WsguardError && e.code === 'url_mixed_content' && e.remedy.length > 0);
});
