// Herald admin console: login, then live figures over Herald's own WebSocket (the
// JS client subscribed to this node's `herald:admin:stats:<node>` channel, which only an
// admin session may read), charts (uPlot), the nodes and channels tables, and the
// actions, which call /admin/api/* (the HTTP API's code on the server).
import { HeraldClient } from './herald.js';

const $ = (id) => document.getElementById(id);
const WINDOW = 120; // points per chart (2 minutes)

let client = null;
let charts = null;
let series = null;
let previous = null; // the last snapshot, for per-second deltas of totals
let latest = null;

async function call(method, path, body) {
  const r = await fetch(`api/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  let json = null;
  try { json = await r.json(); } catch { /* empty */ }
  return { status: r.status, headers: r.headers, body: json };
}

function showLogin(message = '') {
  $('console').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('who').textContent = '';
  $('login-error').textContent = message;
  $('password').focus();
}

async function start() {
  const s = await call('GET', 'session');
  if (s.status !== 200) return showLogin();
  openConsole(s.body);
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const r = await call('POST', 'login', { password: $('password').value });
  $('password').value = '';
  if (r.status === 200) return openConsole(r.body);
  if (r.status === 429) {
    return showLogin(`Too many failed logins: retry in ${r.headers.get('retry-after')} s`);
  }
  showLogin(r.status === 401 ? 'Wrong password' : `Login failed (${r.status})`);
});

$('logout').addEventListener('click', async () => {
  await call('POST', 'logout');
  client?.close();
  client = null;
  showLogin();
});

function openConsole(session) {
  $('login').hidden = true;
  $('console').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = `${session.admin} on node ${session.node} (${session.engine})`;
  document.body.dataset.node = session.node;
  if (!charts) charts = makeCharts();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  client = new HeraldClient(`${scheme}://${location.host}${session.ws}`, { transport: 'websocket' });
  client.on('state', (st) => {
    $('state').textContent = st;
    $('state').dataset.state = st;
  });
  client.on('disconnected', (e) => {
    if (e?.code === 4001) showLogin('Session expired: log in again');
  });
  client.connect()
    .then(() => client.subscribe(session.channel, onSnapshot))
    .catch((e) => { $('action-result').textContent = `live figures refused: ${e.message}`; });
}

// -- charts --------------------------------------------------------------------

function chart(id, labels, colors) {
  const el = $(id);
  const opts = {
    width: Math.max(el.clientWidth, 380),
    height: 170,
    legend: { live: false },
    scales: { x: { time: true } },
    series: [{}, ...labels.map((label, i) => ({ label, stroke: colors[i], width: 2 }))],
    axes: [{}, { size: 50 }],
  };
  const data = [[], ...labels.map(() => [])];
  return { plot: new window.uPlot(opts, data, el), data };
}

function makeCharts() {
  series = {};
  return {
    conn: chart('chart-conn', ['connections', 'subscriptions'], ['#3366cc', '#2e9d5b']),
    rate: chart('chart-rate', ['publications/s', 'deliveries/s'], ['#c98a1b', '#3366cc']),
    latency: chart('chart-latency', ['p50', 'p99'], ['#2e9d5b', '#b3261e']),
    drops: chart('chart-drops', ['slow consumers', 'auth'], ['#b3261e', '#7b4fb3']),
    cache: chart('chart-cache', ['L1', 'L2', 'stale'], ['#3366cc', '#2e9d5b', '#c98a1b']),
    proxy: chart('chart-proxy', ['hits/s', 'misses/s'], ['#2e9d5b', '#b3261e']),
  };
}

function push(c, t, values) {
  c.data[0].push(t);
  values.forEach((v, i) => c.data[i + 1].push(v ?? null));
  if (c.data[0].length > WINDOW) c.data.forEach((a) => a.shift());
  c.plot.setData(c.data);
}

const fmt = (v, digits = 1) => (v === null || v === undefined ? '-' : Number(v).toFixed(digits));

function ratios(cache) {
  if (!cache) return null;
  const lookups = cache.l1_hits + cache.l2_hits + cache.l2_misses;
  if (lookups === 0) return { l1: 0, l2: 0, stale: 0, all: 0 };
  return {
    l1: cache.l1_hits / lookups,
    l2: cache.l2_hits / lookups,
    stale: cache.stale / lookups,
    all: (cache.l1_hits + cache.l2_hits) / lookups,
  };
}

function onSnapshot(s) {
  if (s.node !== document.body.dataset.node) return;
  const dt = previous ? Math.max((s.at - previous.at) / 1000, 0.001) : 1;
  const perS = (now, before) => (previous && before !== undefined ? Math.max(now - before, 0) / dt : 0);
  const t = s.at / 1000;
  const cache = s.extra?.cache;
  const proxy = s.extra?.proxy;
  const r = ratios(cache);
  push(charts.conn, t, [s.connections, s.subscriptions]);
  push(charts.rate, t, [s.publications_per_s, s.deliveries_per_s]);
  push(charts.latency, t, [s.latency_p50_ms, s.latency_p99_ms]);
  push(charts.drops, t, [perS(s.slow_consumers, previous?.slow_consumers),
    perS(s.auth_disconnects, previous?.auth_disconnects)]);
  push(charts.cache, t, r ? [r.l1 * 100, r.l2 * 100, r.stale * 100] : [null, null, null]);
  $('chart-proxy').parentElement.hidden = !proxy; // only where the HTTP cache is used
  push(charts.proxy, t, proxy ? [perS(proxy.hits, previous?.extra?.proxy?.hits),
    perS(proxy.misses, previous?.extra?.proxy?.misses)] : [null, null]);

  $('stat-connections').textContent = s.connections;
  $('stat-subscriptions').textContent = s.subscriptions;
  $('stat-publications').textContent = fmt(s.publications_per_s);
  $('stat-deliveries').textContent = fmt(s.deliveries_per_s);
  $('stat-p50').textContent = fmt(s.latency_p50_ms, 2);
  $('stat-p99').textContent = fmt(s.latency_p99_ms, 2);
  $('stat-slow').textContent = s.slow_consumers;
  $('stat-auth').textContent = s.auth_disconnects;
  $('stat-cache').textContent = r ? `${(r.all * 100).toFixed(1)}%` : '-';
  $('stat-proxy').textContent = proxy ? `${proxy.hits} / ${proxy.misses}` : '-';
  document.body.dataset.snapshots = String(Number(document.body.dataset.snapshots ?? 0) + 1);
  previous = s;
  latest = s;
  renderNodes(s.nodes ?? []);
  renderChannels();
}

function cell(tr, text, num = false) {
  const td = document.createElement('td');
  td.textContent = text;
  if (num) td.className = 'num';
  tr.appendChild(td);
}

function renderNodes(nodes) {
  const body = $('nodes');
  body.replaceChildren();
  for (const n of [...nodes].sort((a, b) => String(a.node).localeCompare(String(b.node)))) {
    const tr = document.createElement('tr');
    tr.dataset.testid = `node-row-${n.node}`;
    tr.setAttribute('data-testid', `node-row-${n.node}`);
    cell(tr, n.node);
    cell(tr, n.engine);
    cell(tr, n.connections, true);
    cell(tr, n.subscriptions, true);
    cell(tr, fmt(n.publications_per_s), true);
    cell(tr, fmt(n.deliveries_per_s), true);
    cell(tr, `${Math.max(0, Math.round((Date.now() - n.at) / 1000))} s ago`);
    body.appendChild(tr);
  }
}

function renderChannels() {
  if (!latest) return;
  const q = $('channel-search').value.trim().toLowerCase();
  const rows = (latest.channels ?? []).filter((c) => !q || c.channel.toLowerCase().includes(q));
  $('channel-count').textContent = `(${latest.channel_count} with subscribers on this node)`;
  const body = $('channels');
  body.replaceChildren();
  for (const c of rows) {
    const tr = document.createElement('tr');
    tr.setAttribute('data-testid', `channel-row-${c.channel}`);
    cell(tr, c.channel);
    cell(tr, c.subscribers, true);
    cell(tr, fmt(c.per_s), true);
    cell(tr, c.history ?? '-', true);
    body.appendChild(tr);
  }
}

$('channel-search').addEventListener('input', renderChannels);

// -- actions ---------------------------------------------------------------------

const actions = {
  publish: (f) => {
    let data;
    try { data = JSON.parse(f.data.value); } catch { data = f.data.value; }
    return call('POST', 'publish', { channel: f.channel.value, data });
  },
  history: (f) => call('GET', `history/${encodeURIComponent(f.channel.value)}?limit=${Number(f.limit.value) || 10}`),
  presence: (f) => call('GET', `presence/${encodeURIComponent(f.channel.value)}`),
  disconnect: (f) => call('POST', 'disconnect', { user: f.user.value }),
  invalidate: (f) => call('POST', 'invalidate', {
    tags: f.tags.value.split(',').map((t) => t.trim()).filter(Boolean),
  }),
};

for (const form of document.querySelectorAll('.actions form')) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = form.dataset.action;
    const out = $('action-result');
    out.textContent = `${name}…`;
    out.dataset.state = 'pending';
    const r = await actions[name](form.elements);
    if (r.status === 401) return showLogin('Session expired: log in again');
    out.textContent = `${name}: ${r.status}\n${JSON.stringify(r.body, null, 2)}`;
    out.dataset.state = 'done';
    out.dataset.action = name;
    out.dataset.status = String(r.status);
  });
}

start();
