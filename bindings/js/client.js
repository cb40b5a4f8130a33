// connect(): a WebSocket that reconnects on the core's policy, keeps the core's heartbeat
// schedule, and after a refused upgrade asks the server why (docs/EXPLAIN.md) instead of
// reporting 1006. Decisions come from the core (index.js); this file only drives timers.
import { WsguardError, Heartbeat, Reconnect, classifyClose, deriveWsUrl, parseWsUrl, ABNORMAL_CLOSURE as ABNORMAL } from './index.js';

/** The real clock; `options.clock` replaces it (tests, or a shared app clock). */
const SYSTEM_CLOCK = {
  now: () => (typeof performance === 'object' ? performance.now() : Date.now()),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};
const random32 = () => (globalThis.crypto ? crypto.getRandomValues(new Uint32Array(1))[0] : (Math.random() * 2 ** 32) >>> 0);
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s) => new Uint8Array((s.match(/../g) || []).map((h) => parseInt(h, 16)));

/** The explain request for a socket URL (no token value is ever sent). */
export function explainUrl(url, { protocols = [], token = null, origin = null } = {}) {
  const u = new URL(url.replace(/^ws/, 'http'));
  for (const k of [...u.searchParams.keys()]) if (token && token.placement === 'query' && k === (token.name || 'token')) u.searchParams.delete(k);
  u.searchParams.set('wsguard-explain', '1');
  if (protocols.length) u.searchParams.set('protocols', protocols.join(','));
  u.searchParams.set('token', token ? `${token.placement}:${token.name || (token.placement === 'query' ? 'token' : 'bearer')}` : 'none');
  if (origin) u.searchParams.set('origin', origin);
  return u.href;
}

/**
 * Asks the server what its verdict on this upgrade would be. Resolves to
 * `{explained: true, code, status, reason, remedy}` from a wsguard guard, or
 * `{explained: false, transport?, status?}` with what could be established.
 */
export async function explain(url, options = {}) {
  const origin = options.origin ?? (typeof location === 'object' && location ? location.origin : null);
  let res;
  try {
    res = await fetch(explainUrl(url, { ...options, origin }), { mode: 'cors', credentials: 'omit', cache: 'no-store' });
  } catch {
    return { explained: false, transport: 'refused' };
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON: not a wsguard guard */
  }
  if (body && body.wsguard === 1 && typeof body.code === 'string') {
    return { explained: true, ok: !!body.ok, code: body.code, status: body.status ?? null, reason: body.reason, remedy: body.remedy,
      retryAfterS: body.retry_after_s ?? null };
  }
  return { explained: false, status: res.status };
}

function tokenise(url, protocols, token) {
  if (!token || token.value == null) return { url, protocols };
  if (token.placement === 'query') {
    const u = new URL(url);
    u.searchParams.set(token.name || 'token', token.value);
    return { url: u.href, protocols };
  }
  if (token.placement === 'subprotocol_pair') return { url, protocols: [token.name || 'bearer', token.value, ...protocols] };
  if (token.placement === 'subprotocol_prefix') return { url, protocols: [`${token.name}${token.value}`, ...protocols] };
  throw new WsguardError({ code: 'token_placement_unknown', reason: `unknown token placement ${token.placement}`,
    remedy: 'use query, subprotocol_pair or subprotocol_prefix (browsers cannot set Authorization)' });
}

const PUBLIC_ONLY = 'the server explains in public mode (code and reason only); its operator can set WSGUARD_EXPLAIN=full (development, staging) to include the remedy';
const NOT_EXPLAINED = 'the server did not explain the refusal (it is not a wsguard guard, or its explain endpoint is off)';

