// The shared vectors (tests/vectors/*.json) through the npm package, in Node and in
// Chromium alike. Every file needs an entry in RUNNERS or NOT_APPLICABLE (with the
// reason): a new vector file without one fails, as in the C and Python runners.
import * as ws from '../index.js';

const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s) => new Uint8Array((s.match(/../g) || []).map((h) => parseInt(h, 16)));
const field = (c, f) => (c[`${f}_hex`] != null ? unhex(c[`${f}_hex`]) : new TextEncoder().encode(c[f]));

function check(name, got, want) {
  const g = JSON.stringify(got ?? null), w = JSON.stringify(want ?? null);
  if (g !== w) throw new Error(`${name}: got ${g}, want ${w}`);
}
function refused(fn) {
  try {
    fn();
  } catch (e) {
    if (e instanceof ws.WsguardError) return e;
    throw e;
  }
  return null;
}

function urlCase(c) {
  const e = c.expect;
  let out;
  const err = refused(() => {
    if (c.kind === 'parse') out = ws.parseWsUrl(c.url);
    else if (c.kind === 'derive') out = ws.deriveWsUrl(c.page, c.target, { port: c.port, maxSize: c.buffer_size ?? 256 });
    else if (c.kind === 'mixed_content') ws.checkMixedContent(c.page, c.url);
    else throw new Error(`unknown kind ${c.kind}`);
  });
  check('ok', !err, e.ok);
  if (err) return check('code', err.code, e.code);
  if (c.kind === 'derive') check('url', out, e.url);
  if (c.kind === 'parse') {
    const map = { secure: 'secure', host: 'host', host_kind: 'hostKind', port: 'port', port_or_default: 'portOrDefault', path: 'path',
      query: 'query', resource_name: 'resourceName', host_header: 'hostHeader', normalized: 'href' };
    for (const [k, js] of Object.entries(map)) if (k in e) check(k, out[js], e[k]);
  }
}

function closeCase(c) {
  const e = c.expect;
  if (c.kind === 'classify') {
    const info = c.registry === 'conventions' ? ws.classifyClose(c.close_code) : ws.classifyClose(c.close_code, EMPTY);
    check('ok', true, e.ok);
    for (const [k, js] of [['name', 'name'], ['category', 'category'], ['wire_valid', 'wireValid'], ['sender', 'sender'], ['retry', 'retry']]) {
      if (k in e) check(k, info[js], e[k]);
    }
  } else if (c.kind === 'parse_payload') {
    let p;
    const err = refused(() => (p = ws.parseClosePayload(field(c, 'payload'))));
    check('ok', !err, e.ok);
    if (err) {
      check('code', err.code, e.code);
      return check('send_close', err.details.sendClose, e.send_close);
    }
    check('close_code', p.code, e.close_code);
    check('reason', p.reason, e.reason);
  } else if (c.kind === 'write_payload') {
    let out;
    const err = refused(() => (out = ws.encodeClosePayload(c.close_code, c.reason, c.buffer_size)));
    check('ok', !err, e.ok);
    if (err) return check('code', err.code, e.code);
    check('payload_hex', hex(out), e.payload_hex);
  } else throw new Error(`unknown kind ${c.kind}`);
}
const EMPTY = ws.createRegistry([], { conventions: false });

function heartbeatCase(c) {
  const cfg = c.config, e = c.expect;
  let hb;
  const err = refused(() => (hb = new ws.Heartbeat(c.start, { intervalMs: cfg.interval_ms, deadTimeoutMs: cfg.dead_timeout_ms, maxMissed: cfg.max_missed, role: cfg.role })));
  check('ok', !err, e.ok);
  if (err) return check('code', err.code, e.code);
  for (const s of c.events) {
    const w = s.expect || {}, at = `${s.event}@${s.t}`;
    if (s.event === 'poll') {
      const a = hb.poll(s.t);
      check(`${at} action`, a.action, w.action);
      if ('seq' in w) check(`${at} seq`, a.seq, w.seq);
      if ('payload_hex' in w) check(`${at} payload`, a.payload ? hex(a.payload) : null, w.payload_hex);
      if ('until' in w) check(`${at} until`, a.until, w.until);
    } else if (s.event === 'pong') {
      const rtt = hb.onPong(s.t, unhex(s.payload_hex));
      if ('rtt' in w) check(`${at} rtt`, rtt, w.rtt);
    } else if (s.event === 'ping_received') check(`${at} pong`, hb.onPingReceived(s.t), w.pong ?? true);
    else if (s.event === 'activity') hb.onActivity(s.t);
    else if (s.event === 'close') hb.onClose(s.t);
    else throw new Error(`unknown event ${s.event}`);
  }
  for (const [k, js] of [['last_rtt', 'lastRtt'], ['smoothed_rtt', 'smoothedRtt'], ['stale_pongs', 'stalePongs'], ['unsolicited_pongs', 'unsolicitedPongs'], ['dead_reason', 'deadReason']]) {
    if (k in e) check(k, hb[js], e[k]);
  }
}

