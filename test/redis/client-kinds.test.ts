import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { StoreError } from '@passport-idv/core';
import { RedisStore } from '@passport-idv/redis';
import { createClient } from 'redis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { describeStoreContract } from '../../packages/core/test/store-contract.js';
import { type ClientKind, type Connected, connect } from './clients.js';
import { fakeRedis, redirectForever } from './fake-redis.js';

// RedisStore on every client it takes: node-redis and ioredis on one Redis (the machine's, REDIS_URL), and the
// cluster clients of node-redis, ioredis and iovalkey on the Redis Cluster the suite started (3 masters, 3 replicas).
const url = process.env.REDIS_URL;
if (!url) throw new Error('REDIS_URL is not set: run with REDIS_URL=redis://127.0.0.1:6379 (npm run test:redis)');
const target = { url, nodes: inject('redisCluster') };
const runPrefix = `passport-idv-test:${randomUUID()}:`;

const SINGLE: ClientKind[] = ['node-redis', 'ioredis'];
const CLUSTER: ClientKind[] = ['node-redis cluster', 'ioredis Cluster', 'iovalkey Cluster'];
const DETECTED = {
  'node-redis': 'node-redis',
  ioredis: 'ioredis',
  'node-redis cluster': 'node-redis-cluster',
  'ioredis Cluster': 'ioredis',
  'iovalkey Cluster': 'ioredis',
} as const;

afterAll(async () => {
  // The single-node runs wrote to the machine's Redis: delete what this run wrote there.
  const client = createClient({ url });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${runPrefix}*`, COUNT: 500 })) {
    if (keys.length > 0) await client.del(keys);
  }
  await client.close();
});

for (const kind of [...SINGLE, ...CLUSTER]) {
  const cluster = CLUSTER.includes(kind);
  describe(`RedisStore on ${kind}${cluster ? ' (Redis Cluster)' : ''}`, () => {
    describeStoreContract(`RedisStore on ${kind}`, async () => {
      const connected = await connect(kind, target);
      return {
        store: new RedisStore({ client: connected.client, prefix: `${runPrefix}${randomUUID()}:` }),
        advance: (ms) => delay(ms), // Redis expires keys on its own clock: wait for real
        close: () => connected.close(),
      };
    });

    it('needs no other option: the kind is told from the shape', async () => {
      const connected = await connect(kind, target);
      try {
        expect(new RedisStore({ client: connected.client }).clientKind).toBe(DETECTED[kind]);
      } finally {
        await connected.close();
      }
    });

    it('single use holds between two clients (two app instances): 200 adds, 50 takes of one key', async () => {
      const clients = await Promise.all([connect(kind, target), connect(kind, target)]);
      try {
        const prefix = `${runPrefix}${randomUUID()}:`;
        const [a, b] = clients.map(({ client }) => new RedisStore({ client, prefix })) as [RedisStore, RedisStore];
        const added = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).add('used', i, 10_000)));
        expect(added.filter(Boolean)).toHaveLength(1);
        await a.set('state', { returnTo: '/' }, 10_000);
        const taken = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).take('state')));
        expect(taken.filter((value) => value !== undefined)).toEqual([{ returnTo: '/' }]);
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
    });

    it('writes JSON with a PX expiry under the prefix', async () => {
      const connected = await connect(kind, target);
      try {
        const prefix = `${runPrefix}${randomUUID()}:`;
        const store = new RedisStore({ client: connected.client, prefix });
        await store.set('a', { x: 1 }, 60_000);
        expect(await connected.raw(['GET', `${prefix}a`], `${prefix}a`)).toBe('{"x":1}');
        const pttl = Number(await connected.raw(['PTTL', `${prefix}a`], `${prefix}a`));
        expect(pttl).toBeGreaterThan(59_000);
        expect(pttl).toBeLessThanOrEqual(60_000);
      } finally {
        await connected.close();
      }
    });

    if (cluster) {
      it("spreads one store's keys over every master (no hash tag in the keys)", async () => {
        const connected = await connect(kind, target);
        try {
          const prefix = `${runPrefix}${randomUUID()}:`;
          const store = new RedisStore({ client: connected.client, prefix });
          const keys = Array.from({ length: 60 }, (_, i) => `authenteq:state:${i}`);
          await Promise.all(keys.map((key) => store.set(key, 1, 60_000)));
          const slots = await Promise.all(
            keys.map(async (key) => Number(await connected.raw(['CLUSTER', 'KEYSLOT', `${prefix}${key}`]))),
          );
          // Three masters serve 0–5460, 5461–10922 and 10923–16383 (`redis-cli --cluster create`).
          expect(new Set(slots.map((slot) => Math.floor(slot / 5461.34)))).toEqual(new Set([0, 1, 2]));
          expect(await Promise.all(keys.map((key) => store.get(key)))).toEqual(keys.map(() => 1));
        } finally {
          await connected.close();
        }
      });

      it('fails with a StoreError once the redirections run out, not after a hang', async () => {
        const fake = await fakeRedis(redirectForever);
        const connected = await connect(kind, { url, nodes: `127.0.0.1:${fake.port}` });
        try {
          const store = new RedisStore({ client: connected.client, prefix: runPrefix, commandTimeout: 5_000 });
          const started = performance.now();
          const error = await store.set('k', 1, 1_000).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(StoreError);
          expect((error as Error).message).toMatch(/^Redis SET failed: (too many cluster redirections|MOVED)/);
          expect(performance.now() - started).toBeLessThan(5_000);
          expect(fake.received.get('SET')).toBeGreaterThan(1); // it did follow them
        } finally {
          await connected.close();
          await fake.close();
        }
      });
    } else {
      it('fails with a StoreError after commandTimeout when Redis does not answer', async () => {
        let silent = false; // answers the handshake, then nothing: a hung Redis
        const fake = await fakeRedis(() => (silent ? undefined : '+OK\r\n'));
        const connected = await connect(kind, { url: `redis://127.0.0.1:${fake.port}`, nodes: '' });
        silent = true;
        try {
          const store = new RedisStore({ client: connected.client, prefix: runPrefix, commandTimeout: 150 });
          const started = performance.now();
          const error = await store.add('slow', 1, 1_000).catch((e: unknown) => e);
          const elapsed = performance.now() - started;
          expect(error).toBeInstanceOf(StoreError);
          expect((error as Error).message).toBe('Redis SET failed: no answer within 150ms');
          expect(elapsed).toBeGreaterThanOrEqual(140);
          expect(elapsed).toBeLessThan(500);
        } finally {
          connected.destroy();
          await fake.close();
        }
      });
    }

    it('fails every operation at once with a StoreError once the client is closed', async () => {
      const connected: Connected = await connect(kind, target);
      const store = new RedisStore({ client: connected.client, prefix: runPrefix });
      await connected.close();
      const started = performance.now();
      for (const operation of [
        () => store.get('k'),
        () => store.set('k', 1, 1_000),
        () => store.add('k', 1, 1_000),
        () => store.take('k'),
        () => store.delete('k'),
      ]) {
        await expect(operation()).rejects.toThrow(/^Redis \w+ failed: the client is not connected$/);
      }
      expect(performance.now() - started).toBeLessThan(200);
    });
  });
}

describe('RedisStore options', () => {
  it('refuses a client of no kind it knows', () => {
    for (const client of [{}, { sendCommand: 1 }, { call: () => undefined }, { status: 'ready' }, 'redis://x']) {
      expect(() => new RedisStore({ client } as never)).toThrow(/node-redis client or cluster .* ioredis/);
    }
  });
});
