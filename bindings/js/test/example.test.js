// node --test: the README's "Frontend in one minute" example is bindings/js/examples/live-socket.js
// verbatim, and it works: against a real `wsguard serve` requiring a token, the store
// reports token_missing (not 1006) and waits; with the token it opens and delivers messages.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './cdp.js';
import { backend } from './backends.js';
import { liveSocket } from '../examples/live-socket.js';

test('the README block is examples/live-socket.js verbatim', async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Frontend in one minute'));
  const block = section.match(/```js\n([\s\S]*?)```/)[1];
  assert.equal(block, await readFile(join(ROOT, 'bindings/js/examples/live-socket.js'), 'utf8'));
});

// Node's WebSocket sends no Origin: this server accepts that, and wants a token.
const server = await backend('serve', { mode: 'full', token: 'sesame', extra: ['--allow-missing-origin'] });
const addr = server.addr;
after(() => server.stop());

const settled = (store, pred) => new Promise((resolve) => {
  if (pred(store.getSnapshot())) return resolve(store.getSnapshot());
  const off = store.subscribe(() => { if (pred(store.getSnapshot())) { off(); resolve(store.getSnapshot()); } });
});

test('no token: the store shows token_missing and waits; with the token it opens and echoes', async () => {
  const errors = [];
  const realError = console.error;
  console.error = (m) => errors.push(m);
  const messages = [];
  let store;
  try {
    store = liveSocket(`ws://${addr}/ws`, { onMessage: (m) => messages.push(m) });
    const waiting = await settled(store, (s) => s.error);
    assert.deepEqual([waiting.state, waiting.error.code, waiting.error.status, waiting.error.explained], ['waiting_for_auth', 'token_missing', 401, true]);
    // The state event comes first; the rejection (and its console line) right after.
    await new Promise((r) => { const t = () => (errors.length ? r() : setTimeout(t, 5)); t(); });
    assert.match(errors.join('\n'), /^token_missing: .+ — .+/);
  } finally {
    console.error = realError;
  }
  await store.reauthenticate('sesame');
  assert.equal(store.getSnapshot().state, 'open');
  await store.send('hi');
  await new Promise((r) => { const t = () => (messages.length ? r() : setTimeout(t, 10)); t(); });
  assert.deepEqual(messages, ['hi']);
  await store.close();
  assert.equal(store.getSnapshot().state, 'closed');
});