/** The error for a failed attempt, from the explain answer or what the client saw. */
async function diagnose(url, opts, closeCode) {
  // Only a token that was sent is described: without a value the server saw none.
  const token = opts.token && opts.token.value != null ? opts.token : null;
  const ans = opts.explain === false ? { explained: false } : await explain(url, { ...opts, token });
  if (ans.explained && !ans.ok) {
    return { error: new WsguardError({ code: ans.code, status: ans.status, reason: ans.reason, remedy: ans.remedy ?? PUBLIC_ONLY, explained: true }),
      disconnect: { httpStatus: ans.status, retryAfterS: ans.retryAfterS } };
  }
  if (ans.transport) {
    const d = { transport: ans.transport };
    return { disconnect: d, error: null };
  }
  const info = classifyClose(closeCode);
  if (ans.explained) {
    // The server would accept this upgrade: the token value, the application or a proxy refused it.
    return { disconnect: { close: closeCode }, error: new WsguardError({ code: ans.code, status: closeCode, reason: ans.reason,
      remedy: ans.remedy ?? info.remedy, explained: true }) };
  }
  return { disconnect: { close: closeCode }, error: new WsguardError({ code: info.name || `close_${closeCode}`, status: closeCode,
    reason: `${info.description}; ${NOT_EXPLAINED}`, remedy: info.remedy, details: { httpStatus: ans.status ?? null } }) };
}

