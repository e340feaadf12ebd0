// Socket.IO compatibility (issue 15, docs/protocol.md "Socket.IO compatibility"): the
// unchanged npm `socket.io-client` 4.8.1 against a real `herald serve` with JWT auth
// on its `/socket.io/` endpoint, and raw Engine.IO packets from the `ws` package for
// what a well-behaved client never sends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { startHerald, publish } from './harness.js';

const SECRET = 'socketio-e2e-secret';
let herald;
const sockets = [];

before(async () => {
  const config = path.join(mkdtempSync(path.join(tmpdir(), 'herald-sio-')), 'herald.toml');
  writeFileSync(config, ['[[channel]]', 'match = "sio:chat"', 'publish = ["authenticated"]',
    '[[channel]]', 'match = "sio:ev"', 'publish = ["authenticated"]', ''].join('\n'));
  herald = await startHerald(['--jwt-secret', SECRET, '--config', config]);
});
after(async () => {
  for (const s of sockets) s.disconnect();
  assert.equal(await herald.stop(), 0, 'herald exits 0 on SIGTERM');
});

function jwt(sub, claims = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}`;
  return `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}

/** A socket.io-client socket (not yet connected unless `wait`). */
function client(opts = {}, nsp = '') {
  const s = io(`${herald.base}${nsp}`, { transports: ['websocket'], reconnection: false, ...opts });
  sockets.push(s);
  return s;
}

async function connected(sub = 'alice', opts = {}) {
  const s = client({ auth: { token: jwt(sub) }, ...opts });
  await new Promise((resolve, reject) => {
    s.once('connect', resolve);
    s.once('connect_error', reject);
  });
  return s;
}

/** The next `event` on `s` (its first argument), or a timeout error. */
function next(s, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    s.once(event, (arg) => { clearTimeout(timer); resolve(arg); });
  });
}

async function metric(name) {
  const text = await (await fetch(`${herald.base}/metrics`)).text();
  const m = text.match(new RegExp(`^${name} (\\d+)`, 'm'));
  return m ? Number(m[1]) : NaN;
}

test('websocket transport: connect with auth, join_room acked with the position, publications as message events', async () => {
  const s = await connected('alice');
  assert.equal(s.connected, true);
  assert.equal(typeof s.id, 'string');
  const ack = await s.timeout(5000).emitWithAck('join_room', { room: 'sio:room' });
  assert.equal(ack.channel, 'sio:room');
  assert.equal(ack.offset, 0);
  assert.equal(typeof ack.epoch, 'string');

  const data = { price: 9.5, text: 'héllo "q"', nested: { ok: [1, 2] } };
  const got = next(s, 'message');
  const pub = await publish(herald.base, 'sio:room', data);
  assert.equal(pub.status, 200);
  assert.deepEqual(await got, data);

  // `subscribe` with {channel} is the same as join_room with {room}.
  const ack2 = await s.timeout(5000).emitWithAck('subscribe', { channel: 'sio:other' });
  assert.equal(ack2.channel, 'sio:other');
  const left = await s.timeout(5000).emitWithAck('leave_room', { room: 'sio:room' });
  assert.deepEqual(left, {});
  const got2 = next(s, 'message');
  await publish(herald.base, 'sio:room', { n: 'not delivered' });
  await publish(herald.base, 'sio:other', { n: 'delivered' });
  assert.deepEqual(await got2, { n: 'delivered' }, 'left rooms deliver nothing');
  assert.ok(await metric('herald_socketio_connections') >= 1);
  s.disconnect();
});

