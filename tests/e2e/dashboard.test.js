// The inventory dashboard (`herald demo`) in Debian's Chromium, driven by
// playwright-core: two pages stay in step live (an order placed in one changes the
// stock shown by the other within 500 ms), and a server crash + restart turns the
// connection badge to disconnected and back, after which the page shows the writes
// made while it was away. Screenshots go to tests/e2e/artifacts/.
//
// Needs a herald binary with the `demo` command; without one this test FAILS (it is
// the feature under test), it does not skip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { launchChromium, openDashboard, api, timeOrderAcross } from './browser.js';
import { startDemo } from './harness.js';

const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
const db = path.join(tmpdir(), `herald-demo-e2e-${process.pid}-${Date.now()}.db`);
const LIVE_BUDGET_MS = 500;

let browser;
let server;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
});

const qtyText = (page, id) => page.textContent(`[data-testid="qty-${id}"]`);

/** Resolves when the page shows `expected` for product `id`; rejects after `timeout`. */
function waitForQty(page, id, expected, timeout) {
  return page.waitForFunction(
    ([pid, want]) => document.querySelector(`[data-testid="qty-${pid}"]`)?.textContent === String(want),
    [id, expected], { timeout, polling: 'raf' });
}

/** Products of the first page with at least `min` in stock. */
async function stocked(base, min) {
  const { body } = await api(base, 'GET', '/api/products?per_page=25');
  return body.items.filter((p) => p.quantity >= min);
}

test('two pages stay live; a restart is survived and nothing is missed', { timeout: 120000 }, async (t) => {
  server = await startDemo({ db });
  const { base, port } = server;
  const pageA = await openDashboard(browser, base);
  const pageB = await openDashboard(browser, base);
  await pageA.screenshot({ path: path.join(artifacts, 'dashboard-initial.png'), fullPage: true });

  // -- an order in A reaches B within the budget ------------------------------------
  const [target] = await stocked(base, 5);
  assert.ok(target, 'the seed has stocked products on page 1');
  const before = Number(await qtyText(pageB, target.id));
  assert.equal(before, target.quantity);
  const elapsed = await timeOrderAcross(pageA, pageB, target.id, before - 1);
  t.diagnostic(`page B showed page A's order after ${elapsed} ms`);
  assert.ok(elapsed <= LIVE_BUDGET_MS, `page B showed the order after ${elapsed} ms (budget ${LIVE_BUDGET_MS} ms)`);
  await waitForQty(pageA, target.id, before - 1, 2000);
  await pageB.waitForSelector('[data-testid="event-feed"] li');
  const feedText = await pageB.textContent('[data-testid="event-feed"]');
  assert.match(feedText, new RegExp(`${target.quantity} → ${target.quantity - 1}`));
  assert.match(feedText, /Order #\d+ placed/);
  await pageA.screenshot({ path: path.join(artifacts, 'order-page-a.png'), fullPage: true });
  await pageB.screenshot({ path: path.join(artifacts, 'order-page-b.png'), fullPage: true });

  // -- the order form and a refused order (409) ------------------------------------
  await pageB.fill('[data-testid="order-product"]', String(target.id));
  await pageB.fill('[data-testid="order-qty"]', '9999');
  await pageB.click('[data-testid="order-submit"]');
  await pageB.waitForFunction(() => /insufficient stock/.test(document.querySelector('[data-testid="form-status"]').textContent));
  assert.equal(Number(await qtyText(pageA, target.id)), before - 1, 'a refused order changes nothing');

  // -- stock adjusted from B reaches A ----------------------------------------------
  await pageB.fill('[data-testid="adjust-product"]', String(target.id));
  await pageB.fill('[data-testid="adjust-delta"]', '25');
  await pageB.fill('[data-testid="adjust-reason"]', 'e2e delivery');
  await pageB.click('[data-testid="adjust-submit"]');
  await waitForQty(pageA, target.id, before + 24, 2000);

  // -- the cache is visibly at work ---------------------------------------------------
  await pageA.waitForFunction(() => /%$/.test(document.querySelector('[data-testid="hit-ratio"]').textContent), null, { timeout: 10000 });

  // -- crash and restart: badge goes disconnected, then connected; writes made while
  //    the page was away are shown ----------------------------------------------------
  await server.kill();
  await pageA.waitForSelector('[data-testid="connection-status"][data-state="disconnected"]', { timeout: 10000 });
  await pageB.waitForSelector('[data-testid="connection-status"][data-state="disconnected"]', { timeout: 10000 });
  await pageA.screenshot({ path: path.join(artifacts, 'disconnected.png'), fullPage: true });

  server = await startDemo({ db, port });  // same port, same data
  const [, other] = await stocked(base, 5);
  assert.ok(other, 'a second stocked product');
  const order = await api(base, 'POST', '/api/orders', { items: [{ product_id: other.id, qty: 2 }] });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  const adjusted = await api(base, 'POST', `/api/inventory/${target.id}/adjust`, { delta: -3, reason: 'while away' });
  assert.equal(adjusted.status, 200, JSON.stringify(adjusted.body));
  assert.equal(adjusted.body.new, before + 21, 'the database kept the writes made before the crash');

  for (const page of [pageA, pageB]) {
    await page.waitForSelector('[data-testid="connection-status"][data-state="connected"]', { timeout: 20000 });
    await waitForQty(page, other.id, other.quantity - 2, 5000);
    await waitForQty(page, target.id, before + 21, 5000);
  }
  await pageA.screenshot({ path: path.join(artifacts, 'reconnected.png'), fullPage: true });

  // -- and live again after the restart -------------------------------------------
  const again = await timeOrderAcross(pageA, pageB, target.id, before + 20);
  t.diagnostic(`after the restart, page B showed page A's order after ${again} ms`);
  assert.ok(again <= LIVE_BUDGET_MS, `live updates resume after the restart (${again} ms)`);

  assert.deepEqual(pageA.errors, [], 'no uncaught errors in page A');
  assert.deepEqual(pageB.errors, [], 'no uncaught errors in page B');
});

test('API answers: X-Cache, Herald-Position and JSON errors over HTTP', { timeout: 60000 }, async () => {
  server = server ?? await startDemo({ db });
  const { base } = server;
  const first = await api(base, 'GET', '/api/products/42');
  assert.equal(first.status, 200);
  assert.match(first.headers.get('herald-position'), /^inventory:[^:]+:\d+$/);
  const second = await api(base, 'GET', '/api/products/42');
  assert.equal(second.headers.get('x-cache'), 'HIT');
  await api(base, 'POST', '/api/inventory/42/adjust', { delta: 1, reason: 'e2e' });
  const third = await api(base, 'GET', '/api/products/42');
  assert.equal(third.headers.get('x-cache'), 'MISS');
  assert.equal(third.body.quantity, first.body.quantity + 1);
  const missing = await api(base, 'GET', '/api/products/999999');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 404);
  const bad = await api(base, 'POST', '/api/orders', { items: 'nope' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 400);
  const index = await fetch(`${base}/`);
  assert.match(index.headers.get('content-type'), /text\/html/);
  const client = await fetch(`${base}/client/herald.js`);
  assert.equal(client.status, 200);
  assert.match(client.headers.get('content-type'), /javascript/);
});
