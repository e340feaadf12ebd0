// Socket.IO on the Redis engine and in a browser (issue 15): two `herald serve
// --redis` nodes on one redis-server with unchanged socket.io-client 4.8.1 sockets
// (rooms, publications, client publishes and presence across nodes, /api/disconnect
// from the other node), and a page in Chromium that loads socket.io-client's own
// browser bundle from a different origin (CORS by --allowed-origins) and shows live
// updates. Default transports: polling first, then the upgrade.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { startHerald, publish, freePort } from './harness.js';
import { startRedis } from './redis_server.js';
import { launchChromium } from './browser.js';

const SECRET = 'socketio-cluster-secret';
let redis;
let nodes = [];
let page;  // the static server of the browser test
let pagePort;
const sockets = [];

function jwt(sub) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}

const require = createRequire(import.meta.url);
const bundle = readFileSync(path.join(path.dirname(require.resolve('socket.io-client/package.json')),
  'dist', 'socket.io.min.js'));

before(async () => {
  redis = await startRedis();
  pagePort = await freePort();
  const config = path.join(mkdtempSync(path.join(tmpdir(), 'herald-sio-cluster-')), 'herald.toml');
  writeFileSync(config, ['[[channel]]', 'match = "room:*"', 'publish = ["authenticated"]',
    'presence = ["authenticated"]', ''].join('\n'));
  const args = ['--redis', redis.url, '--jwt-secret', SECRET, '--config', config,
    '--allowed-origins', `http://127.0.0.1:${pagePort}`, '--log-level', 'warn'];
  nodes = await Promise.all([0, 1].map(() => startHerald(args)));
  for (const n of nodes) {
    for (let i = 0; i < 200 && (await fetch(`${n.base}/readyz`)).status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});

after(async () => {
  for (const s of sockets) s.disconnect();
  await new Promise((r) => (page ? page.close(r) : r()));
  for (const n of nodes) assert.equal(await n.stop(), 0);
  await redis?.stop();
});

async function connected(node, sub) {
  const s = io(node.base, { auth: { token: jwt(sub) }, reconnection: false });
  sockets.push(s);
  await new Promise((resolve, reject) => { s.once('connect', resolve); s.once('connect_error', reject); });
  return s;
}

function next(s, event, ms = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    s.once(event, (arg) => { clearTimeout(timer); resolve(arg); });
  });
}

test('two nodes on Redis: rooms, publications, client publish and presence across nodes', async () => {
  const a = await connected(nodes[0], 'ann');
  const b = await connected(nodes[1], 'ben');
  await a.timeout(5000).emitWithAck('join_room', { room: 'room:x' });
  await b.timeout(5000).emitWithAck('join_room', { room: 'room:x' });
  const atA = next(a, 'message');
  const atB = next(b, 'message');
  assert.equal((await publish(nodes[0].base, 'room:x', { from: 'api' })).status, 200);
  assert.deepEqual(await atA, { from: 'api' });
  assert.deepEqual(await atB, { from: 'api' });

  const again = next(a, 'message');
  const ack = await b.timeout(5000).emitWithAck('publish', { channel: 'room:x', data: { from: 'ben' } });
  assert.equal(ack.offset, 2);
  assert.deepEqual(await again, { from: 'ben' }, 'a client publish on node 1 reaches node 0');
  const presence = await a.timeout(5000).emitWithAck('presence', { channel: 'room:x' });
  assert.equal(presence.count, 2);

  const gone = next(b, 'disconnect');
  const r = await fetch(`${nodes[0].base}/api/disconnect`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'ben' }),
  });
  assert.equal(r.status, 200);
  assert.equal(await gone, 'io server disconnect', '/api/disconnect on node 0 ends ben on node 1');
  const metrics = await (await fetch(`${nodes[0].base}/metrics`)).text();
  assert.match(metrics, /^herald_socketio_connections 1$/m);
});

