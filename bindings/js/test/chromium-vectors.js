// The shared vectors in headless Chromium: the same runner (vectors.js) as in Node.
import { serveStatic, withChromium, until } from './cdp.js';

const site = await serveStatic();
let failed = 0, passed = 0;
try {
  await withChromium(async (browser) => {
    const page = await browser.page();
    await page.goto(`${site.origin}/js/test/vectors.html`);
    const results = await page.eval(until('window.__results'));
    for (const r of results) {
      if (r.ok) passed++;
      else {
        failed++;
        console.log(`FAIL chromium ${r.id}: ${r.error}`);
      }
    }
  });
} finally {
  await site.close();
}
console.log(`chromium-vectors: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
