// Herald's JS client (clients/js) on its Server-Sent Events fallback, against a real
// herald with JWT auth: receiving over `transport:'sse'`, changing the channel list
// (the stream reopens with `since`: nothing lost, nothing twice), recovery after a
// dropped stream, refusals (403 channel, 401 token, 4003), sends rejected as
// unsupported, and the automatic fallback when WebSocket upgrades are refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createHmac } from 'node:crypto';
import { startHerald, publish } from './harness.js';
import { HeraldClient } from '../../clients/js/herald.js';

const SECRET = 'client-sse-secret';
let herald;
const clients = [];
before(async () => { herald = await startHerald(['--jwt-secret', SECRET]); });
after(async () => {
  for (const c of clients) c.close();
  assert.equal(await herald.stop(), 0);
});

function jwt(sub, claims = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}`;
  return `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}

function client(options = {}) {
  const c = new HeraldClient(herald.wsUrl, { transport: 'sse', timeout: 2000, backoff: { min: 50, max: 200 }, ...options });
  clients.push(c);
  return c;
}

/** fetch that lets the test cut a stream from the client side (a network drop). */
function droppableFetch() {
  const streams = [];
  const f = (url, init = {}) => {
    const ac = new AbortController();
    init.signal?.addEventListener('abort', () => ac.abort());
    streams.push({ url: new URL(url), ac });
    return fetch(url, { ...init, signal: ac.signal });
  };
  return { fetch: f, streams };
}