test('publication events across nodes and through recovery from the Redis history', async () => {
  const a = await connected(nodes[0], 'eve');
  const b = io(nodes[1].base, { auth: { token: jwt('fay') }, transports: ['websocket'], reconnection: true,
    reconnectionDelay: 100, reconnectionDelayMax: 200 });
  sockets.push(b);
  await next(b, 'connect');
  await a.timeout(5000).emitWithAck('join_room', { room: 'room:ev' });
  await b.timeout(5000).emitWithAck('join_room', { room: 'room:ev' });
  const atA = next(a, 'price');
  const atB = next(b, 'price');
  const post = (data, event) => fetch(`${nodes[0].base}/api/publish`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'room:ev', data, event }),
  });
  assert.equal((await post({ p: 1 }, 'price')).status, 200);
  assert.deepEqual(await atA, { p: 1 });
  assert.deepEqual(await atB, { p: 1 }, 'the Pub/Sub payload carries the event to node 1');

  // b misses two publications (one named, one default), then recovers them from history.
  const seen = [];
  b.on('price', (m) => seen.push(['price', m.p]));
  b.on('message', (m) => seen.push(['message', m.p]));
  const back = new Promise((resolve) => b.once('connect', resolve));
  b.io.engine.close();
  assert.equal((await post({ p: 2 }, 'price')).status, 200);
  assert.equal((await post({ p: 3 })).status, 200);
  await back;
  assert.equal(b.recovered, true, 'socket.recovered');
  const deadline = Date.now() + 10000;
  while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen, [['price', 2], ['message', 3]], 'the stream entry keeps the event');
  a.disconnect();
  b.disconnect();
});

test('CORS: an allowed origin gets the preflight and the polling answers, another is refused', async () => {
  const origin = `http://127.0.0.1:${pagePort}`;
  let r = await fetch(`${nodes[0].base}/socket.io/?EIO=4&transport=polling`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-app' },
  });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('access-control-allow-origin'), origin);
  assert.equal(r.headers.get('access-control-allow-headers'), 'x-app');
  r = await fetch(`${nodes[0].base}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), origin);
  assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
  r = await fetch(`${nodes[0].base}/socket.io/?EIO=4&transport=polling`, {
    method: 'OPTIONS', headers: { origin: 'http://evil.example' },
  });
  assert.equal(r.status, 403);
});

test('a page using socket.io-client in Chromium receives live updates (polling, then WebSocket)', async () => {
  const token = jwt('pat');
  const html = `<!doctype html><html><body><ul id="log"></ul><span id="state">connecting</span>
<script src="/socket.io.min.js"></script>
<script>
  const socket = io(${JSON.stringify(nodes[1].base)}, { auth: { token: ${JSON.stringify(token)} } });
  socket.on('connect', async () => {
    const ack = await socket.emitWithAck('join_room', { room: 'room:live' });
    document.getElementById('state').textContent = ack.channel ? 'joined' : 'refused';
  });
  socket.io.engine.on('upgrade', (t) => { document.body.dataset.transport = t.name; });
  socket.on('message', (m) => {
    const li = document.createElement('li');
    li.textContent = m.text;
    document.getElementById('log').append(li);
  });
</script></body></html>`;
  page = createServer((req, res) => {
    if (req.url === '/socket.io.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(bundle);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    }
  });
  await new Promise((r) => page.listen(pagePort, '127.0.0.1', r));
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(`http://127.0.0.1:${pagePort}/`);
    await tab.waitForFunction(() => document.getElementById('state').textContent === 'joined', null, { timeout: 15000 });
    await publish(nodes[0].base, 'room:live', { text: 'first' });
    await tab.waitForFunction(() => document.querySelectorAll('#log li').length === 1, null, { timeout: 10000 });
    await tab.waitForFunction(() => document.body.dataset.transport === 'websocket', null, { timeout: 15000 });
    await publish(nodes[0].base, 'room:live', { text: 'second' });
    await tab.waitForFunction(() => document.querySelectorAll('#log li').length === 2, null, { timeout: 10000 });
    const shown = await tab.evaluate(() => [...document.querySelectorAll('#log li')].map((li) => li.textContent));
    assert.deepEqual(shown, ['first', 'second']);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