/** A WebSocket-like connection with reconnect, heartbeat and a bounded send queue. */
export class WsguardSocket extends EventTarget {
  constructor(url, opts) {
    super();
    this.url = url;
    this.opts = opts;
    this.state = 'connecting';
    this.queue = [];
    this.ws = null;
    this.policy = new Reconnect(opts.reconnect || {});
    this.timer = null;
    this.clock = opts.clock || SYSTEM_CLOCK;
  }
  get readyState() { return this.ws ? this.ws.readyState : 0; }
  get protocol() { return this.ws ? this.ws.protocol : ''; }
  setState(state, detail = {}) {
    this.state = state;
    this.dispatchEvent(Object.assign(new Event('state'), { state, ...detail }));
  }
  /** Sends now, or queues while reconnecting (at most `queueLimit` messages; beyond: `send_queue_full`). */
  send(data) {
    if (this.ws && this.ws.readyState === 1) return this.ws.send(data);
    if (this.state === 'closed') throw new WsguardError({ code: 'socket_closed', reason: 'the connection is closed', remedy: 'call connect() again' });
    if (this.queue.length >= (this.opts.queueLimit ?? 64)) {
      throw new WsguardError({ code: 'send_queue_full', reason: 'the send queue is full while reconnecting', remedy: 'wait for the open state, or raise queueLimit' });
    }
    this.queue.push(data);
  }
  /** Closes and stops reconnecting. */
  close(code = 1000, reason = '') {
    this.clock.clearTimeout(this.timer);
    this.setState('closed');
    if (this.ws) this.ws.close(code, reason);
  }
  /** New credentials after 401/4401/1008: forget failures and reconnect. */
  reauthenticate(token) {
    if (token !== undefined) this.opts.token = { ...this.opts.token, value: token };
    this.policy.reset();
    this.clock.clearTimeout(this.timer);
    return this.open();
  }
  open() {
    this.setState('connecting');
    return new Promise((resolve, reject) => {
      const { url, protocols } = tokenise(this.url, this.opts.protocols || [], this.opts.token);
      const WS = this.opts.WebSocket || globalThis.WebSocket;
      const ws = new WS(url, protocols);
      this.ws = ws;
      let opened = false;
      const attempt = this.policy.attempts + 1;
      const startedAt = this.clock.now();
      ws.onopen = () => {
        opened = true;
        const at = this.clock.now();
        this.policy.onConnected(at);
        this.startHeartbeat();
        this.setState('open');
        this.dispatchEvent(Object.assign(new Event('attempt'), { attempt, url: this.url, ok: true, startedAt, at }));
        while (this.queue.length && ws.readyState === 1) ws.send(this.queue.shift());
        resolve(this);
      };
      ws.onmessage = (ev) => this.onMessage(ev);
      let ended = false;
      // A failed handshake is "error, then close 1006" (WHATWG); Node 20's WebSocket fires
      // only the error: end the attempt with the 1006 the close would have carried.
      ws.onerror = () => {
        if (!opened) this.clock.setTimeout(() => ws.onclose({ code: ABNORMAL, reason: '' }), 0);
      };
      ws.onclose = async (ev) => {
        if (ended) return;
        ended = true;
        this.stopHeartbeat();
        if (this.state === 'closed') return;
        let disconnect = { close: this.deadPeer ? ABNORMAL : ev.code }, error = null;
        if (this.deadPeer) disconnect = { transport: 'reset' };
        if (!opened) ({ disconnect, error } = await diagnose(this.url, this.opts, ev.code));
        const at = this.clock.now(), random = (this.opts.random || random32)();
        const decision = this.policy.onDisconnect(at, disconnect, random);
        if (!error) {
          const info = disconnect.close != null ? classifyClose(disconnect.close) : null;
          error = new WsguardError({ code: info ? info.name || `close_${disconnect.close}` : decision.code, status: disconnect.close ?? null,
            reason: info ? info.description : decision.reason, remedy: info ? info.remedy : decision.remedy });
        }
        error.retry = decision;
        // Every input of the decision is in the event: a test (or a log) can replay the core.
        this.dispatchEvent(Object.assign(new Event(opened ? 'close' : 'attempt'),
          { attempt, url: this.url, ok: false, code: ev.code, error, decision, disconnect, random, startedAt, at }));
        if (typeof console === 'object' && !opened) console.warn(`wsguard: ${this.url}: ${error.code}: ${error.reason} — ${error.remedy}`);
        if (decision.decision === 'retry_at' && this.opts.reconnect !== false) {
          this.setState('reconnecting', { error, decision });
          this.timer = this.clock.setTimeout(() => this.open().then(resolve, reject), decision.delayMs);
        } else {
          this.setState(decision.decision === 'wait_for_reauth' ? 'waiting_for_auth' : 'closed', { error, decision });
          // The socket stays usable: `error.socket.reauthenticate(token)` tries again.
          error.socket = this;
          reject(error);
        }
      };
    });
  }
  startHeartbeat() {
    const hb = this.opts.heartbeat;
    if (hb === false) return;
    this.deadPeer = false;
    const clock = this.clock;
    this.hb = new Heartbeat(clock.now(), { ...(hb || {}), role: 'client' });
    const tick = () => {
      const a = this.hb.poll(clock.now());
      if (a.action === 'send_ping') {
        this.ws.send(JSON.stringify({ type: 'ping', wsguard: hex(a.payload) }));
        this.hbTimer = clock.setTimeout(tick, 0);
      } else if (a.action === 'wait') {
        this.hbTimer = clock.setTimeout(tick, Math.max(0, a.until - clock.now()));
      } else {
        this.deadPeer = true;
        this.ws.close(4000, 'heartbeat: peer dead');
      }
    };
    tick();
  }
  stopHeartbeat() {
    this.clock.clearTimeout(this.hbTimer);
    this.hb = null;
  }
  onMessage(ev) {
    if (this.hb && typeof ev.data === 'string' && ev.data.startsWith('{"type":"p')) {
      try {
        const m = JSON.parse(ev.data);
        if ((m.type === 'pong' || m.type === 'ping') && typeof m.wsguard === 'string') {
          this.hb.onPong(this.clock.now(), unhex(m.wsguard));
          return;
        }
      } catch { /* an application message */ }
    }
    if (this.hb) this.hb.onActivity(this.clock.now());
    this.dispatchEvent(Object.assign(new Event('message'), { data: ev.data }));
  }
}

/**
 * Opens `url` (a path or ws/wss URL, resolved against the page like `new WebSocket`;
 * mixed content refused before connecting). Resolves with an open `WsguardSocket`, or
 * rejects with a `WsguardError` once the core's policy says not to retry.
 */
export function connect(url, options = {}) {
  const page = options.page ?? (typeof location === 'object' && location ? location.href : undefined);
  let target;
  try {
    target = page ? deriveWsUrl(page, url) : parseWsUrl(url).href;
  } catch (e) {
    return Promise.reject(e);
  }
  const sock = new WsguardSocket(target, { ...options });
  if (options.onState) sock.addEventListener('state', options.onState);
  if (options.onAttempt) sock.addEventListener('attempt', options.onAttempt);
  return sock.open();
}
