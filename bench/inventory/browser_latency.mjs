// bench/inventory/browser_latency.mjs: the end-to-end time from a write's HTTP answer
// to another browser's update. A dashboard page in Debian's Chromium (playwright-core
// from tests/e2e) records, with a MutationObserver, the wall-clock time at which a
// product's quantity cell changes; this script sends stock adjustments through the
// HTTP API and records when each answer arrived. Same machine, same clock: the
// difference is publish + fan-out + the browser's handling and render. Prints p50,
// p90, p99 and max over N writes as one JSON line.
//
// Usage: node bench/inventory/browser_latency.mjs BASE_URL [N=200] [--two BASE_URL_2]
//   BASE_URL_2: write through this process instead (a second `herald demo --redis`).
import { chromium } from '../../tests/e2e/node_modules/playwright-core/index.mjs';

const base = process.argv[2];
const n = Number(process.argv[3] ?? 200);
const twoAt = process.argv.indexOf('--two');
const writeBase = twoAt > 0 ? process.argv[twoAt + 1] : base;
if (!base) {
  console.error('usage: browser_latency.mjs BASE_URL [N] [--two WRITE_BASE_URL]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const page = await browser.newPage();
await page.goto(`${base}/`);
await page.waitForSelector('[data-testid="connection-status"][data-state="connected"]');
const products = await (await fetch(`${base}/api/products?per_page=25`)).json();
const id = products.items[0].id;
await page.waitForSelector(`[data-testid="qty-${id}"]`);
await page.evaluate((pid) => {
  // The row may be re-rendered: watch the whole document, read the cell afresh.
  window.__changes = [];
  let last = document.querySelector(`[data-testid="qty-${pid}"]`)?.textContent;
  new MutationObserver(() => {
    const text = document.querySelector(`[data-testid="qty-${pid}"]`)?.textContent;
    if (text === undefined || text === last) return;
    last = text;
    window.__changes.push({ at: performance.timeOrigin + performance.now(), text });
  }).observe(document.body, { childList: true, characterData: true, subtree: true });
}, id);

const answered = [];
for (let i = 0; i < n; i++) {
  const delta = i % 2 === 0 ? 1 : -1;
  const r = await fetch(`${writeBase}/api/inventory/${id}/adjust`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ delta, reason: 'latency bench' }),
  });
  const at = Date.now();
  const body = await r.json();
  answered.push({ at, text: String(body.new) });
  await page.waitForFunction((want) => window.__changes.some((c) => c.text === want && !c.used),
    String(body.new), { timeout: 5000, polling: 'raf' });
  await page.evaluate((want) => { const c = window.__changes.find((x) => x.text === want && !x.used); c.used = true; }, String(body.new));
}
const changes = await page.evaluate(() => window.__changes.filter((c) => c.used));
const lat = answered.map((a, i) => changes[i].at - a.at).sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(1);
console.log(JSON.stringify({ writes: n, write_base: writeBase, page_base: base,
  ms: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: lat[lat.length - 1].toFixed(1), min: lat[0].toFixed(1) } }));
await browser.close();
