// BentoCache's tiered get (memory L1 + Redis L2 + Redis bus), the yardstick of the
// issue-3 target "at least 4x the ops/s of BentoCache's tiered get". Measures warm
// L1 hits of get() and getOrSet(), one at a time (as cache_bench's l1_hit does), and
// prints one JSON line per test. Usage: node tiered_get.js <redis port> [ops]
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver, redisBusDriver } from 'bentocache/drivers/redis';

const port = Number(process.argv[2]);
const ops = Number(process.argv[3] ?? 1_000_000);
const connection = { host: '127.0.0.1', port };

const bento = new BentoCache({
  default: 'tiered',
  stores: {
    tiered: bentostore()
      .useL1Layer(memoryDriver({ maxSize: '100mb' }))
      .useL2Layer(redisDriver({ connection }))
      .useBus(redisBusDriver({ connection })),
  },
});

const value = { id: 42, name: 'x'.repeat(80) };  // ~100 bytes, as cache_bench
await bento.set({ key: 'bench:hit', value, ttl: '1h' });

async function measure(name, fn) {
  for (let i = 0; i < 10_000; i++) await fn();  // warm-up (JIT)
  const samples = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) {
    if (i % 100 === 0) {
      const t0 = process.hrtime.bigint();
      await fn();
      samples.push(Number(process.hrtime.bigint() - t0));
    } else {
      await fn();
    }
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  samples.sort((a, b) => a - b);
  const pct = (p) => samples[Math.min(samples.length - 1, Math.floor(samples.length * p))];
  console.log(JSON.stringify({
    test: name, ops, ops_per_s: Math.round(ops / secs),
    p50_ns: pct(0.5), p99_ns: pct(0.99), node: process.version,
  }));
}

await measure('bentocache_get_l1_hit', () => bento.get({ key: 'bench:hit' }));
await measure('bentocache_getorset_l1_hit',
  () => bento.getOrSet({ key: 'bench:hit', factory: () => value, ttl: '1h' }));
await bento.disconnectAll();
