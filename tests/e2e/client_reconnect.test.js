// Herald's JS client (clients/js) when connections go away, against real herald
// processes: a dropped socket (recovered:true, the missed messages once, in order),
// kill -9 and a restart on the same port (recovered:false surfaced), graceful
// shutdown (3001), POST /api/disconnect (4003: no reconnect), a bad token (4001),
// the token refresh callback, and the heartbeat noticing a frozen server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { startHerald, heraldBinary, publish } from './harness.js';
import { HeraldClient } from '../../clients/js/herald.js';

const SECRET = 'client-e2e-secret';
let herald; // with JWT auth
const clients = [];
const cleanups = [];
before(async () => { herald = await startHerald(['--jwt-secret', SECRET]); });
after(async () => {
  for (const c of clients) c.close();
  for (const f of cleanups) await f();
  assert.equal(await herald.stop(), 0);
});

/** An HS256 JWT for user `sub` (valid for an hour unless claims say otherwise). */
function jwt(sub, claims = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}`;
  return `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}

/** The ws package, remembering every socket the client opens (to drop one on purpose). */
function trackedWebSocket() {
  const sockets = [];
  class Tracked extends WebSocket {
    constructor(...args) { super(...args); sockets.push(this); }
  }
  return { WebSocket: Tracked, sockets };
}

function client(url, options = {}) {
  const c = new HeraldClient(url, { WebSocket, timeout: 2000, backoff: { min: 50, max: 200 }, ...options });
  clients.push(c);
  return c;
}

/** Resolves with the next `event` value matching pred. */
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The pid of the herald listening on port (the harness does not expose its child). */
function heraldPid(port) {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.includes('serve') && argv.includes(`127.0.0.1:${port}`)) return Number(pid);
    } catch { /* gone */ }
  }
  throw new Error(`no herald on port ${port}`);
}

/** A herald on a given port (startHerald picks its own): for restarts on the same port. */
async function heraldOnPort(port, args = []) {
  const child = spawn(heraldBinary(), ['serve', '--listen', `127.0.0.1:${port}`, ...args], { stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  const stop = async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); return exited; };
  cleanups.push(stop);
  const deadline = Date.now() + 10000;
  for (;;) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return { stop }; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`herald did not come up on ${port}`);
    await sleep(25);
  }
}

