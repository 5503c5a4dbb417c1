import { MemoryStore, type Store, StoreError } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import session from 'express-session';
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  browser,
  CALLBACK_URL,
  createTestApp,
  createWebIdvTestApp,
  local,
  start,
  WEB_IDV_CALLBACK_URL,
} from './app.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    authenteq: { redirectURIs: [CALLBACK_URL] },
    authenteqWebIdv: { redirectURLs: [WEB_IDV_CALLBACK_URL] },
  });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
  sandbox.clock.reset();
});

const tokenCalls = () => sandbox.requests.count({ route: 'authenteq.token' });

const sessionOnly = (): Store | undefined => undefined;
const memoryStore = (): Store | undefined => new MemoryStore({ clock: sandbox.clock });

describe.each([
  ['express5', 'the session', sessionOnly],
  ['express5', 'a store', memoryStore],
  ['express4', 'the session', sessionOnly],
  ['express4', 'a store', memoryStore],
] as const)('state attacks on %s, states kept in %s: zero token calls', (framework, _, makeStore) => {
  const app = () => createTestApp({ sandbox, framework, strategy: { store: makeStore() } }).app;

  it('missing state', async () => {
    const agent = browser(app());
    await start(agent);
    const res = await agent.get('/auth/authenteq/callback').query({ code: 'abc' });
    expect(res.status).toBe(403);
    expect(res.body.failure.code).toBe('state_missing');
    expect(tokenCalls()).toBe(0);
  });

  it('wrong state', async () => {
    const agent = browser(app());
    const callback = new URL(await sandbox.authenteq.complete(await start(agent), 'adult'));
    callback.searchParams.set('state', 'A'.repeat(43));
    const res = await agent.get(local(callback.href));
    expect(res.status).toBe(403);
    expect(res.body.failure.code).toBe('state_invalid');
    const junk = await agent.get('/auth/authenteq/callback').query({ code: 'abc', state: ['a', 'b'] });
    expect(junk.status).toBe(403);
    expect(tokenCalls()).toBe(0);
  });

  it('state replayed', async () => {
    const agent = browser(app());
    const callback = await sandbox.authenteq.complete(await start(agent), 'adult');
    expect((await agent.get(local(callback))).status).toBe(200);
    sandbox.requests.clear();
    const replay = await agent.get(local(callback));
    expect(replay.status).toBe(403);
    expect(replay.body.failure.code).toBe('state_invalid');
    expect(tokenCalls()).toBe(0);
  });

  it("state from another browser's session", async () => {
    const shared = app();
    const victim = browser(shared);
    const attacker = browser(shared);
    await start(attacker); // the attacker has a session of their own too
    const callback = await sandbox.authenteq.complete(await start(victim), 'adult');
    const res = await attacker.get(local(callback));
    expect(res.status).toBe(403);
    expect((await attacker.get('/me')).body.user).toBeNull();
    expect(tokenCalls()).toBe(0);
  });

  it('expired state (clock moved past stateTTL)', async () => {
    const agent = browser(createTestApp({ sandbox, framework, strategy: { store: makeStore(), stateTTL: 60 } }).app);
    const callback = await sandbox.authenteq.complete(await start(agent), 'adult');
    sandbox.clock.advance(60_001);
    const res = await agent.get(local(callback));
    expect(res.status).toBe(403);
    expect(res.body.failure.code).toBe('state_invalid');
    expect(tokenCalls()).toBe(0);
  });

  it('callback with no session at all', async () => {
    const shared = app();
    const callback = await sandbox.authenteq.complete(await start(browser(shared)), 'adult');
    const res = await supertest(shared).get(local(callback));
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined(); // no session is created for it
    expect(tokenCalls()).toBe(0);
  });

  it('two concurrent callbacks with one state log in at most once', async () => {
    const agent = browser(app());
    const callback = await sandbox.authenteq.complete(await start(agent), 'adult');
    const results = await Promise.all([agent.get(local(callback)), agent.get(local(callback))]);
    expect(results.map((res) => res.status).sort()).toEqual([200, 403]);
    expect(tokenCalls()).toBe(1);
  });
});

