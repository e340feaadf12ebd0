// A small products-and-orders app in plain Node (node:http only, no dependencies),
// written to run behind `herald serve --upstream`. It has no cache code at all: its
// GET answers say how long they may be cached and which tags they carry, and the
// route rule in herald.toml drops the `products` tag after every successful order,
// which also tells every open page (subscribed to `tag:products`) to refetch.
//
//   node examples/node-app/server.js 3000
//   herald serve --config examples/node-app/herald.toml
//   open http://127.0.0.1:8080/  (two windows; order in one, watch the other)
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const clientDir = path.join(here, '..', '..', 'clients', 'js');
const port = Number(process.argv[2] ?? process.env.PORT ?? 3000);

const products = new Map([
  [1, { id: 1, name: 'Desk lamp', stock: 12 }],
  [2, { id: 2, name: 'Notebook', stock: 40 }],
  [3, { id: 3, name: 'Fountain pen', stock: 5 }],
]);
let orders = 0;
const served = { reads: 0, writes: 0 }; // requests that reached the app

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readJson(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  try { return JSON.parse(raw || '{}'); } catch { return null; }
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://app');
  const p = url.pathname;
  if (req.method === 'GET' && p === '/') {
    const html = await readFile(path.join(here, 'index.html'));
    res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-store' });
    return res.end(html);
  }
  if (req.method === 'GET' && ['/herald.js', '/backoff.js', '/sse_transport.js'].includes(p)) {
    const js = await readFile(path.join(clientDir, p.slice(1)));
    res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'max-age=300' });
    return res.end(js);
  }
  if (req.method === 'GET' && p === '/stats') {
    return send(res, 200, { ...served, orders }, { 'Cache-Control': 'no-store' });
  }
  if (req.method === 'GET' && p === '/api/products') {
    served.reads++;
    // Herald (Surrogate-Control) keeps it 60 s, serves it stale for 30 s more while it
    // refreshes, and drops it at once when `products` is invalidated. Browsers
    // (Cache-Control) ask Herald every time, so an invalidation shows at once.
    return send(res, 200, [...products.values()], {
      'Cache-Control': 'no-cache',
      'Surrogate-Control': 'max-age=60, stale-while-revalidate=30',
      'Surrogate-Key': 'products',
    });
  }
  const one = p.match(/^\/api\/products\/(\d+)$/);
  if (req.method === 'GET' && one) {
    served.reads++;
    const product = products.get(Number(one[1]));
    if (!product) return send(res, 404, { error: 'no such product' }, { 'Surrogate-Control': 'max-age=10' });
    return send(res, 200, product, {
      'Cache-Control': 'no-cache',
      'Surrogate-Control': 'max-age=60',
      'Surrogate-Key': `products product:${product.id}`,
    });
  }
  if (req.method === 'POST' && p === '/api/orders') {
    served.writes++;
    const body = await readJson(req);
    const product = body && products.get(Number(body.productId));
    const qty = Number(body?.qty ?? 1);
    if (!product || !(qty > 0)) return send(res, 400, { error: 'bad order' });
    if (product.stock < qty) return send(res, 409, { error: 'out of stock' });
    product.stock -= qty;
    orders++;
    return send(res, 201, { order: orders, product });
  }
  send(res, 404, { error: 'not found' });
});

server.listen(port, '127.0.0.1', () => console.log(`node-app on http://127.0.0.1:${port}`));