test('a dropped socket: reconnects, resubscribes with since, recovered:true, missed messages once, in order', async () => {
  const ch = 'cjs:drop';
  const tracked = trackedWebSocket();
  const c = client(herald.wsUrl, { token: jwt('u-drop'), WebSocket: tracked.WebSocket, backoff: { min: 300, max: 400 } });
  const got = [];
  const recoveries = [];
  c.on('recovery', (r) => recoveries.push(r));
  await c.connect();
  const sub = await c.subscribe(ch, (d, f) => got.push(f.offset));
  for (let i = 0; i < 3; i++) await publish(herald.base, ch, { i });
  await until(() => got.length === 3);

  const states = [];
  c.on('state', (s) => states.push(s));
  const down = next(c, 'disconnected');
  tracked.sockets.at(-1).terminate(); // the TCP connection is gone, no close frame
  const info = await down;
  assert.equal(info.reconnect, true);
  for (let i = 3; i < 8; i++) await publish(herald.base, ch, { i }); // while it is away
  await next(c, 'connected');
  await until(() => recoveries.length === 1);
  assert.deepEqual(recoveries[0], { channel: ch, recovered: true, offset: 8, epoch: sub.epoch });
  await publish(herald.base, ch, { i: 8 });
  await until(() => got.length === 9, 3000, '9 messages');
  await c.ping();
  assert.deepEqual(got, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(states, ['disconnected', 'connecting', 'connected']);
  assert.equal(tracked.sockets.length, 2);
});

test('kill -9 and a restart on the same port: reconnects by itself, recovered:false is surfaced', async () => {
  const own = await startHerald();
  const ch = 'cjs:restart';
  const c = client(own.wsUrl, { transport: 'websocket' });
  const got = [];
  const flagged = [];
  await c.connect();
  const first = await c.subscribe(ch, (d, f) => got.push(d.n), { onRecovery: (r) => flagged.push(r) });
  for (let n = 1; n <= 3; n++) await publish(own.base, ch, { n });
  await until(() => got.length === 3);

  const down = next(c, 'disconnected');
  process.kill(heraldPid(own.port), 'SIGKILL');
  await down;
  const recovery = next(c, 'recovery', (r) => r.channel === ch, 8000);
  await heraldOnPort(own.port);
  const r = await recovery;
  assert.equal(r.recovered, false, 'the memory engine lost the history: the app must refetch');
  assert.notEqual(r.epoch, first.epoch);
  assert.equal(r.offset, 0);
  assert.deepEqual(flagged, [r]);
  assert.equal(c.state, 'connected');
  assert.deepEqual(c.position(ch), { offset: 0, epoch: r.epoch });

  await publish(own.base, ch, { n: 'after restart' });
  await until(() => got.length === 4);
  assert.equal(got[3], 'after restart');
});

test('graceful shutdown: disconnect 3001 reconnect:true, the client keeps trying', async () => {
  const own = await startHerald();
  const c = client(own.wsUrl, { transport: 'websocket' });
  await c.connect();
  const down = next(c, 'disconnected');
  const connecting = next(c, 'connecting', () => true, 5000);
  assert.equal(await own.stop(), 0);
  const info = await down;
  assert.equal(info.code, 3001);
  assert.equal(info.reconnect, true);
  await connecting;
  c.close();
});

test('POST /api/disconnect: 4003 reconnect:false, the client stops reconnecting', async () => {
  const c = client(herald.wsUrl, { token: jwt('u-kick') });
  const states = [];
  c.on('state', (s) => states.push(s));
  await c.connect();
  await c.subscribe('cjs:kick');
  const down = next(c, 'disconnected');
  const r = await fetch(`${herald.base}/api/disconnect`, { method: 'POST', body: JSON.stringify({ user: 'u-kick' }) });
  assert.equal(r.status, 200);
  const info = await down;
  assert.equal(info.code, 4003);
  assert.equal(info.reconnect, false);
  await sleep(400); // several backoff periods
  assert.deepEqual(states, ['connecting', 'connected', 'disconnected']);
  assert.equal(c.state, 'disconnected');
});

test('bad token: 4001, connect() rejects with that code, no retry', async () => {
  const c = client(herald.wsUrl, { token: 'not.a.jwt' });
  let connecting = 0;
  c.on('connecting', () => connecting++);
  await assert.rejects(c.connect(), (e) => e.code === 4001);
  await sleep(300);
  assert.equal(connecting, 1);
  const expired = client(herald.wsUrl, { token: jwt('u-old', { exp: Math.floor(Date.now() / 1000) - 60 }) });
  await assert.rejects(expired.connect(), (e) => e.code === 4001);
});

test('getToken is called before every reconnect (and the first connect when there is no token)', async () => {
  const tracked = trackedWebSocket();
  let calls = 0;
  const getToken = async () => { calls++; return jwt('u-refresh', { n: calls }); };
  const c = client(herald.wsUrl, { token: jwt('u-refresh'), getToken, WebSocket: tracked.WebSocket });
  await c.connect();
  assert.equal(calls, 0, 'the initial token is used first');
  for (let round = 1; round <= 2; round++) {
    const back = next(c, 'connected');
    tracked.sockets.at(-1).terminate();
    assert.equal((await back).user, 'u-refresh');
    assert.equal(calls, round);
  }

  let only = 0;
  const d = client(herald.wsUrl, { getToken: async () => { only++; return jwt('u-only'); } });
  await d.connect();
  assert.equal(only, 1);
});

test('heartbeat: a frozen server is noticed (app-level ping unanswered), then reconnected', async () => {
  const own = await startHerald(['--ping-interval', '1']);
  const c = client(own.wsUrl, { transport: 'websocket', connectTimeout: 800, pingTimeout: 300 });
  await c.connect();
  const pid = heraldPid(own.port);
  const down = next(c, 'disconnected', () => true, 5000);
  process.kill(pid, 'SIGSTOP');
  let info;
  try {
    info = await down;
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  assert.match(info.reason, /heartbeat/);
  await next(c, 'connected', () => true, 4000);
  assert.deepEqual(await c.ping(), {});
  c.close();
  assert.equal(await own.stop(), 0);
});
