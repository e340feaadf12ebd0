// Herald inventory dashboard (ES module, no build step).
//
// Consistency recipe, the one every live page needs:
//   1. fetch the data; its answer carries `Herald-Position: <channel>:<epoch>:<offset>`,
//      read by the server BEFORE the data, so every change newer than the data is at
//      a higher offset;
//   2. subscribe to that channel with `since` = that position: the server replays
//      what was published in between, then streams live changes;
//   3. apply each event idempotently (a stock event says the new quantity, so
//      applying it twice, or to data that already has it, changes nothing);
//   4. when the server says `recovered:false` (history gone, server restarted), the
//      missed events are lost: refetch, and re-apply the events already received
//      that are newer than the refetched data's position.
import { HeraldClient } from '/client/herald.js';

const PER_PAGE = 25;
const FEED_LIMIT = 50;
const EVENT_MEMORY = 500;  // inventory events kept to re-apply after a refetch

const state = {
  page: 1,
  q: '',
  total: 0,
  products: new Map(),  // id -> product, the current page
  events: [],           // recent inventory events {offset, epoch, data}
  loadSeq: 0,
};

const $ = (id) => document.getElementById(id);
const money = (cents) => (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' });

/** "inventory:<epoch>:<offset>" -> {channel, epoch, offset}; null when absent. */
function parsePosition(header) {
  if (!header) return null;
  const first = header.indexOf(':');
  const last = header.lastIndexOf(':');
  if (first < 0 || last <= first) return null;
  return {
    channel: header.slice(0, first),
    epoch: header.slice(first + 1, last),
    offset: Number(header.slice(last + 1)),
  };
}

/** Calls the app's API; rejects with the server's JSON error message. */
async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  let data = null;
  try { data = await r.json(); } catch { /* not JSON */ }
  if (!r.ok) {
    const err = new Error(data?.error?.message ?? `HTTP ${r.status}`);
    err.status = r.status;
    throw err;
  }
  return { data, position: parsePosition(r.headers.get('Herald-Position')), cache: r.headers.get('X-Cache') };
}

// ---- products table -------------------------------------------------------------

function stockLevel(qty) {
  if (qty === 0) return 'out';
  if (qty <= 5) return 'low';
  return 'ok';
}

function rowHtml(p) {
  const name = escapeHtml(p.name);
  return `<td>${p.id}</td><td>${escapeHtml(p.sku)}</td><td>${name}</td>`
    + `<td>${escapeHtml(p.category)}</td><td class="num">${money(p.price_cents)}</td>`
    + `<td class="num stock" data-testid="qty-${p.id}" data-level="${stockLevel(p.quantity)}">${p.quantity}</td>`
    + `<td><div class="actions">`
    + `<button type="button" data-action="order" data-id="${p.id}" data-testid="order-one-${p.id}" aria-label="Order one ${name}">Order 1</button>`
    + `<button type="button" class="secondary" data-action="restock" data-id="${p.id}" data-testid="restock-${p.id}" aria-label="Add 10 ${name} to stock">+10</button>`
    + `</div></td>`;
}

function renderProducts() {
  const body = $('product-rows');
  body.replaceChildren(...[...state.products.values()].map((p) => {
    const tr = document.createElement('tr');
    tr.dataset.testid = `product-row-${p.id}`;
    tr.id = `product-${p.id}`;
    tr.innerHTML = rowHtml(p);
    return tr;
  }));
  const pages = Math.max(1, Math.ceil(state.total / PER_PAGE));
  $('page-info').textContent = `Page ${state.page} of ${pages} (${state.total} products)`;
  $('prev-page').disabled = state.page <= 1;
  $('next-page').disabled = state.page >= pages;
}

function updateRow(p, flash) {
  const tr = $(`product-${p.id}`);
  if (!tr) return;
  tr.innerHTML = rowHtml(p);
  if (flash) {
    tr.classList.remove('flash');
    void tr.offsetWidth;  // restart the animation
    tr.classList.add('flash');
  }
}