function reconnectCase(c) {
  const k = c.config;
  const rc = new ws.Reconnect({ baseMs: k.base_ms, capMs: k.cap_ms, maxAttempts: k.max_attempts, jitter: k.jitter, stableAfterMs: k.stable_after_ms,
    goingAwayDelayMs: k.going_away_delay_ms, overloadDelayMs: k.overload_delay_ms, maxRetryAfterMs: k.max_retry_after_ms,
    registry: k.registry === 'empty' ? EMPTY : undefined });
  for (const s of c.steps) {
    if (s.event === 'connected') {
      rc.onConnected(s.t);
      continue;
    }
    const d = s.disconnect;
    const disconnect = 'close' in d ? { close: d.close } : 'http_status' in d ? { httpStatus: d.http_status, retryAfterS: d.retry_after_s } : { transport: d.transport };
    const got = rc.onDisconnect(s.t, disconnect, s.random ?? 0), w = s.expect, at = `disconnect@${s.t}`;
    check(`${at} decision`, got.decision, w.decision);
    check(`${at} code`, got.code, w.code);
    if ('reason' in w) check(`${at} reason`, got.stopReason, w.reason);
    for (const [f, js] of [['at_ms', 'atMs'], ['attempt', 'attempt'], ['delay_ms', 'delayMs']]) if (f in w) check(`${at} ${f}`, got[js], w[f]);
  }
}

// Fuzzing reproducers: the derive ones concern this package; the others are server
// and handshake parsers the page never runs.
function regressionCase(c) {
  if (c.kind !== 'derive') {
    if (!['handshake_server', 'handshake_client'].includes(c.kind)) throw new Error(`unknown kind ${c.kind}`);
    return 'n/a';
  }
  const err = refused(() => ws.deriveWsUrl(c.page, c.target_url, { port: c.port, maxSize: c.buffer_size }));
  check('code', err && err.code, c.expect.code);
  if (!ws.deriveWsUrl(c.page, c.target_url, { port: c.port })) throw new Error('no URL with an unbounded buffer');
}

// WPT URL data converted by scripts/vectors/convert_external.py: same format as urls.json,
// except that a WHATWG failure may expect "refused" without naming the core's code.
function externalUrlCase(c) {
  if (c.expect.ok === false && !('code' in c.expect)) {
    const err = refused(() => ws.parseWsUrl(c.url));
    return check('ok', !err, false);
  }
  return urlCase(c);
}

export const RUNNERS = {
  'urls.json': [urlCase, 50],
  'external-wpt-urls.json': [externalUrlCase, 300],
  'close_codes.json': [closeCase, 60],
  'heartbeat.json': [heartbeatCase, 10],
  'reconnect.json': [reconnectCase, 40],
  'regressions.json': [regressionCase, 7],
};

export const NOT_APPLICABLE = {
  'frames.json': 'the browser decodes frames itself; a page never sees one',
  'utf8.json': 'the browser validates text messages itself',
  'handshake_server.json': 'server-side; answered in the page only through the explain exchange',
  'handshake_client.json': 'the browser writes the upgrade request and hides the response',
  'origins.json': 'server-side policy (the explain exchange reports its verdict)',
  'cors.json': 'server-side responder',
  'lint.json': 'server-side policy linter',
  'dev_auth.json': 'server-side development auth bypass (a startup and accept-path decision; the browser never serves)',
  'overload.json': 'server-side peer limits at accept time (the 503 answer of a server that owns sockets; the npm package owns none)',
  'token_options.json': 'server-side token options (a configuration decision; the page sends the token, the server reads it)',
  'near_miss.json': 'server-side policy (near misses go to the server log, never to the page)',
  'external-httparse.json': 'server-side HTTP head parser',
  'external-websockets-extensions.json': 'server-side extension negotiation',
  'external-wsproto-frames.json': 'the browser decodes frames itself',
  'external-websockets-frames.json': 'the browser decodes frames itself',
  'external-websockets-handshake-server.json': 'server-side; answered in the page only through the explain exchange',
  'external-wsproto-handshake-server.json': 'server-side; answered in the page only through the explain exchange',
  'external-websockets-handshake-client.json': 'the browser writes the upgrade request and hides the response',
  'external-wsproto-handshake-client.json': 'the browser writes the upgrade request and hides the response',
  'external-websockets-utf8.json': 'the browser validates text messages itself',
  'external-wsproto-utf8.json': 'the browser validates text messages itself',
};

/** Runs every file: `load(name)` returns the parsed JSON. Returns [{id, ok, error}]. */
export async function runAll(files, load) {
  const results = [];
  for (const file of files) {
    if (file in NOT_APPLICABLE) continue;
    const entry = RUNNERS[file];
    if (!entry) {
      results.push({ id: `${file}`, ok: false, error: `vector file without a JS runner (add it to RUNNERS or NOT_APPLICABLE in bindings/js/test/vectors.js)` });
      continue;
    }
    const [run, min] = entry;
    const cases = (await load(file)).cases;
    const names = new Set(cases.map((c) => c.name));
    results.push({ id: `${file}::size`, ok: cases.length >= min && names.size === cases.length, error: `${cases.length} cases (min ${min}), ${names.size} distinct names` });
    for (const c of cases) {
      try {
        if (run(c) !== 'n/a') results.push({ id: `${file}::${c.name}`, ok: true });
      } catch (e) {
        results.push({ id: `${file}::${c.name}`, ok: false, error: String(e && e.stack || e) });
      }
    }
  }
  return results;
}
