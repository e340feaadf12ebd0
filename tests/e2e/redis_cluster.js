// A private Redis Cluster for a test file: three primaries with one replica each, real
// redis-server processes on loopback ports joined by `redis-cli --cluster create`,
// killed with the test process. The object it returns has the shape of
// redis_server.js's (url, cli, stop) so a suite runs unchanged on either; kill9Owner()
// kills the primary that owns a key's slot and waits until its replica took over.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeListenPort } from './harness.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function canListen(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/// A port whose cluster bus port (port + 10000) is free as well.
async function freeClusterPort(taken) {
  for (;;) {
    const port = await freeListenPort();
    if (!taken.has(port) && !taken.has(port + 10000) && (await canListen(port + 10000))) {
      taken.add(port);
      taken.add(port + 10000);
      return port;
    }
  }
}

function cliAt(port, cmd, follow = false) {
  const r = spawnSync('redis-cli', [...(follow ? ['-c'] : []), '-p', String(port), ...cmd],
    { encoding: 'utf8' });
  return (r.stdout ?? '').trim();
}

async function waitFor(what, pred, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`Redis Cluster: timed out waiting for ${what}`);
    await sleep(50);
  }
}

export async function startRedisCluster({ replicas = 1 } = {}) {
  const taken = new Set();
  const nodes = [];
  for (let i = 0; i < 3 * (1 + replicas); i++) {
    const port = await freeClusterPort(taken);
    const dir = mkdtempSync(path.join(tmpdir(), 'herald-rcluster-'));
    // Node timeout 2 s: a killed primary is replaced within a few seconds. A replica
    // may take over however long it was cut off (validity factor 0).
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1',
      '--dir', dir, '--save', '', '--appendonly', 'no', '--cluster-enabled', 'yes',
      '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000',
      '--cluster-require-full-coverage', 'no', '--repl-diskless-sync-delay', '0',
      '--cluster-replica-validity-factor', '0'], { stdio: 'ignore' });
    nodes.push({ port, dir, child });
  }
  const stop = async () => {
    await Promise.all(nodes.map(async (n) => {
      if (n.child.exitCode === null && n.child.signalCode === null) {
        const exited = new Promise((r) => n.child.once('exit', r));
        n.child.kill('SIGKILL');
        await exited;
      }
      rmSync(n.dir, { recursive: true, force: true });
    }));
  };
  try {
    for (const n of nodes) await waitFor(`redis-server on ${n.port}`, () => cliAt(n.port, ['PING']) === 'PONG');
    const create = spawnSync('redis-cli', ['--cluster', 'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', String(replicas),
      '--cluster-yes'], { encoding: 'utf8' });
    if (!create.stdout.includes('[OK] All 16384 slots covered')) {
      throw new Error(`redis-cli --cluster create failed:\n${create.stdout}${create.stderr}`);
    }
    await waitFor('cluster_state:ok on every node',
      () => nodes.every((n) => cliAt(n.port, ['CLUSTER', 'INFO']).includes('cluster_state:ok')));
    await waitFor('every replica in sync', () => nodes.every((n) => {
      const info = cliAt(n.port, ['INFO', 'replication']);
      return !info.includes('role:slave') || info.includes('master_link_status:up');
    }));
    await waitFor('every node agreeing on the slots',
      () => cliAt(nodes[0].port, ['--cluster', 'check', `127.0.0.1:${nodes[0].port}`]).includes('All nodes agree'));
  } catch (e) {
    await stop();
    throw e;
  }
  const alive = () => nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  return {
    topology: 'cluster',
    url: `redis+cluster://127.0.0.1:${nodes[0].port},127.0.0.1:${nodes[1].port}`,
    /// redis-cli -c on a live node: follows MOVED to the key's primary.
    cli: (cmd) => cliAt(alive()[0].port, cmd, true),
    /// Kills (-9) the primary that owns `key`'s slot; resolves once another node is
    /// primary for that slot and the cluster says ok again.
    async kill9Owner(key) {
      const slot = cliAt(alive()[0].port, ['CLUSTER', 'KEYSLOT', key]);
      const owns = (n) => cliAt(n.port, ['ROLE']).startsWith('master') &&
        !cliAt(n.port, ['TYPE', key]).includes('MOVED');
      const owner = alive().find(owns);
      if (!owner) throw new Error(`no primary owns slot ${slot}`);
      const exited = new Promise((r) => owner.child.once('exit', r));
      owner.child.kill('SIGKILL');
      await exited;
      return {
        /// Resolves when a replica has taken over the slot.
        failedOver: waitFor(`a new primary for slot ${slot}`, () => alive().some((n) =>
          owns(n) && cliAt(n.port, ['CLUSTER', 'INFO']).includes('cluster_state:ok'))),
      };
    },
    stop,
  };
}
