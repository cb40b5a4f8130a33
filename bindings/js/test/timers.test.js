// node --test: connect()'s timers follow the core's decisions, on a fake clock (no real
// time, no timing assertion). The heartbeat: application-level pings exactly when, and
// with the payload, the core's Heartbeat says; the peer declared dead when it says. The
// reconnect: each attempt starts at the `atMs` the core's Reconnect decided, and the
// decisions equal a fresh Reconnect's for the same inputs and randomness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, Heartbeat, Reconnect } from '../index.js';

const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** A clock whose timers run only when `advanceTo` says, in time order. */
function fakeClock() {
  let t = 0, seq = 0;
  const timers = new Map();
  return {
    now: () => t,
    setTimeout(fn, ms) { timers.set(++seq, { at: t + Math.max(0, ms), fn, seq }); return seq; },
    clearTimeout(id) { timers.delete(id); },
    async advanceTo(end) {
      for (;;) {
        const next = [...timers.values()].filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
        if (!next) break;
        timers.delete(next.seq);
        t = next.at;
        next.fn();
        for (let i = 0; i < 20; i++) await Promise.resolve(); // let async close handlers run
      }
      t = end;
    },
  };
}

/** A WebSocket stand-in: the test opens, answers and closes it. */
function fakeSockets(clock, onSend = () => {}) {
  const made = [];
  class FakeWS {
    constructor(url, protocols) {
      Object.assign(this, { url, protocols, readyState: 0, sent: [], closed: null, protocol: '' });
      made.push(this);
    }
    send(data) { this.sent.push([clock.now(), data]); onSend(this, data); }
    close(code, reason) { this.end(code, reason); }
    open() { this.readyState = 1; this.onopen(); }
    end(code, reason = '') {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.closed = { code, reason, at: clock.now() };
      this.onclose({ code, reason });
    }
  }
  return { FakeWS, made };
}

const HB = { intervalMs: 1000, deadTimeoutMs: 2500, maxMissed: 2 };
const ANSWERED = 3; // the peer answers the first three pings, 10 ms later, then goes silent

test('heartbeat: pings and the dead-peer verdict exactly on the core schedule', async () => {
  const clock = fakeClock();
  const { FakeWS, made } = fakeSockets(clock, (ws, data) => {
    const m = JSON.parse(data);
    if (m.type === 'ping' && ws.sent.length <= ANSWERED) {
      clock.setTimeout(() => ws.onmessage({ data: JSON.stringify({ type: 'pong', wsguard: m.wsguard }) }), 10);
    }
  });
  const opening = connect('ws://127.0.0.1:9/ws', { WebSocket: FakeWS, clock, heartbeat: HB, reconnect: false, explain: false });
  made[0].open();
  await opening;
  await clock.advanceTo(60_000);
  const got = made[0].sent.map(([t, d]) => [t, JSON.parse(d).wsguard]);

  // The oracle: the core's Heartbeat alone, polled when it asks, pongs delivered at their times.
  const hb = new Heartbeat(0, { ...HB, role: 'client' });
  const want = [], pongs = [];
  let t = 0, dead = null;
  while (t <= 60_000) {
    const a = hb.poll(t);
    if (a.action === 'send_ping') {
      want.push([t, hex(a.payload)]);
      if (want.length <= ANSWERED) pongs.push([t + 10, a.payload]);
      continue;
    }
    if (a.action === 'peer_dead') { dead = t; break; }
    while (pongs.length && pongs[0][0] <= a.until) { const [at, p] = pongs.shift(); hb.onPong(at, p); }
    t = a.until;
  }
  assert.ok(want.length > ANSWERED, `the oracle sent ${want.length} pings`);
  assert.deepEqual(got, want);
  assert.notEqual(dead, null);
  assert.deepEqual(made[0].closed, { code: 4000, reason: 'heartbeat: peer dead', at: dead });
  assert.equal(made.length, 1, 'reconnect: false opens no second socket');
});

test('reconnect: after 1012 and a refused attempt, each attempt starts at the core decision time', async () => {
  const clock = fakeClock();
  const { FakeWS, made } = fakeSockets(clock);
  const randoms = [0x9e3779b9, 0x7f4a7c15];
  let draws = 0;
  const opts = { baseMs: 200, capMs: 5000, maxAttempts: 8, jitter: 'full' };
  const events = [];
  const opening = connect('ws://127.0.0.1:9/ws', { WebSocket: FakeWS, clock, heartbeat: false, explain: false, reconnect: opts,
    random: () => randoms[draws++], onAttempt: (e) => events.push(e) });
  made[0].open();
  const sock = await opening;
  sock.addEventListener('close', (e) => events.push(e));
  await clock.advanceTo(1000);
  made[0].end(1012, 'restarting');                        // t = 1000: the server restarts
  for (let i = 0; i < 20; i++) await Promise.resolve();
  const [, closed] = events;
  assert.equal(closed.decision.decision, 'retry_at');
  await clock.advanceTo(closed.decision.atMs);            // the timer fires exactly here
  assert.equal(made.length, 2);
  assert.equal(events.length, 2, 'nothing happens before the decided time');
  made[1].end(1006);                                      // still down: refused before open
  for (let i = 0; i < 20; i++) await Promise.resolve();
  const failed = events[2];
  assert.equal(failed.decision.decision, 'retry_at');
  await clock.advanceTo(failed.decision.atMs);
  assert.equal(made.length, 3);
  made[2].open();
  const reopened = events[3];

  assert.deepEqual(events.map((e) => [e.type, e.ok, e.startedAt]),
    [['attempt', true, 0], ['close', false, 0], ['attempt', false, closed.decision.atMs], ['attempt', true, failed.decision.atMs]]);
  assert.equal(reopened.at, failed.decision.atMs);
  // A fresh core Reconnect, same inputs and randomness: the same decisions.
  const rc = new Reconnect(opts);
  rc.onConnected(0);
  assert.deepEqual(closed.disconnect, { close: 1012 });
  assert.deepEqual(rc.onDisconnect(1000, { close: 1012 }, randoms[0]), closed.decision);
  assert.deepEqual(failed.disconnect, { close: 1006 });
  assert.deepEqual(rc.onDisconnect(closed.decision.atMs, { close: 1006 }, randoms[1]), failed.decision);
  assert.equal(failed.decision.attempt, 2);
  assert.equal(sock.state, 'open');
  sock.close();
});
