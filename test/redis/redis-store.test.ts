import { randomUUID } from 'node:crypto';
import { StoreError } from '@passport-idv/core';
import { RedisStore } from '@passport-idv/redis';
import { Redis as IORedis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// This suite is the proof that RedisStore works: without a Redis it must fail, never skip.
const url = process.env.REDIS_URL;
if (!url)
  throw new Error('REDIS_URL is not set: run with REDIS_URL=redis://127.0.0.1:6379 npx vitest run --project redis');

type Client = ReturnType<typeof createClient>;
const runPrefix = `passport-idv-test:${randomUUID()}:`;
let client: Client;
let clientErrors: Error[] = [];

async function connect(options: Parameters<typeof createClient>[0] = {}): Promise<Client> {
  const c = createClient({ url, socket: { connectTimeout: 3_000, reconnectStrategy: false }, ...options });
  c.on('error', (error: Error) => clientErrors.push(error));
  await c.connect();
  return c;
}

beforeAll(async () => {
  try {
    client = await connect();
  } catch (error) {
    throw new Error(`Redis is not reachable at REDIS_URL (${url}): ${(error as Error).message}`);
  }
});

afterAll(async () => {
  if (!client?.isOpen) return;
  // Clean up every key this run wrote.
  for await (const keys of client.scanIterator({ MATCH: `${runPrefix}*`, COUNT: 500 })) {
    if (keys.length > 0) await client.del(keys);
  }
  await client.close();
});

describe('RedisStore', () => {
  it('keeps JSON values under the prefix, with SET PX expiry', async () => {
    const store = new RedisStore({ client, prefix: `${runPrefix}shape:` });
    expect(store.prefix).toBe(`${runPrefix}shape:`);
    await store.set('a', { x: 1 }, 60_000);
    expect(await client.get(`${runPrefix}shape:a`)).toBe('{"x":1}');
    const pttl = await client.pTTL(`${runPrefix}shape:a`);
    expect(pttl).toBeGreaterThan(59_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    expect(await store.add('b', 'v', 1_500.2)).toBe(true);
    expect(await client.pTTL(`${runPrefix}shape:b`)).toBeGreaterThan(1_000);
    expect(await client.get('a')).toBeNull();
  });

  it("defaults the prefix to 'passport-idv:'", () => {
    expect(new RedisStore({ client }).prefix).toBe('passport-idv:');
  });

  it('refuses bad options with a TypeError', () => {
    for (const options of [
      undefined,
      {},
      { client: {} },
      { client, prefix: 7 },
      { client, commandTimeout: 0 },
      { client, commandTimeout: Number.POSITIVE_INFINITY },
    ]) {
      expect(() => new RedisStore(options as never)).toThrow(TypeError);
    }
  });

  it('refuses bad TTLs and values like MemoryStore', async () => {
    const store = new RedisStore({ client, prefix: runPrefix });
    await expect(store.set('k', 1, 0)).rejects.toThrow(TypeError);
    await expect(store.add('k', 1, Number.NaN)).rejects.toThrow(TypeError);
    await expect(store.set('k', undefined, 1_000)).rejects.toThrow(TypeError);
  });

  it('turns an error reply and a value that is not JSON into a StoreError that does not name the key', async () => {
    const store = new RedisStore({ client, prefix: runPrefix });
    await client.set(`${runPrefix}state:secret-state-value`, 'not json');
    const error = await store.get('state:secret-state-value').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).status).toBe(503);
    expect((error as Error).message).not.toContain('secret-state-value');
    await client.rPush(`${runPrefix}list`, 'x');
    await expect(store.take('list')).rejects.toBeInstanceOf(StoreError);
    await expect(store.add('list', 1, 1_000)).resolves.toBe(false);
  });

  it('fails at once, not after a queue, while an unreachable Redis is being reconnected', async () => {
    clientErrors = [];
    // Nothing listens on port 1; the offline queue is left enabled on purpose, as a careless app would.
    const away = createClient({ url: 'redis://127.0.0.1:1', socket: { reconnectStrategy: () => 50 } });
    away.on('error', (error: Error) => clientErrors.push(error));
    const connecting = away.connect().catch(() => undefined);
    try {
      const store = new RedisStore({ client: away, prefix: runPrefix });
      const started = performance.now();
      await expect(store.add('k', 1, 1_000)).rejects.toBeInstanceOf(StoreError);
      await expect(store.get('k')).rejects.toBeInstanceOf(StoreError);
      expect(performance.now() - started).toBeLessThan(200);
    } finally {
      away.destroy();
      await connecting;
    }
  });

  it('fails at once with ioredis too, whose offline queue would hold a command until Redis returns', async () => {
    const away = new IORedis('redis://127.0.0.1:1', { retryStrategy: () => 50 }); // ioredis defaults otherwise
    away.on('error', () => undefined);
    try {
      const store = new RedisStore({ client: away, prefix: runPrefix });
      const started = performance.now();
      await expect(store.add('k', 1, 1_000)).rejects.toThrow('Redis SET failed: the client is not connected');
      await expect(store.take('k')).rejects.toBeInstanceOf(StoreError);
      expect(performance.now() - started).toBeLessThan(200);
    } finally {
      away.disconnect();
    }
  });
});

describe('RedisStore behind ephemeralSession (two app instances)', () => {
  it('starts one session for 50 concurrent requests spread over two instances, and fails closed without Redis', async () => {
    const { startSandbox } = await import('@passport-idv/sandbox');
    const { ephemeralSession } = await import('@passport-idv/ephemeral-session');
    const sandbox = await startSandbox();
    const second = await connect();
    try {
      const prefix = `${runPrefix}handoff:`;
      const instances = [client, second].map((c) =>
        ephemeralSession({ ...sandbox.idv, clock: sandbox.clock, store: new RedisStore({ client: c, prefix }) }),
      );
      const handoffs = await Promise.all(
        Array.from({ length: 50 }, (_, i) => instances[i % 2]!.start({ user: { id: 'shared' } } as never)),
      );
      expect(new Set(handoffs.map((h) => h.sessionId)).size).toBe(1);
      expect(sandbox.requests.count({ route: 'idv.sessions' })).toBe(1);

      await second.close();
      const error = await instances[1]!.start({ user: { id: 'someone-else' } } as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(sandbox.requests.count({ route: 'idv.sessions' })).toBe(1);
    } finally {
      if (second.isOpen) await second.close();
      await sandbox.close();
    }
  });
});
