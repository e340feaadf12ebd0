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
