// A small DevTools-protocol driver for the system Chromium (/usr/bin/chromium; never a
// downloaded browser), plus a static file server for the test pages. Node >= 20 with
// --experimental-websocket (Node 22+: built in).
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--remote-debugging-port=0'];
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };

/** Serves bindings/js at /js/ and tests/vectors at /vectors/ (a listing at /vectors/) on 127.0.0.1. */
export async function serveStatic(host = '127.0.0.1') {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = null;
    if (path === '/vectors/') {
      const names = (await readdir(join(ROOT, 'tests/vectors'))).filter((f) => f.endsWith('.json')).sort();
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(names));
    }
    if (path.startsWith('/vectors/')) file = join(ROOT, 'tests/vectors', normalize(path.slice(9)));
    else if (path.startsWith('/js/')) file = join(ROOT, 'bindings/js', normalize(path.slice(4)));
    try {
      if (!file || file.includes('..')) throw new Error('not found');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => server.listen(0, host, r));
  return { server, origin: `http://${host}:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Starts Chromium, runs `fn(browser)`, always stops it. `browser.page()` opens a tab. */
export async function withChromium(fn, { limitMs = 120000 } = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'wsguard-chromium-'));
  const proc = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const guard = setTimeout(() => proc.kill('SIGKILL'), limitMs);
  try {
    const endpoint = await new Promise((resolve, reject) => {
      let buf = '';
      proc.stderr.on('data', (d) => {
        buf += d;
        const m = buf.match(/DevTools listening on (ws:\/\/\S+)/);
        if (m) resolve(m[1]);
      });
      proc.on('exit', (code) => reject(new Error(`chromium exited (${code}) before DevTools was up: ${buf.slice(-500)}`)));
    });
    const sock = new WebSocket(endpoint);
    await new Promise((r, j) => { sock.onopen = r; sock.onerror = () => j(new Error('DevTools connection failed')); });
    let id = 0;
    const pending = new Map(), listeners = [];
    sock.onmessage = (ev) => {
      const m = JSON.parse(ev.data);
      if (m.id && pending.has(m.id)) {
        const { resolve, reject } = pending.get(m.id);
        pending.delete(m.id);
        m.error ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result);
      } else for (const l of listeners) l(m);
    };
    const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
      pending.set(++id, { resolve, reject });
      sock.send(JSON.stringify({ id, method, params, sessionId }));
    });
    const browser = {
      async page() {
        const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
        const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
        const console = [];
        listeners.push((m) => {
          if (m.sessionId !== sessionId) return;
          if (m.method === 'Runtime.consoleAPICalled') console.push(m.params.args.map((a) => a.value ?? a.description).join(' '));
          if (m.method === 'Runtime.exceptionThrown') console.push(`exception: ${m.params.exceptionDetails.exception?.description || m.params.exceptionDetails.text}`);
        });
        await send('Runtime.enable', {}, sessionId);
        await send('Page.enable', {}, sessionId);
        return {
          console,
          goto: (url) => send('Page.navigate', { url }, sessionId),
          /** Evaluates `expr` (awaiting a promise) and returns its JSON value. */
          async eval(expr) {
            const r = await send('Runtime.evaluate', { expression: expr, awaitPromise: true, returnByValue: true }, sessionId);
            if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description || r.exceptionDetails.text);
            return r.result.value;
          },
        };
      },
    };
    try {
      return await fn(browser);
    } finally {
      sock.close();
    }
  } finally {
    clearTimeout(guard);
    proc.kill('SIGKILL');
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
    // Chromium's helper processes can outlive the killed browser for a moment and still write
    // into the profile: rm retries ENOTEMPTY/EBUSY instead of failing the run.
    await rm(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  }
}

/** Waits (in the page) until `expr` is truthy, then returns its value. */
export const until = (expr) => `new Promise((r) => { const t = () => { const v = (${expr}); v ? r(v) : setTimeout(t, 20); }; t(); })`;