/** POST `body` (an object) to `route` of Herald's HTTP API: {status, body}. */
async function post(route, body) {
  const r = await fetch(`${herald.base}${route}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

test('publication events: the optional `event` of /api/publish, /api/batch and client publish names the Socket.IO event', async () => {
  const s = await connected('erin');
  await s.timeout(5000).emitWithAck('join_room', { room: 'sio:ev' });
  const messages = [];
  s.on('message', (m) => messages.push(m));
  const price = next(s, 'price');
  assert.equal((await post('/api/publish', { channel: 'sio:ev', data: { p: 1 }, event: 'price' })).status, 200);
  assert.deepEqual(await price, { p: 1 });

  const price2 = next(s, 'price');
  const batch = await post('/api/batch', { publications: [
    { channel: 'sio:ev', data: { p: 2 }, event: 'price' },
    { channel: 'sio:ev', data: { n: 3 }, event: 'message' },
  ] });
  assert.equal(batch.status, 200);
  assert.deepEqual(await price2, { p: 2 });
  const typing = next(s, 'chat:typing');
  const ack = await s.timeout(5000).emitWithAck('publish', { channel: 'sio:ev', data: { who: 'erin' }, event: 'chat:typing' });
  assert.equal(typeof ack.offset, 'number');
  assert.deepEqual(await typing, { who: 'erin' });
  const last = next(s, 'message');
  await publish(herald.base, 'sio:ev', { n: 4 });
  await last;
  assert.deepEqual(messages, [{ n: 3 }, { n: 4 }], 'named events are not message events');

  const bad = 'field \'event\' must be a string of 1-64 characters [A-Za-z0-9_:.-]';
  for (const event of ['', 'a b', 'x'.repeat(65), 7, null]) {
    const r = await post('/api/publish', { channel: 'sio:ev', data: 1, event });
    assert.equal(r.status, 400, JSON.stringify(event));
    assert.match(JSON.stringify(r.body), /field 'event' must be a string of 1-64 characters/);
  }
  for (const event of ['connect', 'disconnect', 'invalidate']) {
    const r = await post('/api/publish', { channel: 'sio:ev', data: 1, event });
    assert.equal(r.status, 400, event);
    assert.match(JSON.stringify(r.body), /field 'event' names a reserved event/);
  }
  const badItem = await post('/api/batch', { publications: [{ channel: 'sio:ev', data: 1, event: 'a/b' }] });
  assert.equal(badItem.status, 400);
  const refused = await s.timeout(5000).emitWithAck('publish', { channel: 'sio:ev', data: 1, event: 'a b' });
  assert.equal(refused.error.code, 400);
  assert.equal(refused.error.message, bad);
  s.disconnect();
});

test('auth refused: CONNECT_ERROR with a message the client shows', async () => {
  const bad = client({ auth: { token: 'not-a-jwt' } });
  const err = await next(bad, 'connect_error');
  assert.equal(err.message, 'invalid or expired token');
  const none = client({});
  assert.equal((await next(none, 'connect_error')).message, 'authentication required');
  const other = client({ auth: { token: jwt('alice') } }, '/admin');
  assert.equal((await next(other, 'connect_error')).message, 'Invalid namespace');
});

test('acks both ways: publish from the client follows the publish rules, errors are acked', async () => {
  const a = await connected('alice');
  const b = await connected('bob');
  await b.timeout(5000).emitWithAck('join_room', { room: 'sio:chat' });
  const got = next(b, 'message');
  const ack = await a.timeout(5000).emitWithAck('publish', { channel: 'sio:chat', data: { hi: 1 } });
  assert.equal(ack.offset, 1);
  assert.equal(typeof ack.epoch, 'string');
  assert.deepEqual(await got, { hi: 1 });
  const refused = await a.timeout(5000).emitWithAck('publish', { channel: 'sio:room', data: 1 });
  assert.equal(refused.error.code, 403, 'default publish rule: nobody');

  const forbidden = await a.timeout(5000).emitWithAck('join_room', { room: 'user:bob' });
  assert.equal(forbidden.error.code, 403);
  const unknown = await a.timeout(5000).emitWithAck('shout', { x: 1 });
  assert.equal(unknown.error.code, 400);
  const missing = await a.timeout(5000).emitWithAck('join_room', {});
  assert.equal(missing.error.code, 400);
  a.disconnect();
  b.disconnect();
});

test('the socket is in user:<sub>; invalidate frames arrive as invalidate events', async () => {
  const s = await connected('carol');
  // The user room is joined right after CONNECT: wait until a publication reaches it.
  const got = next(s, 'message', 10000);
  for (let i = 0; i < 50; i++) {
    await publish(herald.base, 'user:carol', { hello: 'carol' });
    const r = await Promise.race([got.then(() => true), new Promise((res) => setTimeout(() => res(false), 100))]);
    if (r) break;
  }
  assert.deepEqual(await got, { hello: 'carol' });
  await s.timeout(5000).emitWithAck('subscribe', { channel: 'tag:products' });
  const inv = next(s, 'invalidate');
  await publish(herald.base, 'tag:products', { tags: ['products'] });
  const frame = await inv;
  assert.equal(frame.type, 'invalidate');
  assert.deepEqual(frame.tags, ['products']);
  s.disconnect();
});

test('/api/disconnect ends the Socket.IO session without a reconnect', async () => {
  const s = await connected('dave', { reconnection: true });
  const reason = next(s, 'disconnect');
  const r = await fetch(`${herald.base}/api/disconnect`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'dave' }),
  });
  assert.equal(r.status, 200);
  assert.equal(await reason, 'io server disconnect');
  s.disconnect();
});

/** A raw Engine.IO WebSocket: resolves once open, collects text messages. */
async function rawSocket() {
  const ws = new WebSocket(`ws://127.0.0.1:${herald.port}/socket.io/?EIO=4&transport=websocket`);
  const messages = [];
  ws.on('message', (m) => messages.push(m.toString()));
  const closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return { ws, messages, closed };
}

test('engine.io handshake fields and malformed packets: a close, never a crash', async () => {
  const { ws, messages } = await rawSocket();
  const deadline = Date.now() + 5000;
  while (messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(messages[0][0], '0');
  const open = JSON.parse(messages[0].slice(1));
  assert.equal(typeof open.sid, 'string');
  assert.deepEqual(open.upgrades, []);
  assert.ok(open.pingInterval > 0 && open.pingTimeout > 0 && open.maxPayload > 0);
  ws.close();

  for (const bad of ['', 'x', '9', '4', '4x', '42', '42[', '42{}', '42[1]', '43[]', '40[]', '4/admin',
    '451-["a",{"_placeholder":true,"num":0}]', '0{}', `42${'['.repeat(100000)}`]) {
    const c = await rawSocket();
    c.ws.send(`40${JSON.stringify({ token: jwt('eve') })}`);
    c.ws.send(bad);
    const code = await c.closed;
    assert.ok(code >= 1000, `"${bad.slice(0, 20)}" closed the connection (${code})`);
  }
  const bin = await rawSocket();
  bin.ws.send(Buffer.from([1, 2, 3]));
  await bin.closed;
  assert.equal((await fetch(`${herald.base}/healthz`)).status, 200, 'the server is still up');
});

test('engine.io error answers: unknown transport, unknown sid, bad version', async () => {
  const url = (q) => `${herald.base}/socket.io/?${q}`;
  let r = await fetch(url('EIO=4&transport=carrier-pigeon'));
  assert.equal(r.status, 400);
  assert.deepEqual(await r.json(), { code: 0, message: 'Transport unknown' });
  r = await fetch(url('EIO=4&transport=websocket&sid=nope'));
  assert.equal(r.status, 400);
  assert.deepEqual(await r.json(), { code: 1, message: 'Session ID unknown' });
  r = await fetch(url('EIO=3&transport=websocket'));
  assert.equal(r.status, 400);
  assert.deepEqual(await r.json(), { code: 5, message: 'Unsupported protocol version' });
});

test('polling only: handshake, CONNECT, acks and publications over long-polling GET/POST', async () => {
  const s = await connected('frank', { transports: ['polling'] });
  assert.equal(s.io.engine.transport.name, 'polling');
  const ack = await s.timeout(5000).emitWithAck('join_room', { room: 'sio:poll' });
  assert.equal(ack.channel, 'sio:poll');
  const got = next(s, 'message');
  await publish(herald.base, 'sio:poll', { via: 'polling' });
  assert.deepEqual(await got, { via: 'polling' });
  s.disconnect();
});

test('polling then upgrade: the default client probes and moves to WebSocket without losing messages', async () => {
  const s = client({ auth: { token: jwt('gina') }, transports: ['polling', 'websocket'] });
  await next(s, 'connect');
  const upgraded = s.io.engine.transport.name === 'websocket'
    ? Promise.resolve() : new Promise((r) => s.io.engine.once('upgrade', r));
  await s.timeout(5000).emitWithAck('join_room', { room: 'sio:up' });
  const seen = [];
  s.on('message', (m) => seen.push(m.n));
  for (let n = 1; n <= 20; n++) await publish(herald.base, 'sio:up', { n });
  await upgraded;
  assert.equal(s.io.engine.transport.name, 'websocket');
  for (let n = 21; n <= 40; n++) await publish(herald.base, 'sio:up', { n });
  const deadline = Date.now() + 5000;
  while (seen.length < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen, Array.from({ length: 40 }, (_, i) => i + 1), 'all, in order, across the upgrade');
  s.disconnect();
});

test('polling error answers: unknown sid, overlapping GETs, malformed POST', async () => {
  const url = (q) => `${herald.base}/socket.io/?EIO=4&${q}`;
  let r = await fetch(url('transport=polling&sid=nope'));
  assert.equal(r.status, 400);
  assert.deepEqual(await r.json(), { code: 1, message: 'Session ID unknown' });
  r = await fetch(url('transport=polling'), { method: 'POST', body: '40' });
  assert.equal(r.status, 400);
  assert.deepEqual(await r.json(), { code: 2, message: 'Bad handshake method' });
  r = await fetch(url('transport=polling'), { headers: { origin: 'http://evil.example' } });
  assert.equal(r.status, 403, 'Origin rules as /ws');
  r = await fetch(url('transport=polling'));
  assert.equal(r.status, 200);
  const open = JSON.parse((await r.text()).slice(1));
  assert.deepEqual(open.upgrades, ['websocket']);
  const sid = open.sid;
  assert.match(sid, /^[0-9a-f]{32}$/);
  const first = fetch(url(`transport=polling&sid=${sid}`));  // waits for packets
  await new Promise((res) => setTimeout(res, 100));
  const second = await fetch(url(`transport=polling&sid=${sid}`));
  assert.equal(second.status, 400, 'a second GET while one is pending');
  r = await fetch(url(`transport=polling&sid=${sid}`), { method: 'POST', body: 'garbage\x1e' });
  assert.equal(r.status, 400);
  assert.equal((await first).status, 200, 'the pending GET is answered (close)');
  assert.equal((await fetch(`${herald.base}/healthz`)).status, 200);
});

test('reconnect with recovery: the same pid back, rooms kept, what was missed delivered in order', async () => {
  const s = client({ auth: { token: jwt('hana') }, reconnection: true, reconnectionDelay: 100,
    reconnectionDelayMax: 200 });
  await next(s, 'connect');
  assert.equal(s.recovered, false);
  await s.timeout(5000).emitWithAck('join_room', { room: 'sio:rec' });
  await s.timeout(5000).emitWithAck('join_room', { room: 'sio:rec2' });
  const seen = [];
  s.on('message', (m) => seen.push(m.n));
  for (let n = 1; n <= 3; n++) await publish(herald.base, n % 2 ? 'sio:rec' : 'sio:rec2', { n });
  let deadline = Date.now() + 5000;
  while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen, [1, 2, 3]);

  // The client stops reading, misses publications on both rooms, then reconnects.
  const back = new Promise((resolve) => s.once('connect', resolve));
  s.io.engine.close();  // a transport close: socket.io-client reconnects by itself
  for (let n = 4; n <= 9; n++) await publish(herald.base, n % 2 ? 'sio:rec' : 'sio:rec2', { n });
  await back;
  assert.equal(s.recovered, true, 'socket.recovered');
  deadline = Date.now() + 5000;
  while (seen.length < 9 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // Order holds per channel (Herald orders a channel, not channels among each other).
  assert.deepEqual([...seen].sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8, 9], 'nothing lost, nothing twice');
  assert.deepEqual(seen.filter((n) => n % 2), [1, 3, 5, 7, 9]);
  assert.deepEqual(seen.filter((n) => n % 2 === 0), [2, 4, 6, 8]);
  // Still in both rooms after the recovery, without joining again.
  const live = next(s, 'message');
  await publish(herald.base, 'sio:rec2', { n: 10 });
  assert.deepEqual(await live, { n: 10 });
  s.disconnect();
});

test('a pid nobody knows connects afresh (recovered false)', async () => {
  const raw = await rawSocket();
  raw.ws.send(`40${JSON.stringify({ token: jwt('ivan'), pid: 'f'.repeat(32), offset: 'x:y:1' })}`);
  const deadline = Date.now() + 5000;
  while (!raw.messages.some((m) => m.startsWith('40')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const connect = JSON.parse(raw.messages.find((m) => m.startsWith('40')).slice(2));
  assert.notEqual(connect.pid, 'f'.repeat(32));
  raw.ws.close();
});

test('heartbeat: the server pings every pingInterval, a client that stops answering is evicted', async () => {
  const fast = await startHerald(['--ping-interval', '1']);
  try {
    const open = (answer) => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${fast.port}/socket.io/?EIO=4&transport=websocket`);
      const seen = [];
      ws.on('message', (m) => {
        const text = m.toString();
        seen.push(text);
        if (text === '2' && answer) ws.send('3');
      });
      ws.on('close', () => resolve({ seen, closedAt: Date.now() }));
      ws.once('open', () => { ws.send('40'); setTimeout(() => ws.close(), 5000); });
      ws.once('error', reject);
    });
    const start = Date.now();  // the answering client closes itself 5 s after opening
    const [silent, alive] = await Promise.all([open(false), open(true)]);
    assert.ok(silent.seen.includes('2'), 'the server pinged');
    assert.ok(silent.closedAt < alive.closedAt, 'a client that never answers is evicted (2 x pingInterval)');
    assert.ok(alive.seen.filter((m) => m === '2').length >= 3, 'an answering client stays and keeps being pinged');
    assert.ok(alive.closedAt - start >= 4900, 'the answering client closed itself at 5 s');
  } finally {
    await fast.stop();
  }
});
