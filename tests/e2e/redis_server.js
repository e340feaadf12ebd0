// A private redis-server for a test file: a free loopback port, no persistence unless
// asked, killed with the test process. kill9() and restart() (same port, same data
// directory) simulate a crash and a recovery.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeListenPort } from './harness.js';

export async function startRedis({ persist = false } = {}) {
  const port = await freeListenPort();  // restarted on it: see freeListenPort
  // Not "herald-redis-": the C++ tests' RedisServer clears that prefix's stale dirs
  // (named after their test's pid), and ctest runs this suite next to them.
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-e2e-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  // appendfsync always: a write acknowledged before kill -9 is still there after it.
  args.push(...(persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  let child = null;
  const up = async () => {
    let log = '';
    child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    // 30 s: a restart replays the append-only file, on a machine busy with the test.
    const deadline = Date.now() + 30000;
    while (cli(['PING']) !== 'PONG') {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode}):\n${log.slice(-2000)}`);
      }
      if (Date.now() > deadline) throw new Error(`redis-server did not start:\n${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const cli = (cmd) => {
    const r = spawnSync('redis-cli', ['-p', String(port), ...cmd], { encoding: 'utf8' });
    return (r.stdout ?? '').trim();
  };
  await up();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    cli,
    async kill9() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    restart: up,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