/** Loads the current page; returns its position on `inventory`. */
async function loadProducts() {
  const seq = ++state.loadSeq;
  const params = new URLSearchParams({ page: String(state.page), per_page: String(PER_PAGE) });
  if (state.q) params.set('q', state.q);
  const { data, position } = await api('GET', `/api/products?${params}`);
  if (seq !== state.loadSeq) return position;  // a newer load superseded this one
  state.total = data.total;
  state.products = new Map(data.items.map((p) => [p.id, p]));
  // Events already received that are newer than this data: apply them again.
  if (position) {
    for (const ev of state.events) {
      if (ev.epoch === position.epoch && ev.offset > position.offset) applyInventory(ev.data, false);
    }
  }
  renderProducts();
  return position;
}

/** One `inventory` event (idempotent). */
function applyInventory(data, live) {
  if (data.type === 'stock') {
    const p = state.products.get(data.product_id);
    if (!p) return;
    p.quantity = data.new;
    if (live) updateRow(p, true);
  } else if (data.type === 'product') {
    const p = data.product;
    if (state.products.has(p.id)) {
      state.products.set(p.id, p);
      if (live) updateRow(p, true);
    } else if (data.action === 'created' && live) {
      scheduleReload();
    }
  }
}

let reloadTimer = null;
function scheduleReload() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => loadProducts().catch(showError), 200);
}

// ---- dashboard summary ----------------------------------------------------------

async function loadDashboard() {
  const { data, position } = await api('GET', '/api/dashboard');
  const rows = [
    ['Products', data.products], ['Units in stock', data.units_in_stock],
    ['Stock value', money(data.stock_value_cents)], ['Low stock', data.low_stock],
    ['Out of stock', data.out_of_stock], ['Orders', data.orders], ['Units sold', data.units_sold],
    ['Revenue', money(data.revenue_cents)], ['Average order', money(data.average_order_cents)],
  ];
  $('summary').innerHTML = rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
  $('top-products').innerHTML = data.top_products
    .map((t) => `<li>${escapeHtml(t.name)}: ${t.units} sold, ${money(t.revenue_cents)}</li>`).join('');
  return position;
}

let dashboardTimer = null;
function scheduleDashboard() {
  clearTimeout(dashboardTimer);
  dashboardTimer = setTimeout(() => loadDashboard().catch(() => {}), 300);
}

// ---- live feed, badge, stats ----------------------------------------------------

function describe(data) {
  if (data.type === 'stock') {
    const name = state.products.get(data.product_id)?.name ?? `product ${data.product_id}`;
    return `Stock of #${data.product_id} ${name}: ${data.old} → ${data.new} (${data.reason})`;
  }
  if (data.type === 'order') {
    const units = (data.items ?? []).reduce((n, i) => n + i.qty, 0);
    return `Order #${data.id} ${data.status}: ${units} item(s), ${money(data.total_cents)}`;
  }
  if (data.type === 'product') return `Product #${data.product.id} ${data.action}: ${data.product.name}`;
  return JSON.stringify(data);
}

function feed(text) {
  const li = document.createElement('li');
  const time = document.createElement('time');
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString();
  li.append(time, document.createTextNode(text));
  const list = $('event-feed');
  list.prepend(li);
  while (list.children.length > FEED_LIMIT) list.lastElementChild.remove();
}

// The badge shows the client's state, except that reconnect attempts after a loss
// stay "disconnected" (with a hint) until one succeeds: the data is not live then.
let everConnected = false;
function setBadge(s) {
  const badge = $('connection');
  let shown = s;
  let text = s;
  if (s === 'connected') everConnected = true;
  if (s === 'connecting' && everConnected) {
    shown = 'disconnected';
    text = 'disconnected, reconnecting…';
  }
  badge.dataset.state = shown;
  badge.textContent = text;
}

async function pollStats() {
  try {
    const { data } = await api('GET', '/api/stats');
    $('hit-ratio').textContent = `${(data.hit_ratio * 100).toFixed(1)}%`;
    $('hit-detail').textContent = `(${data.hits} hits / ${data.hits + data.misses} lookups)`;
  } catch { /* the server is away: the badge says so */ }
}

