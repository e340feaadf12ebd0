// Browser helpers shared by the dashboard suites: Debian's Chromium through
// playwright-core (headless, no download), a dashboard page that is connected and
// showing products, and a JSON call to the demo's HTTP API.
import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page on the dashboard, with uncaught errors collected in page.errors. */
export async function openDashboard(browser, base) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${base}/`);
  await page.waitForSelector('[data-testid="connection-status"][data-state="connected"]', { timeout: 10000 });
  await page.waitForSelector('[data-testid^="product-row-"]');
  return page;
}

export async function api(base, method, p, body) {
  const r = await fetch(`${base}${p}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, headers: r.headers, body: await r.json() };
}

/**
 * Clicks "Order 1" for product `id` in page `from` and resolves, once page `to` shows
 * `want` as that product's stock, with the milliseconds between the two, timed
 * inside the pages on the machine's one wall clock: from `from`'s fetch of the order
 * to `to`'s DOM change. Playwright's own click overhead (actionability checks, CDP
 * round trips) is not Herald's latency; on a loaded 2-core CI machine, with the e2e
 * files running in parallel, it alone took hundreds of ms.
 */
export async function timeOrderAcross(from, to, id, want, timeout = 5000) {
  await from.evaluate(() => {
    window.__writeSentAt = undefined;
    if (window.__fetchStamped) return;
    window.__fetchStamped = true;
    const original = window.fetch;
    window.fetch = (input, init) => {
      if ((init?.method ?? 'GET') !== 'GET' && window.__writeSentAt === undefined) {
        window.__writeSentAt = performance.timeOrigin + performance.now();
      }
      return original(input, init);
    };
  });
  await to.evaluate(([pid, text]) => {
    window.__shownAt = undefined;
    const observer = new MutationObserver(() => {
      if (document.querySelector(`[data-testid="qty-${pid}"]`)?.textContent !== text) return;
      window.__shownAt = performance.timeOrigin + performance.now();
      observer.disconnect();
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  }, [id, String(want)]);
  const shown = to.waitForFunction(() => window.__shownAt !== undefined, null, { timeout, polling: 'raf' });
  await from.click(`[data-testid="order-one-${id}"]`);
  await shown;
  const sentAt = await from.evaluate(() => window.__writeSentAt);
  const shownAt = await to.evaluate(() => window.__shownAt);
  if (sentAt === undefined) throw new Error('the click sent no write');
  return Math.round(shownAt - sentAt);
}
