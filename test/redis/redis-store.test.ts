import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { StoreError } from '@passport-idv/core';
import { RedisStore } from '@passport-idv/redis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStoreContract } from '../../packages/core/test/store-contract.js';

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

describeStoreContract('RedisStore', async () => ({
  store: new RedisStore({ client, prefix: `${runPrefix}contract:` }),
  // Redis expires keys on its own clock: wait for real.
  advance: (ms) => delay(ms),
}));

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

  it('fails every operation with a StoreError at once when the client is closed', async () => {
    const closed = await connect();
    const store = new RedisStore({ client: closed, prefix: runPrefix });
    await closed.close();
    const started = performance.now();
    for (const operation of [
      () => store.get('k'),
      () => store.set('k', 1, 1_000),
      () => store.add('k', 1, 1_000),
      () => store.take('k'),
      () => store.delete('k'),
    ]) {
      await expect(operation()).rejects.toBeInstanceOf(StoreError);
    }
    expect(performance.now() - started).toBeLessThan(200);
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

  it('fails with a StoreError after commandTimeout when Redis does not answer', async () => {
    // A server that completes node-redis's connection handshake, then goes silent (a hung Redis), without pausing
    // the machine's Redis for everyone else.
    let silent = false;
    const server = net.createServer((socket) => {
      socket.on('data', (chunk) => {
        if (silent) return;
        const commands = chunk.toString('latin1').match(/(^|\r\n)\*\d+\r\n/g)?.length ?? 0;
        socket.write('+OK\r\n'.repeat(commands));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const hung = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
    hung.on('error', (error: Error) => clientErrors.push(error));
    await hung.connect();
    silent = true;
    try {
      const store = new RedisStore({ client: hung, prefix: runPrefix, commandTimeout: 150 });
      const started = performance.now();
      const error = await store.set('slow', 1, 1_000).catch((e: unknown) => e);
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toContain('no answer within 150ms');
      expect(elapsed).toBeGreaterThanOrEqual(140);
      expect(elapsed).toBeLessThan(500);
    } finally {
      hung.destroy();
      server.close();
    }
  });

  it('shares single use between two clients (two app instances)', async () => {
    const other = await connect();
    try {
      const a = new RedisStore({ client, prefix: `${runPrefix}shared:` });
      const b = new RedisStore({ client: other, prefix: `${runPrefix}shared:` });
      await a.set('state', { returnTo: '/' }, 10_000);
      const taken = await Promise.all([a.take('state'), b.take('state'), a.take('state'), b.take('state')]);
      expect(taken.filter((value) => value !== undefined)).toEqual([{ returnTo: '/' }]);
      const added = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).add('lock', i, 10_000)));
      expect(added.filter(Boolean)).toHaveLength(1);
    } finally {
      await other.close();
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
