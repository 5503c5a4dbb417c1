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

describe('tokens in the shared store', () => {
  it('a token is reused until the margin before its exp, never inside it', async () => {
    const alice = client(new MemoryStore({ clock: sandbox.clock }));
    const { userId } = sandbox.alice.enroll();
    const id = sandbox.alice.authenticate(userId);
    for (let i = 0; i < 5; i++) await alice.getAuthentication(userId, id);
    expect(count('alice.backend_token_with_user_id')).toBe(1);
    sandbox.clock.advance(56 * 60_000); // inside the 5-minute margin: the stored token is not used
    await alice.getAuthentication(userId, id);
    expect(count('alice.backend_token_with_user_id')).toBe(2);
    expect(sandbox.requests.count({ credential: 'invalid' })).toBe(0);
  });

  it('a token the API refuses is dropped; another instance then uses the replacement, refused nowhere', async () => {
    const store = new MemoryStore({ clock: sandbox.clock });
    const [a, b] = [client(store), client(store)];
    const { userId } = sandbox.alice.enroll();
    const id = sandbox.alice.authenticate(userId);
    await a.getAuthentication(userId, id);
    await b.getAuthentication(userId, id);
    sandbox.alice.revokeTokens();
    // A: the stored token is refused, dropped; a new one is fetched and stored.
    await a.getAuthentication(userId, id);
    const logins = count('alice.login_token');
    const backends = count('alice.backend_token_with_user_id');
    // B: takes A's new token from the store, without a 401 or a fetch of its own.
    await b.getAuthentication(userId, id);
    expect(count('alice.login_token')).toBe(logins);
    expect(count('alice.backend_token_with_user_id')).toBe(backends);
    expect(sandbox.requests.filter({ route: 'alice.authentication' }).filter((r) => r.status === 401)).toHaveLength(1);
  });
});
