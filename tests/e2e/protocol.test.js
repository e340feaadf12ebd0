// The wire contract (protocol.md section 1-2) seen by an independent client: the
// npm `ws` package, against a real `herald serve` process on the memory engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHerald, publish } from './harness.js';
import { WsClient } from './ws_client.js';

let herald;
before(async () => { herald = await startHerald(); });
after(async () => { assert.equal(await herald.stop(), 0, 'herald exits 0 on SIGTERM'); });

test('welcome, subscribe, publish over HTTP, message with offset and untouched data', async () => {
  const c = await WsClient.connect(herald.wsUrl);
  const welcome = await c.waitFor((f) => f.type === 'welcome');
  assert.equal(typeof welcome.client, 'string');
  assert.equal(welcome.user, '');
  assert.ok(welcome.ping_interval > 0);

  const sub = await c.request({ type: 'subscribe', channel: 'e2e:basic' });
  assert.equal(sub.type, 'reply');
  assert.equal(sub.result.channel, 'e2e:basic');
  assert.equal(sub.result.offset, 0);
  assert.equal(typeof sub.result.epoch, 'string');

  const data = { price: 9.5, tags: ['a', 'b'], nested: { ok: true }, text: 'héllo "q"' };
  const pub = await publish(herald.base, 'e2e:basic', data);
  assert.equal(pub.status, 200);
  assert.equal(pub.body.offset, 1);
  assert.equal(pub.body.epoch, sub.result.epoch);

  const [msg] = await c.messages('e2e:basic', 1);
  assert.equal(msg.offset, 1);
  assert.equal(msg.epoch, sub.result.epoch);
  assert.deepEqual(msg.data, data);
  await c.close();
});

test('publications arrive in order with consecutive offsets', async () => {
  const c = await WsClient.connect(herald.wsUrl);
  await c.request({ type: 'subscribe', channel: 'e2e:order' });
  const n = 200;
  await Promise.all(Array.from({ length: n }, (_, i) => publish(herald.base, 'e2e:order', { i })));
  const msgs = await c.messages('e2e:order', n);
  msgs.forEach((m, i) => assert.equal(m.offset, i + 1));
  await c.close();
});

test('reconnect with since recovers exactly the missed messages, then live ones', async () => {
  const ch = 'e2e:recover';
  const a = await WsClient.connect(herald.wsUrl);
  const sub = await a.request({ type: 'subscribe', channel: ch });
  for (let i = 0; i < 3; i++) await publish(herald.base, ch, { i });
  const seen = await a.messages(ch, 3);
  await a.close();

  for (let i = 3; i < 8; i++) await publish(herald.base, ch, { i });

  const b = await WsClient.connect(herald.wsUrl);
  const since = { offset: seen[2].offset, epoch: sub.result.epoch };
  const re = await b.request({ type: 'subscribe', channel: ch, since });
  assert.equal(re.result.recovered, true);
  const missed = await b.messages(ch, 5);
  assert.deepEqual(missed.map((m) => m.data.i), [3, 4, 5, 6, 7]);
  assert.deepEqual(missed.map((m) => m.offset), [4, 5, 6, 7, 8]);
  await publish(herald.base, ch, { i: 8 });
  const [live] = await b.messages(ch, 1);
  assert.equal(live.offset, 9);

  const c = await WsClient.connect(herald.wsUrl);
  const wrongEpoch = await c.request({ type: 'subscribe', channel: ch, since: { offset: 2, epoch: 'nope' } });
  assert.equal(wrongEpoch.result.recovered, false);
  await b.close();
  await c.close();
});

test('errors: unparseable frame, unknown type, bad channel name, client publish denied', async () => {
  const c = await WsClient.connect(herald.wsUrl);
  c.ws.send('{not json');
  const e1 = await c.waitFor((f) => f.type === 'error' && f.id === undefined);
  assert.equal(e1.code, 400);
  const e2 = await c.request({ type: 'frobnicate' });
  assert.equal(e2.type, 'error');
  assert.equal(e2.code, 400);
  const e3 = await c.request({ type: 'subscribe', channel: 'bad channel!' });
  assert.equal(e3.type, 'error');
  assert.equal(e3.code, 400);
  const e4 = await c.request({ type: 'publish', channel: 'e2e:nopub', data: { x: 1 } });
  assert.equal(e4.type, 'error');
  assert.equal(e4.code, 403);
  await c.close();
});

test('ping, presence and history', async () => {
  const ch = 'e2e:misc';
  const c = await WsClient.connect(herald.wsUrl);
  const pong = await c.request({ type: 'ping' });
  assert.equal(pong.type, 'reply');
  assert.deepEqual(pong.result, {});
  await c.request({ type: 'subscribe', channel: ch });
  const d = await WsClient.connect(herald.wsUrl);
  await d.request({ type: 'join_room', room: ch });
  const presence = await c.request({ type: 'presence', channel: ch });
  assert.equal(presence.result.count, 2);

  for (let i = 0; i < 4; i++) await publish(herald.base, ch, { i });
  const hist = await c.request({ type: 'history', channel: ch, since: { offset: 1, epoch: '' }, limit: 2 });
  assert.equal(hist.type, 'reply');
  const http = await (await fetch(`${herald.base}/api/history/${ch}?limit=10`)).json();
  assert.deepEqual(http.messages.map((m) => m.data.i), [0, 1, 2, 3]);
  assert.equal(http.offset, 4);
  const pres = await (await fetch(`${herald.base}/api/presence/${ch}`)).json();
  assert.equal(pres.count, 2);
  await c.close();
  await d.close();
});

test('HTTP API errors are JSON with the matching status', async () => {
  const bad = await fetch(`${herald.base}/api/publish`, { method: 'POST', body: '{oops' });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.code, 400);
  const big = await fetch(`${herald.base}/api/publish`, {
    method: 'POST',
    body: JSON.stringify({ channel: 'x', data: 'y'.repeat(2 * 1024 * 1024) }),
  });
  assert.equal(big.status, 413);
  assert.equal((await fetch(`${herald.base}/healthz`)).status, 200);
  assert.equal((await fetch(`${herald.base}/readyz`)).status, 200);
});

test('SIGTERM sends disconnect with reconnect:true, then closes', async () => {
  const own = await startHerald();
  const c = await WsClient.connect(own.wsUrl);
  await c.waitFor((f) => f.type === 'welcome');
  const stopping = own.stop();
  const bye = await c.waitFor((f) => f.type === 'disconnect', 10000);
  assert.equal(bye.code, 3001);
  assert.equal(bye.reconnect, true);
  assert.equal(await stopping, 0);
});
