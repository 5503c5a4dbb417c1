import { MemoryStore, ProviderTimeoutError, type Store } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AliceClient, type AliceClientOptions } from '../src/index.js';
import { TokenCache } from '../src/token-cache.js';

// Two AliceClients on one store stand for two app instances sharing one Redis.
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.clock.reset();
  sandbox.requests.clear();
});

function client(tokenStore: Store, options: Partial<AliceClientOptions> = {}) {
  return new AliceClient({
    apiKey: sandbox.alice.apiKey,
    baseURL: sandbox.alice.baseURL,
    clock: sandbox.clock,
    tokenStore,
    ...options,
  });
}

const count = (route: string) => sandbox.requests.count({ route });

/** A store whose LOGIN_TOKEN lock is always held by someone else (an instance that died holding it). */
function lockedForever(inner: Store): Store {
  return {
    get: (key) => inner.get(key),
    set: (key, value, ttl) => inner.set(key, value, ttl),
    add: (key, value, ttl) => (key.endsWith('LOGIN_TOKEN:lock') ? Promise.resolve(false) : inner.add(key, value, ttl)),
    take: (key) => inner.take(key),
    delete: (key) => inner.delete(key),
  };
}

describe('AliceClient token cache shared by two instances', () => {
  it('200 concurrent face logins over two clients sharing one store cost one LOGIN_TOKEN in all', async () => {
    const store = new MemoryStore({ clock: sandbox.clock });
    const instances = [client(store), client(store)];
    const users = Array.from({ length: 20 }, () => sandbox.alice.enroll().userId);
    // A face login: begin (USER_TOKEN for the SDK), the SDK authenticates, the server reads the authentication.
    const logins = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const alice = instances[i % 2]!;
        const userId = users[i % users.length]!;
        await alice.getUserToken(userId);
        const authenticationId = sandbox.alice.authenticate(userId);
        return alice.getAuthentication(userId, authenticationId);
      }),
    );
    expect(logins.every((result) => result.liveness !== undefined)).toBe(true);
    expect(count('alice.login_token')).toBe(1);
    // Per user too: one USER_TOKEN and one BACKEND_TOKEN_WITH_USER_ID each, whichever instance asked first.
    expect(count('alice.user_token')).toBe(users.length);
    expect(count('alice.backend_token_with_user_id')).toBe(users.length);
    expect(count('alice.authentication')).toBe(200);
  });

  it('a waiting instance fetches the token itself when the holder fails, and is not failed with it', async () => {
    const store = new MemoryStore({ clock: sandbox.clock });
    const [a, b] = [client(store, { timeout: 300 }), client(store, { timeout: 5_000 })];
    const { userId } = sandbox.alice.enroll();
    sandbox.faults.inject('alice.login_token', { hang: true, times: 1 });
    const first = a.getUserToken(userId).catch((e: unknown) => e);
    // Let the first client take the lock before the second one asks.
    while (count('alice.login_token') === 0) await new Promise((resolve) => setImmediate(resolve));
    const second = await b.getUserToken(userId);
    expect(await first).toBeInstanceOf(ProviderTimeoutError);
    expect(typeof second).toBe('string');
    expect(count('alice.login_token')).toBe(2);
  });

  it('waits a bounded time for a lock that is never released, then fetches', async () => {
    const store = lockedForever(new MemoryStore({ clock: sandbox.clock }));
    const paused = { ms: 0 };
    let fetches = 0;
    const instance = () =>
      new TokenCache({
        store,
        clock: sandbox.clock,
        marginMs: 5 * 60_000,
        account: 'lock-test',
        lockMs: 2_000, // AliceClient's: 2 × timeout + 1 s
        sleep: async (ms) => {
          paused.ms += ms;
        },
        fetch: async () => {
          fetches++;
          const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
          return `${b64({ alg: 'none' })}.${b64({ exp: Math.floor(sandbox.clock.now() / 1000) + 3_600 })}.`;
        },
      });
    const token = await instance().get('LOGIN_TOKEN');
    expect(paused.ms).toBeGreaterThan(1_950); // the lock's 2 s, less the last pause
    expect(paused.ms).toBeLessThanOrEqual(2_000);
    expect(fetches).toBe(1);
    // It was cached for every instance: another one gets it without waiting.
    paused.ms = 0;
    expect(await instance().get('LOGIN_TOKEN')).toBe(token);
    expect(paused.ms).toBe(0);
    expect(fetches).toBe(1);
  });
});