function next(c, event, pred = () => true, ms = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no '${event}' event within ${ms} ms`)); }, ms);
    const off = c.on(event, (v) => { if (pred(v)) { clearTimeout(timer); off(); resolve(v); } });
  });
}

async function until(fn, ms = 3000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("transport:'sse' receives publications in order; sends reject as unsupported", async () => {
  const c = client({ token: jwt('s-basic') });
  const states = [];
  c.on('state', (s) => states.push(s));
  const got = [];
  const sub = c.subscribe('cjs:sse', (d, f) => got.push([f.offset, d]));
  await c.connect();
  assert.equal(c.transport, 'sse');
  const r = await sub;
  assert.equal(r.channel, 'cjs:sse');
  assert.equal(r.offset, 0);
  const data = { multi: 'line\nbreaks', n: [1, 2] };
  await publish(herald.base, 'cjs:sse', data);
  for (let i = 2; i <= 20; i++) await publish(herald.base, 'cjs:sse', i);
  await until(() => got.length === 20);
  assert.deepEqual(got[0], [1, data]);
  assert.deepEqual(got.map(([o]) => o), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.deepEqual(states, ['connecting', 'connected']);
  for (const p of [c.publish('cjs:sse', 1), c.presence('cjs:sse'), c.history('cjs:sse'), c.ping()]) {
    await assert.rejects(p, (e) => e.code === 'unsupported' && /SSE/.test(e.message));
  }
});

test('changing channels reopens the stream from each position: no loss, no duplicate, no state flicker', async () => {
  const c = client({ token: jwt('s-change') });
  const a = [];
  const b = [];
  await c.connect(); // no channels yet: connected without a stream
  await c.subscribe('cjs:sse-a', (d) => a.push(d));
  const states = [];
  c.on('state', (s) => states.push(s));
  let n = 0;
  const pumping = (async () => { while (n < 30) { n++; await publish(herald.base, 'cjs:sse-a', n); } })();
  await c.subscribe('cjs:sse-b', (d) => b.push(d)); // while a is being published to
  await pumping;
  await publish(herald.base, 'cjs:sse-b', 'b1');
  await until(() => a.length === 30 && b.length === 1, 3000, 'all of a and b');
  assert.deepEqual(a, Array.from({ length: 30 }, (_, i) => i + 1));
  await c.unsubscribe('cjs:sse-a');
  await publish(herald.base, 'cjs:sse-a', 'not delivered');
  await publish(herald.base, 'cjs:sse-b', 'b2');
  await until(() => b.length === 2);
  assert.equal(a.length, 30);
  assert.deepEqual(states, []);
});

test('a dropped stream: reconnects with since, recovered:true, the missed messages once', async () => {
  const net = droppableFetch();
  const c = client({ token: jwt('s-drop'), fetch: net.fetch, backoff: { min: 300, max: 400 } });
  const got = [];
  const recoveries = [];
  c.on('recovery', (r) => recoveries.push(r));
  await c.connect();
  const sub = await c.subscribe('cjs:sse-drop', (d, f) => got.push(f.offset));
  await publish(herald.base, 'cjs:sse-drop', 1);
  await until(() => got.length === 1);
  const down = next(c, 'disconnected');
  net.streams.at(-1).ac.abort();
  await down;
  for (let i = 2; i <= 5; i++) await publish(herald.base, 'cjs:sse-drop', i);
  await next(c, 'connected');
  const url = net.streams.at(-1).url;
  assert.equal(url.searchParams.get('since'), `cjs:sse-drop:${sub.epoch}:1`);
  assert.ok(url.searchParams.get('token'));
  await until(() => got.length === 5);
  await publish(herald.base, 'cjs:sse-drop', 6);
  await until(() => got.length === 6);
  assert.deepEqual(got, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(recoveries, [{ channel: 'cjs:sse-drop', recovered: true, offset: 5, epoch: sub.epoch }]);
});

test('refusals: a forbidden channel rejects 403 and the rest keeps working; bad token 4001; API disconnect 4003', async () => {
  const c = client({ token: jwt('s-alice') });
  await c.connect();
  const got = [];
  await c.subscribe('cjs:sse-ok', (d) => got.push(d));
  await assert.rejects(c.subscribe('user:bob'), (e) => e.code === 403 && e.channel === 'user:bob');
  await c.subscribe('user:s-alice'); // her own private channel is fine
  await publish(herald.base, 'cjs:sse-ok', 'still here');
  await until(() => got.length === 1);
  assert.equal(c.state, 'connected');

  const bad = client({ token: 'garbage' });
  bad.subscribe('cjs:sse-ok').catch(() => {});
  await assert.rejects(bad.connect(), (e) => e.code === 4001);

  const down = next(c, 'disconnected');
  await fetch(`${herald.base}/api/disconnect`, { method: 'POST', body: JSON.stringify({ user: 's-alice' }) });
  const info = await down;
  assert.equal(info.code, 4003);
  assert.equal(info.reconnect, false);
});

test('automatic fallback: WebSocket upgrades refused (origin) -> SSE after fallbackAfter attempts', async () => {
  // A real ws client whose upgrades the server refuses (403, Origin not allowed), as
  // behind a proxy that blocks WebSocket; fetch sends no Origin, so SSE gets through.
  class BlockedWebSocket extends WebSocket {
    constructor(url, protocols) { super(url, protocols, { origin: 'http://blocked.example' }); }
  }
  const c = client({ transport: 'auto', WebSocket: BlockedWebSocket, fallbackAfter: 2, token: jwt('s-auto') });
  const transports = [];
  c.on('transport', (t) => transports.push(t));
  let attempts = 0;
  c.on('connecting', () => attempts++);
  const got = [];
  // The promise resolves once the server confirmed the subscription: publishing
  // before that could precede it (a subscribe without `since` starts from now).
  const subscribed = c.subscribe('cjs:sse-auto', (d) => got.push(d));
  await c.connect();
  await subscribed;
  assert.equal(c.transport, 'sse');
  assert.deepEqual(transports, ['sse']);
  // Two refused WebSocket attempts, then SSE (a slow SSE start under load may take
  // one more attempt; what matters is that it ends on SSE, after at least the two).
  assert.ok(attempts >= 3, `two refused WebSocket attempts, then SSE (attempts ${attempts})`);
  await publish(herald.base, 'cjs:sse-auto', 'via sse');
  await until(() => got.length === 1);
});

test('back from the fallback: once WebSocket upgrades work again, the client returns to WebSocket', async () => {
  let blocked = true;
  class SometimesBlocked extends WebSocket {
    constructor(url, protocols) { super(url, protocols, blocked ? { origin: 'http://blocked.example' } : {}); }
  }
  const c = client({ transport: 'auto', WebSocket: SometimesBlocked, fallbackAfter: 1, probeInterval: 100, token: jwt('s-back') });
  const got = [];
  const subscribed = c.subscribe('cjs:sse-back', (d, f) => got.push(f.offset));
  await c.connect();
  await subscribed;
  assert.equal(c.transport, 'sse');
  await publish(herald.base, 'cjs:sse-back', 1);
  await until(() => got.length === 1);

  const back = next(c, 'connected', (i) => i.transport === 'websocket', 3000);
  blocked = false;
  await back;
  assert.equal(c.transport, 'websocket');
  await publish(herald.base, 'cjs:sse-back', 2);
  await until(() => got.length === 2);
  assert.deepEqual(got, [1, 2]);
  await assert.rejects(c.publish('cjs:sse-back', 3), (e) => e.code === 403, 'sends work again (and meet the rules)');
});
