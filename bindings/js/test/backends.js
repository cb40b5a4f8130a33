// The three wsguard guards the browser tests run against, each on a free 127.0.0.1 port:
// `wsguard serve` (target/debug/wsguard), FastAPI + WebSocketGuard under uvicorn
// (test/servers/uvicorn_app.py) and Django Channels + wsguard.channels under daphne
// (bindings/python/tests/explainproj). The Python ones use the project's .venv, where
// run-tests.sh installed the freshly built wsguard wheel.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './cdp.js';

const PY = join(ROOT, '.venv/bin/python');
const START_MS = 30000;

/** Spawns `cmd` and resolves once a line matches `ready` (its first group: the port). */
function start(name, cmd, args, { env = {}, cwd, ready }) {
  const merged = { ...process.env, ...env };
  for (const [k, v] of Object.entries(merged)) if (v == null) delete merged[k]; // null: unset
  const proc = spawn(cmd, args, { cwd, env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`${name} did not start in ${START_MS} ms: ${out.slice(-800)}`)); }, START_MS);
    const on = (d) => {
      out += d;
      const m = out.match(ready);
      if (m) { clearTimeout(timer); proc.stdout.off('data', on); proc.stderr.off('data', on); resolve({ proc, port: Number(m[1]), log: () => out }); }
    };
    proc.stdout.on('data', on);
    proc.stderr.on('data', on);
    proc.on('exit', (c) => { clearTimeout(timer); reject(new Error(`${name} exited (${c}) before it listened: ${out.slice(-800)}`)); });
  });
}

function stop(proc, signal = 'SIGKILL') {
  return new Promise((r) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return r();
    proc.on('exit', r);
    proc.kill(signal);
  });
}

const KINDS = {
  serve: ({ allowed, token, port, extra }) => ['wsguard serve', join(ROOT, 'target/debug/wsguard'),
    ['serve', '--listen', `127.0.0.1:${port}`, '--quiet', ...allowed.flatMap((a) => ['--allow', a]), ...(token ? ['--token', token] : []), ...extra],
    { ready: /listening on http:\/\/127\.0\.0\.1:(\d+)/ }],
  uvicorn: ({ allowed, token, port }) => ['uvicorn', PY, [join(ROOT, 'bindings/js/test/servers/uvicorn_app.py'), String(port)],
    { env: { WSGUARD_TEST_ALLOWED: allowed.join(','), WSGUARD_TEST_TOKEN: token ? '1' : '0' }, ready: /listening on http:\/\/127\.0\.0\.1:(\d+)/ }],
  daphne: ({ allowed, port }) => ['daphne', PY, ['-m', 'daphne', '-v', '2', '-e', `tcp:port=${port}:interface=127.0.0.1`, 'explainproj.asgi:application'],
    { cwd: join(ROOT, 'bindings/python/tests'), env: { WSGUARD_TEST_ALLOWED: allowed.join(','), DJANGO_SETTINGS_MODULE: 'explainproj.settings' },
      ready: /Listening on TCP address 127\.0\.0\.1:(\d+)/ }],
};

/**
 * Starts a guard of `kind` ('serve' | 'uvicorn' | 'daphne') allowing `allowed` origins,
 * explaining in `mode` (null: unset, the guard's default); `token` (serve: the value; uvicorn: required in `?token=`);
 * `extra`: more `wsguard serve` arguments.
 * Returns `{ kind, addr, stop(), restart({ before }) }`: restart stops the process
 * gracefully (so it closes its sockets as on a real restart), runs `before` and starts it
 * again on the same port.
 */
export async function backend(kind, { allowed = [], mode = 'full', token = null, extra = [] }) {
  const run = (port) => {
    const [name, cmd, args, opts] = KINDS[kind]({ allowed, token, port, extra });
    // Every guard reads WSGUARD_EXPLAIN; mode null leaves it unset (each guard's default).
    return start(name, cmd, args, { ...opts, env: { ...opts.env, WSGUARD_EXPLAIN: mode } });
  };
  let cur = await run(0);
  const b = {
    kind,
    port: cur.port,
    addr: `127.0.0.1:${cur.port}`,
    log: () => cur.log(),
    stop: () => stop(cur.proc),
    async restart({ before = async () => {} } = {}) {
      // uvicorn and daphne shut down gracefully on SIGTERM; `wsguard serve` on SIGINT only.
      await stop(cur.proc, kind === 'serve' ? 'SIGINT' : 'SIGTERM');
      await before();
      cur = await run(b.port);
    },
  };
  return b;
}