describe('a replay that reads a stale copy of the session (states in the session)', () => {
  it('is refused for as long as the state lives, with no second token call', async () => {
    // A session store that loses the callback's write: the replay finds the spent state still in the session.
    class LossySessions extends session.MemoryStore {
      lose = false;
      override set(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
        if (this.lose) callback?.();
        else super.set(sid, data, callback);
      }
    }
    const sessionStore = new LossySessions();
    const strategy = { policy: { minimumAge: 18 }, stateTTL: 600 };
    const agent = browser(createTestApp({ sandbox, sessionStore, strategy }).app);
    const callback = local(await sandbox.authenteq.complete(await start(agent), 'minor'));
    sessionStore.lose = true;
    expect((await agent.get(callback)).body.failure.code).toBe('under_age');
    sessionStore.lose = false;
    sandbox.clock.advance(600_000 - 1_000);
    const replay = await agent.get(callback);
    expect([replay.status, replay.body.failure.code]).toEqual([403, 'state_invalid']);
    expect(tokenCalls()).toBe(1);
  });
});

describe('state store failures fail closed', () => {
  const failing = (what: 'add' | 'take'): Store => {
    const store = new MemoryStore({ clock: sandbox.clock });
    return Object.assign(store, {
      [what]: async () => {
        throw new Error('connection refused');
      },
    });
  };

  it('a store that cannot add: 503, no redirect to the provider', async () => {
    const agent = browser(createTestApp({ sandbox, strategy: { store: failing('add') } }).app);
    const res = await agent.get('/auth/authenteq');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: new StoreError('x').code });
    expect(res.headers.location).toBeUndefined();
  });

  it('a session store that cannot save: 503 and no redirect (the state is saved before the redirect)', async () => {
    class FailingSessions extends session.MemoryStore {
      override set(_sid: string, _data: session.SessionData, callback?: (error?: unknown) => void): void {
        callback?.(new Error('session store down'));
      }
    }
    const agent = browser(createTestApp({ sandbox, sessionStore: new FailingSessions() }).app);
    const res = await agent.get('/auth/authenteq');
    expect(res.status).toBe(503);
    expect(res.headers.location).toBeUndefined();
  });

  it('a store that cannot take: 503, no token call, nobody logged in', async () => {
    const store = failing('take');
    const agent = browser(createTestApp({ sandbox, strategy: { store } }).app);
    const callback = await sandbox.authenteq.complete(await start(agent), 'adult');
    const res = await agent.get(local(callback));
    expect(res.status).toBe(503);
    expect(tokenCalls()).toBe(0);
    expect((await agent.get('/me')).body.user).toBeNull();
  });
});

// The same attacks on the Web IDV strategy, whose state rides in the redirect URL's query: zero result calls.
const resultCalls = () => sandbox.requests.count({ route: 'authenteq.web_idv_result' });