describe("each instance's in-process copy of the tokens", () => {
  /** A store that counts the token reads reaching it (each would be a Redis GET). */
  function counting(inner: Store): Store & { reads: number } {
    const store = {
      reads: 0,
      get: <T>(key: string) => {
        store.reads++;
        return inner.get<T>(key);
      },
      set: (key: string, value: unknown, ttl: number) => inner.set(key, value, ttl),
      add: (key: string, value: unknown, ttl: number) => inner.add(key, value, ttl),
      take: <T>(key: string) => inner.take<T>(key),
      delete: (key: string) => inner.delete(key),
    };
    return store;
  }

  it('warm calls read no token from the store, and the expiry rule still holds', async () => {
    const store = counting(new MemoryStore({ clock: sandbox.clock }));
    const alice = client(store);
    const { userId } = sandbox.alice.enroll();
    const id = sandbox.alice.authenticate(userId);
    await alice.getAuthentication(userId, id);
    const cold = store.reads;
    for (let i = 0; i < 50; i++) await alice.getAuthentication(userId, id);
    expect(store.reads).toBe(cold);
    expect(count('alice.backend_token_with_user_id')).toBe(1);
    sandbox.clock.advance(56 * 60_000); // inside the 5-minute margin: the copy is not used either
    await alice.getAuthentication(userId, id);
    expect(count('alice.backend_token_with_user_id')).toBe(2);
    expect(sandbox.requests.count({ credential: 'invalid' })).toBe(0);
  });

  it('holds at most 10,000 tokens: beyond that the oldest are read from the store again', async () => {
    const store = counting(new MemoryStore({ clock: sandbox.clock }));
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    let fetches = 0;
    const cache = new TokenCache({
      store,
      clock: sandbox.clock,
      marginMs: 5 * 60_000,
      account: 'bound-test',
      lockMs: 1_000,
      fetch: async (_kind, userId) => {
        fetches++;
        const exp = Math.floor(sandbox.clock.now() / 1000) + 3_600;
        return `${b64({ alg: 'none' })}.${b64({ exp, sub: userId })}.`;
      },
    });
    const users = Array.from({ length: 10_050 }, (_, i) => `user-${i}`);
    for (const user of users) await cache.get('USER_TOKEN', user);
    expect(fetches).toBe(users.length);
    const reads = store.reads;
    await cache.get('USER_TOKEN', users.at(-1));
    expect(store.reads).toBe(reads); // the newest: from this process's copy
    await cache.get('USER_TOKEN', users[0]);
    expect(store.reads).toBe(reads + 1); // the oldest: dropped from the copy, read from the store, not fetched
    expect(fetches).toBe(users.length);
  });

  it('another instance takes a token from the store the first time, then from its own copy', async () => {
    const store = counting(new MemoryStore({ clock: sandbox.clock }));
    const [a, b] = [client(store), client(store)];
    const { userId } = sandbox.alice.enroll();
    const token = await a.getUserToken(userId);
    expect(await b.getUserToken(userId)).toBe(token);
    const reads = store.reads;
    expect(await b.getUserToken(userId)).toBe(token);
    expect(store.reads).toBe(reads);
    expect(count('alice.user_token')).toBe(1);
  });

  it('a copy the API refuses is dropped and replaced by the token another instance already fetched', async () => {
    const store = new MemoryStore({ clock: sandbox.clock });
    const [a, b] = [client(store), client(store)];
    const { userId } = sandbox.alice.enroll();
    const id = sandbox.alice.authenticate(userId);
    await a.getAuthentication(userId, id);
    await b.getAuthentication(userId, id); // both instances now hold copies of the same tokens
    sandbox.alice.revokeTokens();
    // A: its copy is refused, dropped; a new one is fetched (its LOGIN_TOKEN copy is refused too) and stored.
    await a.getAuthentication(userId, id);
    expect(count('alice.login_token')).toBe(2);
    expect(count('alice.backend_token_with_user_id')).toBe(3); // one of them answered 401
    // B: its copy is refused too; it takes A's new token from the store instead of fetching one.
    await b.getAuthentication(userId, id);
    expect(count('alice.login_token')).toBe(2);
    expect(count('alice.backend_token_with_user_id')).toBe(3);
    expect(sandbox.requests.filter({ route: 'alice.authentication' }).filter((r) => r.status === 401)).toHaveLength(2);
  });
});
