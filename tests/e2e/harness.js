// Test harness: starts a real `herald serve` on a free loopback port for a test
// file, waits until /healthz answers, and stops it (SIGTERM, then SIGKILL) after.
// The binary is $HERALD_BIN, else the dev build (what scripts/test.sh builds).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function heraldBinary() {
  const candidates = [process.env.HERALD_BIN, `${root}/build/dev/src/app/herald`,
    `${root}/build/release/src/app/herald`].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no herald binary (tried ${candidates.join(', ')})`);
  return found;
}

/**
 * A free loopback port below the kernel's ephemeral range (32768+), for a server
 * that is killed and restarted on the same port: while it is down, clients
 * reconnecting to it use ephemeral source ports, and one that drew the server's own
 * port would connect to itself (TCP self-connect) and keep the port from the restart.
 */
export async function freeListenPort() {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const ok = await new Promise((resolve) => {
      const srv = createServer();
      srv.unref();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port in 20000-31999');
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function startHerald(extraArgs = [], env = {}) {
  const port = await freePort();
  const child = spawn(heraldBinary(), ['serve', '--listen', `127.0.0.1:${port}`, ...extraArgs], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`herald exited early (${child.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`herald did not come up:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    base,
    pid: child.pid,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    log: () => log,
    /// SIGKILL: a node dying without any cleanup.
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      if (child.signalCode !== null) return child.signalCode;  // already killed
      const exited = new Promise((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export async function publish(base, channel, data, headers = {}) {
  const r = await fetch(`${base}/api/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ channel, data }),
  });
  return { status: r.status, body: await r.json() };
}

// `herald demo` (the inventory app) on a loopback port with its own SQLite file.
// Pass the same {port, db} again to restart it where it was (same data, same URL).
// kill() is SIGKILL (a crash: no drain); stop() is the graceful SIGTERM path.
export async function startDemo({ port, db, args = [], env = {} } = {}) {
  port = port ?? await freePort();
  if (!db) throw new Error('startDemo: give a db path (a temp file)');
  const child = spawn(heraldBinary(), ['demo', '--listen', `127.0.0.1:${port}`, '--db', db, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;  // the first run creates and seeds the database
  for (;;) {
    if (child.exitCode !== null) throw new Error(`herald demo exited early (${child.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${base}/api/stats`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`herald demo did not come up:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)));
  return {
    port,
    db,
    base,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    log: () => log,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
