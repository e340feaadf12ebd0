// `herald demo --redis`: two demo processes sharing one SQLite file and one Redis act
// as one app. A page on each (Debian's Chromium via playwright-core): an order placed
// through process 1 shows up on the page served by process 2, and a read through
// process 2 right after a write through process 1 is fresh (the cache's tag
// invalidation reached its L1 and L2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium, openDashboard, api, timeOrderAcross } from './browser.js';
import { startDemo } from './harness.js';
import { startRedis } from './redis_server.js';

const db = path.join(tmpdir(), `herald-demo-cluster-${process.pid}-${Date.now()}.db`);
let browser;
let redis;
const demos = [];

before(async () => {
  redis = await startRedis();
  // One after the other: the first creates and seeds the database.
  demos.push(await startDemo({ db, args: ['--redis', redis.url, '--node-id', 'demo1'] }));
  demos.push(await startDemo({ db, args: ['--redis', redis.url, '--node-id', 'demo2'] }));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await Promise.all(demos.map((d) => d.stop()));
  await redis?.stop();
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
});

test('an order through one process reaches the page of the other; reads stay fresh', { timeout: 90000 }, async (t) => {
  const [one, two] = demos;
  const pageOne = await openDashboard(browser, one.base);
  const pageTwo = await openDashboard(browser, two.base);
  const { body } = await api(two.base, 'GET', '/api/products?per_page=25');
  const target = body.items.find((p) => p.quantity >= 5);
  assert.ok(target, 'a stocked product on page 1');

  // Warm process 2's cache for the product, then write through process 1.
  const warm = await api(two.base, 'GET', `/api/products/${target.id}`);
  assert.equal(warm.status, 200);
  const before = warm.body.quantity;
  const elapsed = await timeOrderAcross(pageOne, pageTwo, target.id, before - 1);
  t.diagnostic(`process 2's page showed process 1's order after ${elapsed} ms`);

  const fresh = await api(two.base, 'GET', `/api/products/${target.id}`);
  assert.equal(fresh.body.quantity, before - 1, 'process 2 does not serve its stale cached copy');
  assert.deepEqual(pageOne.errors, []);
  assert.deepEqual(pageTwo.errors, []);
  await pageOne.close();
  await pageTwo.close();
});
