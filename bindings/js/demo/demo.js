// `make demo`'s browser step: `wsguard serve` allowing one loopback origin, the demo page
// served from that origin and from a refused one, headless Chromium opening both. Prints
// what each page shows (the refused one: the server's code, reason and remedy instead of
// 1006) and exits. `--keep` keeps the servers running and prints the two URLs to open in
// your own browser (Ctrl-C stops).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { serveStatic, withChromium, until, ROOT } from '../test/cdp.js';

const keep = process.argv.includes('--keep');
const allowed = await serveStatic('127.0.0.1');
const refused = await serveStatic('127.0.0.1');
const refusedOrigin = refused.origin.replace('127.0.0.1', 'localhost');
const server = spawn(join(ROOT, 'target/debug/wsguard'), ['serve', '--listen', '127.0.0.1:0', '--allow', allowed.origin],
  { env: { ...process.env, WSGUARD_EXPLAIN: 'full' }, stdio: ['ignore', 'pipe', 'inherit'] });
const addr = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => { out += d; const m = out.match(/listening on http:\/\/(127\.0\.0\.1:\d+)/); if (m) resolve(m[1]); });
  server.on('exit', (c) => reject(new Error(`wsguard serve exited (${c})`)));
});
const page = (origin) => `${origin}/js/demo/index.html?ws=${encodeURIComponent(`ws://${addr}/ws`)}`;
console.log(`wsguard serve on ${addr} allows ${allowed.origin} (WSGUARD_EXPLAIN=full)`);
const stop = async () => { server.kill('SIGINT'); await allowed.close(); await refused.close(); };

if (keep) {
  console.log(`open in your browser:\n  allowed page: ${page(allowed.origin)}\n  refused page: ${page(refusedOrigin)}\n(Ctrl-C stops)`);
  process.on('SIGINT', () => stop().then(() => process.exit(0)));
} else {
  try {
    await withChromium(async (browser) => {
      for (const [name, origin] of [['allowed page', allowed.origin], ['refused page', refusedOrigin]]) {
        const tab = await browser.page();
        await tab.goto(page(origin));
        await tab.eval(until(`document.body && document.body.dataset.done`));
        const text = await tab.eval(`document.getElementById('out').innerText`);
        console.log(`\n${name} (${origin}) shows:\n  ${text.trim().replace(/\n+/g, '\n  ')}`);
        for (const line of tab.console) console.log(`  console: ${line}`);
      }
    }, { limitMs: 60000 });
    console.log(`\nOpen it in your own browser: make demo-browser`);
  } finally {
    await stop();
  }
}