describe.each([
  ['the session', sessionOnly],
  ['a store', memoryStore],
] as const)('Web IDV state attacks, states kept in %s', (_, makeStore) => {
  const app = (strategy = {}) => createWebIdvTestApp({ sandbox, strategy: { store: makeStore(), ...strategy } }).app;
  const back = async (agent: ReturnType<typeof browser>, choice: 'adult' | 'foreign' | 'cancel' = 'adult') =>
    local(await sandbox.authenteqWebIdv.complete(await start(agent, undefined, '/auth/idv'), choice));
  const withParam = (path: string, name: string, value: string | undefined) => {
    const url = new URL(path, 'http://app.test');
    if (value === undefined) url.searchParams.delete(name);
    else url.searchParams.set(name, value);
    return `${url.pathname}${url.search}`;
  };

  it('missing, wrong, or repeated state: refused before any result call', async () => {
    const agent = browser(app());
    const callback = await back(agent);
    const missing = await agent.get(withParam(callback, 'state', undefined));
    expect([missing.status, missing.body.failure.code]).toEqual([403, 'state_missing']);
    const wrong = await agent.get(withParam(callback, 'state', 'A'.repeat(43)));
    expect([wrong.status, wrong.body.failure.code]).toEqual([403, 'state_invalid']);
    const junk = await agent.get('/auth/idv/callback').query({ code: 'abc', state: ['a', 'b'] });
    expect(junk.status).toBe(403);
    expect(resultCalls()).toBe(0);
  });

  it('state replayed after a sign-up: refused, no second result call', async () => {
    const agent = browser(app());
    const callback = await back(agent);
    expect((await agent.get(callback)).status).toBe(200);
    const replay = await agent.get(callback);
    expect([replay.status, replay.body.failure.code]).toEqual([403, 'state_invalid']);
    expect(resultCalls()).toBe(1);
  });

  it("login CSRF: the attacker's callback (state and code) opened in the victim's browser logs nobody in", async () => {
    const shared = app();
    const victim = browser(shared);
    const attacker = browser(shared);
    await start(victim, undefined, '/auth/idv'); // the victim has a sign-up of their own pending
    const attackersCallback = await back(attacker, 'foreign');
    const res = await victim.get(attackersCallback);
    expect([res.status, res.body.failure.code]).toEqual([403, 'state_invalid']);
    expect((await victim.get('/me')).body.user).toBeNull();
    expect(resultCalls()).toBe(0);
  });

  it("a foreign code pasted onto the victim's own state: the provider refuses it (its redirectUrl differs)", async () => {
    const shared = app();
    const victim = browser(shared);
    const attacker = browser(shared);
    const attackersCode = new URL(await back(attacker, 'foreign'), 'http://app.test').searchParams.get('code') ?? '';
    const victimsCallback = await back(victim, 'cancel');
    const res = await victim.get(withParam(victimsCallback, 'code', attackersCode));
    expect([res.status, res.body.failure.code]).toEqual([403, 'code_rejected']);
    expect(resultCalls()).toBe(1);
    expect((await victim.get('/me')).body.user).toBeNull();
  });

  it('expired state (the clock moved past stateTTL): refused before any result call', async () => {
    const agent = browser(app({ stateTTL: 60 }));
    const callback = await back(agent);
    sandbox.clock.advance(60_001);
    const res = await agent.get(callback);
    expect([res.status, res.body.failure.code]).toEqual([403, 'state_invalid']);
    expect(resultCalls()).toBe(0);
  });

  it('callback with no session at all: refused, no session created', async () => {
    const shared = app();
    const callback = await back(browser(shared));
    const res = await supertest(shared).get(callback);
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(resultCalls()).toBe(0);
  });

  it('two concurrent callbacks with one state: one result call, one login', async () => {
    const agent = browser(app());
    const callback = await back(agent);
    const results = await Promise.all([agent.get(callback), agent.get(callback)]);
    expect(results.map((res) => res.status).sort()).toEqual([200, 403]);
    expect(resultCalls()).toBe(1);
  });
});

describe('Web IDV: the state is saved before the browser leaves', () => {
  it('a session store that cannot save: 503, no redirect to the verification page', async () => {
    class FailingSessions extends session.MemoryStore {
      override set(_sid: string, _data: session.SessionData, callback?: (error?: unknown) => void): void {
        callback?.(new Error('session store down'));
      }
    }
    const agent = browser(createWebIdvTestApp({ sandbox, sessionStore: new FailingSessions() }).app);
    const res = await agent.get('/auth/idv');
    expect(res.status).toBe(503);
    expect(res.headers.location).toBeUndefined();
  });

  it('a state store that cannot take: 503, no result call, nobody logged in', async () => {
    const store = Object.assign(new MemoryStore({ clock: sandbox.clock }), {
      take: async () => {
        throw new Error('connection refused');
      },
    });
    const agent = browser(createWebIdvTestApp({ sandbox, strategy: { store } }).app);
    const callback = await sandbox.authenteqWebIdv.complete(await start(agent, undefined, '/auth/idv'), 'adult');
    const res = await agent.get(local(callback));
    expect(res.status).toBe(503);
    expect(resultCalls()).toBe(0);
    expect((await agent.get('/me')).body.user).toBeNull();
  });
});
