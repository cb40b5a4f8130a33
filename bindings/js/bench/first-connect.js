// BENCHMARKS.md §6: time to the first open socket, module load and WebAssembly
// instantiation included, against a local `wsguard serve` — for the npm package wsguard
// and, beside it, partysocket and reconnecting-websocket (bench/package-lock.json).
// Node: every sample is a fresh `node` process (nothing cached), timed from before the
// `import()` to `open`. Chromium: every sample a fresh tab (a new document; the HTTP cache
// may be warm), timed the same way with performance.now(). Prints median, min and max of
// N samples per row and the machine's load; a clock figure, so never part of `make test`.
//
//   node --experimental-websocket bindings/js/bench/first-connect.js [N=15]
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { serveStatic, withChromium, ROOT } from '../test/cdp.js';
import { backend } from '../test/backends.js';

const N = Number(process.argv[2] || 15);
const pages = await serveStatic('127.0.0.1');
const server = await backend('serve', { allowed: [pages.origin], extra: ['--allow-missing-origin'] });
const url = `ws://${server.addr}/ws`;
const BENCH = `${ROOT}bindings/js/bench/node_modules`;

// Each entry: how to import the client and open one socket (resolves at `open`).
const CLIENTS = {
  wsguard: { node: `${ROOT}bindings/js/index.js`, page: '/js/index.js',
    open: `(m, url) => m.connect(url, { heartbeat: false, reconnect: false })` },
  'partysocket/ws': { node: `${BENCH}/partysocket/dist/ws.js`, page: '/js/bench/node_modules/partysocket/dist/ws.js',
    open: `(m, url) => new Promise((r) => { const s = new m.default(url); s.onopen = () => r(s); })` },
  'reconnecting-websocket': { node: `${BENCH}/reconnecting-websocket/dist/reconnecting-websocket-mjs.js`,
    page: '/js/bench/node_modules/reconnecting-websocket/dist/reconnecting-websocket-mjs.js',
    open: `(m, url) => new Promise((r) => { const s = new m.default(url); s.onopen = () => r(s); })` },
};

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};
const fmt = (x) => x.toFixed(1);

function nodeSample(c) {
  const code = `const t0 = performance.now(); const m = await import(${JSON.stringify(c.node)});
    const s = await (${c.open})(m, ${JSON.stringify(url)}); console.log(performance.now() - t0); s.close(); process.exit(0);`;
  const out = execFileSync(process.execPath, ['--experimental-websocket', '--no-warnings', '--input-type=module', '-e', code], { encoding: 'utf8' });
  return Number(out.trim());
}

const rows = [];
for (const [name, c] of Object.entries(CLIENTS)) {
  const xs = Array.from({ length: N }, () => nodeSample(c));
  rows.push([`Node ${process.versions.node}`, name, stats(xs)]);
}
await withChromium(async (browser) => {
  const version = await (await browser.page()).eval('navigator.userAgent.match(/Chrome\\/([\\d.]+)/)[1]');
  for (const [name, c] of Object.entries(CLIENTS)) {
    const xs = [];
    for (let i = 0; i < N; i++) {
      const tab = await browser.page();
      await tab.goto(`${pages.origin}/js/test/blank.html`);
      await tab.eval(`new Promise((r) => document.readyState === 'complete' ? r() : addEventListener('load', r))`);
      xs.push(await tab.eval(`(async () => { const t0 = performance.now(); const m = await import(${JSON.stringify(c.page)});
        const s = await (${c.open})(m, ${JSON.stringify(url)}); const t = performance.now() - t0; s.close(); return t; })()`));
    }
    rows.push([`Chromium ${version}`, name, stats(xs)]);
  }
}, { limitMs: 600000 });
await server.stop();
await pages.close();

console.log(`# ${new Date().toISOString()} · ${cpus()[0].model} × ${cpus().length} · load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} · N = ${N}`);
console.log('| runtime | client | median ms | min ms | max ms |\n|---|---|---:|---:|---:|');
for (const [rt, name, s] of rows) console.log(`| ${rt} | ${name} | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} |`);
