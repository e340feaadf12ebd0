// examples/node-app behind `herald serve --config` (the HTTP cache gateway), in
// Debian's Chromium: an order placed in one page changes the other page's list (the
// route rule invalidates `products`, the `tag:products` frame makes the page
// refetch), and the app's own request counter shows the reads Herald answered from
// its cache: two pages loading the list twice each cost the app two reads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { launchChromium } from './browser.js';
import { startHerald, freePort } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let browser;
let herald;
let app;
let dir;

async function startApp(port) {
  const child = spawn(process.execPath, [path.join(root, 'examples/node-app/server.js'), String(port)],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { if (String(d).includes('node-app on')) resolve(); });
    child.on('exit', (code) => reject(new Error(`node-app exited (${code})`)));
  });
  return child;
}

before(async () => {
  browser = await launchChromium();
  const appPort = await freePort();
  app = await startApp(appPort);
  dir = mkdtempSync(path.join(tmpdir(), 'herald-node-app-'));
  const config = path.join(dir, 'herald.toml');
  writeFileSync(config, `upstream = "http://127.0.0.1:${appPort}"
[[route]]
match = "/api/orders"
methods = ["POST"]
invalidate = ["products"]
`);
  herald = await startHerald(['--config', config]);
});

after(async () => {
  await browser?.close();
  await herald?.stop();
  app?.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openPage(base) {
  const page = await browser.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 10000 });
  return page;
}

test('an order in one page reaches the other; reads are served by the cache', { timeout: 60000 }, async () => {
  const { base } = herald;
  const pageA = await openPage(base);
  const pageB = await openPage(base);
  const text = (page) => page.textContent('[data-testid="product-1"]');
  assert.match(await text(pageA), /Desk lamp: 12 in stock/);
  assert.match(await text(pageB), /Desk lamp: 12 in stock/);

  await pageA.click('[data-testid="order-1"]');
  for (const page of [pageA, pageB]) {
    await page.waitForFunction(
      () => document.querySelector('[data-testid="product-1"]')?.textContent.startsWith('Desk lamp: 11'),
      null, { timeout: 5000, polling: 'raf' });
  }
  const stats = await (await fetch(`${base}/stats`)).json();
  // Four list loads (two pages, before and after the order); the app saw two: the
  // first one, and one after the invalidation (the other page's was a hit or joined it).
  assert.equal(stats.writes, 1);
  assert.equal(stats.reads, 2, JSON.stringify(stats));
  assert.deepEqual([...pageA.errors, ...pageB.errors], []);
  const status = (await fetch(`${base}/api/products`)).headers.get('cache-status');
  assert.match(status, /^herald; hit/);
});
