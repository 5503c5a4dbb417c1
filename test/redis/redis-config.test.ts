import { RedisStore } from '@passport-idv/redis';
import { Redis as IORedis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OwnedRedis } from '../multi-instance/owned-redis.js';
import { waitFor } from '../multi-instance/wait.js';

// Redis servers configured as deployments find them: one that evicts keys under memory pressure, one that forbids
// CONFIG (as managed services often do), one that predates GETDEL. Each is a redis-server this file starts.
const owned: OwnedRedis[] = [];
const clients: { close(): Promise<unknown> }[] = [];
let warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
const evictionWarnings = () => warnings.filter((w) => (w as { code?: string }).code === 'PASSPORT_IDV_REDIS_EVICTION');

async function server(args: string[] = []): Promise<OwnedRedis> {
  const redis = await OwnedRedis.start(args);
  owned.push(redis);
  return redis;
}

async function nodeRedis(url: string) {
  const client = createClient({ url, disableOfflineQueue: true });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

/** Lets every reply already received, and what it set off, run (the policy's reply came before the command's). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});
afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await Promise.allSettled(owned.map((redis) => redis.kill()));
});

describe('a Redis that evicts keys', () => {
  it('gets one warning per client naming its policy, however many stores and commands use the client', async () => {
    const redis = await server(['--maxmemory-policy', 'allkeys-lru']);
    const client = await nodeRedis(redis.url);
    const stores = ['a:', 'b:', 'c:'].map((prefix) => new RedisStore({ client, prefix }));
    for (const store of stores) {
      await store.set('k', 1, 10_000);
      expect(await store.take('k')).toBe(1);
    }
    await waitFor(() => evictionWarnings().length > 0, { what: 'the eviction warning' });
    await stores[0]?.get('k');
    await settle();
    expect(evictionWarnings()).toHaveLength(1);
    const [warning] = evictionWarnings();
    expect(warning?.name).toBe('PassportIdvWarning');
    expect(warning?.message).toContain('maxmemory-policy is "allkeys-lru"');
    expect(warning?.message).toContain('noeviction');

    // Another client (ioredis here) is checked on its own; volatile-* policies evict passport-idv's keys too (every
    // one has a TTL).
    await client.configSet('maxmemory-policy', 'volatile-ttl');
    const other = new IORedis(redis.url);
    clients.push({ close: () => other.quit() });
    await waitFor(() => other.status === 'ready', { what: 'ioredis to connect' });
    await new RedisStore({ client: other }).get('k');
    await waitFor(() => evictionWarnings().length > 1, { what: 'the second warning' });
    expect(evictionWarnings()[1]?.message).toContain('"volatile-ttl"');
  });

  it('gets no warning with noeviction, the default', async () => {
    const redis = await server();
    const store = new RedisStore({ client: await nodeRedis(redis.url) });
    await store.set('k', 1, 10_000);
    await store.get('k');
    await settle();
    expect(evictionWarnings()).toEqual([]);
  });
});

describe('a Redis that forbids CONFIG', () => {
  it('is used without a warning or an error: the check is skipped silently', async () => {
    const redis = await server(['--maxmemory-policy', 'allkeys-lru']);
    const admin = await nodeRedis(redis.url);
    await admin.sendCommand(['ACL', 'SETUSER', 'app', 'on', '>app-password', '~*', '&*', '+@all', '-config']);
    const client = await nodeRedis(`redis://app:app-password@127.0.0.1:${redis.port}`);
    await expect(client.configGet('maxmemory-policy')).rejects.toThrow(/NOPERM/);
    const store = new RedisStore({ client });
    expect(await store.add('used', 1, 10_000)).toBe(true);
    expect(await store.add('used', 1, 10_000)).toBe(false);
    await settle();
    expect(warnings).toEqual([]);
  });
});

describe('a Redis without GETDEL (before 6.2)', () => {
  it('still takes atomically: 1,000 concurrent takes of one key, one value', async () => {
    const redis = await server(['--rename-command', 'GETDEL', '']);
    const client = await nodeRedis(redis.url);
    await expect(client.sendCommand(['GETDEL', 'x'])).rejects.toThrow(/unknown command/);
    const store = new RedisStore({ client });
    await store.set('state', { returnTo: '/' }, 10_000);
    const taken = await Promise.all(Array.from({ length: 1_000 }, () => store.take('state')));
    expect(taken.filter((value) => value !== undefined)).toEqual([{ returnTo: '/' }]);
    await store.set('again', 'x', 10_000);
    expect(await store.take('again')).toBe('x');
    expect(await store.get('again')).toBeUndefined();
  });
});
