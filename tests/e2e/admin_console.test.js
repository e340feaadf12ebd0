// The admin console (issue 17 section 1) in Debian's Chromium (playwright-core) on the
// Redis engine: log in, the counters move while the test publishes, every action
// checked through the HTTP API or a client, a second node appears and, killed,
// disappears; a wrong password is 401 and the retry is throttled (429 Retry-After);
// other origins are refused (page, API, WebSocket), a client JWT cannot read the
// console's channel, and a node without the console configured answers 404.
// Screenshots go to tests/e2e/artifacts/ (the ones in docs/images/ come from here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { launchChromium } from './browser.js';
import { startHerald, publish } from './harness.js';
import { startRedis } from './redis_server.js';
import { WsClient } from './ws_client.js';

const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
const PASSWORD = 'console-password-1';
const SECRET = 'admin-e2e-secret';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function token(sub, roles = []) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ sub, roles, exp: Math.floor(Date.now() / 1000) + 3600 });
  const sig = createHmac('sha256', SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

async function waitUntil(pred, timeoutMs = 15000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const nodeArgs = (redis, id) => ['--redis', redis.url, '--node-id', id, '--jwt-secret', SECRET,
  '--admin-password', PASSWORD, '--admin-nodes-interval', '1'];

let redis;
let nodeA;
let nodeB;
let plain;
let browser;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  redis = await startRedis();
  nodeA = await startHerald(nodeArgs(redis, 'node-a'));
  await waitUntil(async () => (await fetch(`${nodeA.base}/readyz`)).ok, 15000, 'node A ready');
});

after(async () => {
  await browser?.close();
  await nodeB?.stop();
  await nodeA?.stop();
  await plain?.stop();
  await redis?.stop();
});

async function login(base, password, headers = {}) {
  const r = await fetch(`${base}/admin/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ password }),
  });
  return { status: r.status, headers: r.headers, body: await r.json().catch(() => null) };
}

test('wrong password is 401, the retry is throttled, other origins are refused', async () => {
  const base = nodeA.base;
  const host = new URL(base).host;
  const wrong = await login(base, 'not-the-password');
  assert.equal(wrong.status, 401);
  const throttled = await login(base, PASSWORD);  // even the right one, too soon
  assert.equal(throttled.status, 429);
  const wait = Number(throttled.headers.get('retry-after'));
  assert.ok(wait >= 1, `Retry-After ${throttled.headers.get('retry-after')}`);
  await sleep(wait * 1000 + 100);
  const ok = await login(base, PASSWORD, { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.node, 'node-a');
  const cookie = ok.headers.get('set-cookie');
  assert.match(cookie, /herald_admin=[0-9a-f]+\.\d+\.[0-9a-f]{64}/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const session = cookie.split(';')[0];

  // The page's headers.
  const page = await fetch(`${base}/admin/`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.match(page.headers.get('content-security-policy'), /default-src 'none'.*frame-ancestors 'none'/);

  // Other origins: the page, the login, the API with a valid session, the WebSocket.
  const evil = { origin: 'http://evil.example' };
  assert.equal((await fetch(`${base}/admin/`, { headers: evil })).status, 403);
  assert.equal((await login(base, PASSWORD, evil)).status, 403);
  assert.equal((await fetch(`${base}/admin/api/session`, { headers: { cookie: session, ...evil } })).status, 403);
  assert.equal((await fetch(`${base}/admin/api/session`, { headers: { cookie: session, 'sec-fetch-site': 'cross-site' } })).status, 403);
  assert.equal((await fetch(`${base}/admin/api/session`, { headers: { cookie: session } })).status, 200);
  assert.equal((await fetch(`${base}/admin/api/session`)).status, 401);
  await assert.rejects(WsClient.connect(nodeA.wsUrl, { headers: { cookie: session, origin: 'http://evil.example' } }), /403/);

  // The console's channel: an admin session may subscribe, a client JWT may not (not
  // even with an "admin" role).
  const admin = await WsClient.connect(nodeA.wsUrl, { headers: { cookie: session, origin: `http://${host}` } });
  await admin.waitFor((f) => f.type === 'welcome');
  const sub = await admin.request({ type: 'subscribe', channel: ok.body.channel });
  assert.equal(sub.type, 'reply', JSON.stringify(sub));
  const snapshot = await admin.waitFor((f) => f.type === 'message' && f.channel === ok.body.channel, 5000);
  assert.equal(snapshot.data.node, 'node-a');
  assert.equal(snapshot.data.engine, 'redis');
  admin.close();
  const user = await WsClient.connect(`${nodeA.wsUrl}?token=${token('mallory', ['admin'])}`);
  await user.waitFor((f) => f.type === 'welcome');
  const refused = await user.request({ type: 'subscribe', channel: ok.body.channel });
  assert.equal(refused.type, 'error');
  assert.equal(refused.code, 403);
  user.close();

  // Off unless configured.
  plain = await startHerald([]);
  assert.equal((await fetch(`${plain.base}/admin/`)).status, 404);
  assert.equal((await fetch(`${plain.base}/admin/api/login`, { method: 'POST', body: '{}' })).status, 404);
});

