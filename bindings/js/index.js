// wsguard — the core's rules in the page. Every answer below comes from the Rust core
// compiled to WebAssembly (pkg/); this file only converts values and errors.
import init, * as core from './pkg/wsguard_js.js';

const wasmUrl = new URL('./pkg/wsguard_js_bg.wasm', import.meta.url);
if (typeof process === 'object' && process.versions && process.versions.node) {
  const { readFile } = await import('node:fs/promises');
  await init({ module_or_path: await readFile(wasmUrl) });
} else {
  await init({ module_or_path: wasmUrl });
}

/** A refusal with the core's stable code, the HTTP or close status, reason, remedy and retry advice. */
export class WsguardError extends Error {
  constructor({ code, status = null, reason, remedy, retry = null, explained = false, details = {} }) {
    super(`${code}: ${reason} — ${remedy}`);
    this.name = 'WsguardError';
    this.code = code;
    this.status = status;
    this.reason = reason;
    this.remedy = remedy;
    this.retry = retry;
    this.explained = explained;
    this.details = details;
  }
}

function plain(obj, fields) {
  const out = {};
  for (const f of fields) {
    const v = obj[f];
    out[f] = v instanceof Uint8Array ? v : v === undefined ? null : v;
  }
  obj.free();
  return out;
}

function fault(e) {
  if (e instanceof core.CloseFault) {
    const f = e.fault;
    const err = new WsguardError({ code: f.code, reason: f.reason, remedy: f.remedy, details: { sendClose: e.sendClose } });
    f.free();
    e.free();
    return err;
  }
  if (e instanceof core.Fault) {
    const err = new WsguardError({ code: e.code, reason: e.reason, remedy: e.remedy });
    e.free();
    return err;
  }
  return e;
}

function call(fn) {
  try {
    return fn();
  } catch (e) {
    throw fault(e);
  }
}

const pageHref = () => (typeof location === 'object' && location && location.href) || undefined;

/**
 * The WebSocket URL a page opens for `target` (path, relative reference, or absolute base
 * such as `import.meta.env.VITE_WS_BASE`): https → wss, same host/port unless `port`.
 */
export function deriveWsUrl(pageUrl, target = '/', { port, maxSize } = {}) {
  return call(() => core.deriveWsUrl(pageUrl, target, port ?? undefined, maxSize ?? undefined));
}

/** `deriveWsUrl` from the current page (`location.href`). */
export function wsUrl(target = '/', { page = pageHref(), port } = {}) {
  if (!page) return parseWsUrl(target).href;
  return deriveWsUrl(page, target, { port });
}

/** Throws `url_mixed_content` when an https page would open a ws:// socket. */
export function checkMixedContent(pageUrl, url) {
  call(() => core.checkMixedContent(pageUrl, url));
}

const URL_FIELDS = ['secure', 'host', 'hostKind', 'port', 'portOrDefault', 'path', 'query', 'resourceName', 'hostHeader', 'href'];
/** Parses and validates a ws/wss URL. */
export function parseWsUrl(url) {
  return plain(call(() => core.parseWsUrl(url)), URL_FIELDS);
}

/** An application close-code registry (checked by the core); build it once. */
export function createRegistry(entries = [], { conventions = true } = {}) {
  const r = conventions ? core.Registry.conventions() : core.Registry.empty();
  for (const e of entries) {
    call(() => r.add(e.code, e.name, e.description, e.remedy, e.retry));
  }
  return r;
}

const CLOSE_FIELDS = ['code', 'name', 'category', 'wireValid', 'sender', 'description', 'remedy', 'retry', 'causes', 'appDefined'];
/** Everything the core knows about a close code (with `registry`, default the conventions). */
export function classifyClose(code, registry) {
  return plain(registry ? registry.classify(code) : core.classifyClose(code), CLOSE_FIELDS);
}

/** Parses a Close frame body: `{code, reason}`; refusals carry `details.sendClose`. */
export function parseClosePayload(bytes) {
  return plain(call(() => core.parseClosePayload(bytes)), ['code', 'reason']);
}

/** A Close frame body for `code` and `reason`, at most `maxSize` bytes. */
export function encodeClosePayload(code, reason, maxSize = 125) {
  return call(() => core.encodeClosePayload(code, reason, maxSize));
}

const HB_FIELDS = ['action', 'seq', 'payload', 'until'];
/** The core's heartbeat schedule, driven by your monotonic clock (ms). */
export class Heartbeat {
  constructor(now = 0, { intervalMs, deadTimeoutMs, maxMissed, role } = {}) {
    this.inner = call(() => new core.Heartbeat(now, intervalMs ?? undefined, deadTimeoutMs ?? undefined, maxMissed ?? undefined, role ?? undefined));
  }
  poll(now) { return plain(this.inner.poll(now), HB_FIELDS); }
  onPong(now, payload) { return this.inner.onPong(now, payload) ?? null; }
  onPingReceived(now) { return this.inner.onPingReceived(now); }
  onActivity(now) { this.inner.onActivity(now); }
  onClose(now) { this.inner.onClose(now); }
  get deadReason() { return this.inner.deadReason ?? null; }
  get lastRtt() { return this.inner.lastRtt ?? null; }
  get smoothedRtt() { return this.inner.smoothedRtt ?? null; }
  get stalePongs() { return this.inner.stalePongs; }
  get unsolicitedPongs() { return this.inner.unsolicitedPongs; }
}

/** The close code browsers report for every failed or dropped connection (1006), from the core. */
export const ABNORMAL_CLOSURE = core.abnormalClosure();

const CONVENTIONS = core.Registry.conventions();
const TRANSPORT = ['refused', 'dns', 'tls', 'timeout', 'reset'];
const DECISION_FIELDS = ['decision', 'stopReason', 'atMs', 'attempt', 'delayMs', 'code', 'reason', 'remedy'];
/** The core's reconnect policy; `random` is a u32 per decision (jitter). */
export class Reconnect {
  constructor({ baseMs, capMs, maxAttempts, jitter, stableAfterMs, goingAwayDelayMs, overloadDelayMs, maxRetryAfterMs, registry } = {}) {
    this.inner = call(() => new core.Reconnect(baseMs ?? undefined, capMs ?? undefined, maxAttempts ?? undefined, jitter ?? undefined,
      stableAfterMs ?? undefined, goingAwayDelayMs ?? undefined, overloadDelayMs ?? undefined, maxRetryAfterMs ?? undefined,
      registry ?? CONVENTIONS));
  }
  onConnected(now) { this.inner.onConnected(now); }
  /** `disconnect`: `{close}` | `{httpStatus, retryAfterS}` | `{transport: 'refused'|'dns'|'tls'|'timeout'|'reset'}`. */
  onDisconnect(now, disconnect, random = 0) {
    let kind, value;
    if (disconnect.close != null) [kind, value] = ['close', disconnect.close];
    else if (disconnect.httpStatus != null) [kind, value] = ['http', disconnect.httpStatus];
    else [kind, value] = ['transport', TRANSPORT.indexOf(disconnect.transport)];
    if (value < 0) value = 0xffff;
    return plain(call(() => this.inner.onDisconnect(now, kind, value, disconnect.retryAfterS ?? undefined, random >>> 0)), DECISION_FIELDS);
  }
  reset() { this.inner.reset(); }
  get attempts() { return this.inner.attempts; }
}

export { connect, explain } from './client.js';