function status(text, kind) {
  const el = $('form-status');
  el.textContent = text;
  el.dataset.kind = kind;
}
const showError = (e) => status(e.message, 'error');

// ---- writes -----------------------------------------------------------------------

async function placeOrder(productId, qty) {
  const { data } = await api('POST', '/api/orders', { items: [{ product_id: productId, qty }] });
  status(`Order #${data.id} placed (${money(data.total_cents)})`, 'ok');
}

async function adjust(productId, delta, reason) {
  const { data } = await api('POST', `/api/inventory/${productId}/adjust`, { delta, reason });
  status(`Stock of #${data.product_id}: ${data.old} → ${data.new}`, 'ok');
}

function wireForms() {
  $('order-form').addEventListener('submit', (e) => {
    e.preventDefault();
    placeOrder(Number($('order-product').value), Number($('order-qty').value)).catch(showError);
  });
  $('adjust-form').addEventListener('submit', (e) => {
    e.preventDefault();
    adjust(Number($('adjust-product').value), Number($('adjust-delta').value), $('adjust-reason').value)
      .catch(showError);
  });
  $('product-rows').addEventListener('click', (e) => {
    const button = e.target.closest('button[data-action]');
    if (!button) return;
    const id = Number(button.dataset.id);
    if (button.dataset.action === 'order') placeOrder(id, 1).catch(showError);
    else adjust(id, 10, 'restock').catch(showError);
  });
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.q = $('search').value.trim();
    state.page = 1;
    loadProducts().catch(showError);
  });
  $('prev-page').addEventListener('click', () => { state.page -= 1; loadProducts().catch(showError); });
  $('next-page').addEventListener('click', () => { state.page += 1; loadProducts().catch(showError); });
}

// ---- start ------------------------------------------------------------------------

function since(position) {
  return position ? { offset: position.offset, epoch: position.epoch } : undefined;
}

async function start() {
  wireForms();
  const [inventoryPos, ordersPos] = await Promise.all([loadProducts(), loadDashboard()]);
  pollStats();
  setInterval(pollStats, 3000);

  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  // WebSocket only: the page and /ws share an origin, so no proxy is in the way, and
  // the SSE fallback would otherwise kick in after a few attempts during an outage.
  const client = new HeraldClient(wsUrl, { transport: 'websocket' });
  client.on('state', setBadge);
  client.on('error', (e) => console.warn('herald:', e.message));

  const refetchProducts = () => loadProducts().catch(showError);
  const inventory = client.subscribe('inventory', (data, frame) => {
    state.events.push({ offset: frame.offset, epoch: frame.epoch, data });
    if (state.events.length > EVENT_MEMORY) state.events.shift();
    applyInventory(data, true);
    feed(describe(data));
    scheduleDashboard();
  }, {
    since: since(inventoryPos),
    onRecovery: (e) => {
      if (e.recovered) return;
      feed('Reconnected: changes made meanwhile could not be replayed; data reloaded');
      refetchProducts();
      scheduleDashboard();
    },
  });
  const orders = client.subscribe('orders', (data) => {
    feed(describe(data));
    scheduleDashboard();
  }, {
    since: since(ordersPos),
    onRecovery: (e) => { if (!e.recovered) scheduleDashboard(); },
  });
  client.connect().catch((e) => console.warn('herald connect:', e.message));
  // The first subscribe with `since`: not recovered means our data may be older
  // than what the server can replay: refetch.
  inventory.then((r) => { if (inventoryPos && !r.recovered) refetchProducts(); }).catch(showError);
  orders.then((r) => { if (ordersPos && !r.recovered) scheduleDashboard(); }).catch(() => {});
  window.heraldInventory = { client, state };  // for the console and the e2e tests
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

start().catch((e) => {
  setBadge('disconnected');
  status(`Could not start: ${e.message}`, 'error');
});