test('console: log in, live counters, actions, nodes come and go', { timeout: 120000 }, async (t) => {
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });

  await page.goto(`${nodeA.base}/admin`);  // redirected to /admin/
  await page.waitForSelector('[data-testid="login"]:not([hidden])');
  await page.fill('[data-testid="password"]', 'wrong-password!');
  await page.click('[data-testid="login-submit"]');
  await page.waitForFunction(() => /Wrong password/.test(document.querySelector('[data-testid="login-error"]').textContent));
  await page.fill('[data-testid="password"]', PASSWORD);
  await page.click('[data-testid="login-submit"]');
  await page.waitForFunction(() => /retry in \d+ s/.test(document.querySelector('[data-testid="login-error"]').textContent));
  const retry = Number((await page.textContent('[data-testid="login-error"]')).match(/retry in (\d+) s/)[1]);
  await sleep(retry * 1000 + 100);
  await page.fill('[data-testid="password"]', PASSWORD);
  await page.click('[data-testid="login-submit"]');
  await page.waitForSelector('[data-testid="ws-state"][data-state="connected"]', { timeout: 10000 });
  await page.waitForFunction(() => Number(document.body.dataset.snapshots ?? 0) >= 1, null, { timeout: 10000 });
  assert.equal(await page.$$eval('#chart-conn canvas', (c) => c.length), 1, 'uPlot drew the chart');

  // Counters move while the test publishes to a channel a client reads.
  const reader = await WsClient.connect(`${nodeA.wsUrl}?token=${token('reader')}`);
  await reader.waitFor((f) => f.type === 'welcome');
  assert.equal((await reader.request({ type: 'subscribe', channel: 'news' })).type, 'reply');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="stat-subscriptions"]').textContent) >= 2,
    null, { timeout: 10000 });  // the reader's and the console's own
  let publishing = true;
  const publisher = (async () => {
    for (let n = 0; publishing; n++) {
      await publish(nodeA.base, 'news', { n });
      await sleep(20);
    }
  })();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="stat-publications"]').textContent) > 0
    && Number(document.querySelector('[data-testid="stat-deliveries"]').textContent) > 0
    && document.querySelector('[data-testid="channel-row-news"]') !== null, null, { timeout: 15000 });
  // The history length column, from XLEN on the Redis engine.
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="channel-row-news"] td:nth-child(4)')?.textContent) > 0,
    null, { timeout: 10000 });
  await page.fill('[data-testid="channel-search"]', 'new');
  assert.ok(await page.$('[data-testid="channel-row-news"]'));
  await page.fill('[data-testid="channel-search"]', 'zzz');
  assert.equal(await page.$('[data-testid="channel-row-news"]'), null, 'search filters the table');
  await page.fill('[data-testid="channel-search"]', '');
  await page.waitForSelector('[data-testid="node-row-node-a"]');
  await sleep(3000);  // a few seconds of chart
  await page.screenshot({ path: path.join(artifacts, 'admin-console.png'), fullPage: true });
  publishing = false;
  await publisher;

  const result = async (action) => {
    await page.waitForFunction((a) => {
      const el = document.querySelector('[data-testid="action-result"]');
      return el.dataset.state === 'done' && el.dataset.action === a;
    }, action, { timeout: 10000 });
    const el = await page.$('[data-testid="action-result"]');
    const status = Number(await el.getAttribute('data-status'));
    const text = await el.textContent();
    await page.$eval('[data-testid="action-result"]', (e) => { e.dataset.state = ''; });
    return { status, body: JSON.parse(text.slice(text.indexOf('\n') + 1)) };
  };

  // Publish: the reader gets it, the API's history has it.
  await page.fill('[data-testid="publish-channel"]', 'news');
  await page.fill('[data-testid="publish-data"]', '{"from":"console"}');
  await page.click('[data-testid="publish-submit"]');
  const published = await result('publish');
  assert.equal(published.status, 200);
  const got = await reader.waitFor((f) => f.type === 'message' && f.channel === 'news' && f.data.from === 'console', 5000);
  assert.equal(got.offset, published.body.offset);
  const apiHistory = await (await fetch(`${nodeA.base}/api/history/news?limit=3`)).json();
  assert.deepEqual(apiHistory.messages.at(-1).data, { from: 'console' });

  // History: the same as the API's.
  await page.fill('[data-testid="history-channel"]', 'news');
  await page.fill('[data-testid="history-limit"]', '3');
  await page.click('[data-testid="history-submit"]');
  const history = await result('history');
  assert.equal(history.status, 200);
  assert.deepEqual(history.body, apiHistory);

  // Presence: the reader is there; the same count as the API's.
  await page.fill('[data-testid="presence-channel"]', 'news');
  await page.click('[data-testid="presence-submit"]');
  const presence = await result('presence');
  assert.equal(presence.status, 200);
  assert.ok(presence.body.count >= 1);
  assert.deepEqual(presence.body, await (await fetch(`${nodeA.base}/api/presence/news`)).json());

  // Invalidate: a page subscribed to the tag is told.
  const tagged = await WsClient.connect(`${nodeA.wsUrl}?token=${token('shopper')}`);
  await tagged.waitFor((f) => f.type === 'welcome');
  assert.equal((await tagged.request({ type: 'subscribe', channel: 'tag:products' })).type, 'reply');
  await page.fill('[data-testid="invalidate-tags"]', 'products, orders');
  await page.click('[data-testid="invalidate-submit"]');
  const invalidated = await result('invalidate');
  assert.equal(invalidated.status, 200);
  assert.equal(typeof invalidated.body.keys, 'number');
  await tagged.waitFor((f) => f.type === 'invalidate' || (f.type === 'message' && f.channel === 'tag:products'), 5000);
  tagged.close();

  // Disconnect: the reader is closed with 4003.
  await page.fill('[data-testid="disconnect-user"]', 'reader');
  await page.click('[data-testid="disconnect-submit"]');
  assert.equal((await result('disconnect')).status, 200);
  const closed = await reader.closed;
  assert.equal(closed.code, 4003);
  await page.screenshot({ path: path.join(artifacts, 'admin-actions.png'), fullPage: true });

  // Each action was logged with who ran it.
  for (const line of [/admin action admin=password action=publish channel=news status=200/,
    /admin action admin=password action=history channel=news status=200/,
    /admin action admin=password action=presence channel=news status=200/,
    /admin action admin=password action=invalidate tags=products,orders status=200/,
    /admin action admin=password action=disconnect user=reader status=200/]) {
    assert.match(nodeA.log(), line);
  }

  // A second node appears on the console, then disappears once killed.
  nodeB = await startHerald(nodeArgs(redis, 'node-b'));
  await page.waitForSelector('[data-testid="node-row-node-b"]', { timeout: 15000 });
  await page.screenshot({ path: path.join(artifacts, 'admin-nodes.png'), fullPage: true });
  const killedAt = Date.now();
  await nodeB.kill();
  await page.waitForSelector('[data-testid="node-row-node-b"]', { state: 'detached', timeout: 15000 });
  t.diagnostic(`node-b left the console ${Date.now() - killedAt} ms after kill -9`);
  assert.ok(await page.$('[data-testid="node-row-node-a"]'));

  assert.deepEqual(problems.filter((p) => !/401|429|Unauthorized|Too Many/.test(p)), [],
    'no page errors, no CSP violations');
});
