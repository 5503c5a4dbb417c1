/**
 * Attacks on the sign-up flow (AuthenteqStrategy, and at the end AuthenteqWebIdvStrategy): state CSRF, code injection
 * and replay, session fixation and open redirects, each through a real Express + express-session + Passport app
 * against the sandbox.
 */

import { MemoryStore, type Store, StoreError } from '@passport-idv/core';
import { type AuthenteqIdentityId, type Sandbox, startSandbox } from '@passport-idv/sandbox';
import session from 'express-session';
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp as createSignUpExample } from '../../examples/signup-verified-id/src/app.js';
import {
  AUTHENTEQ_CALLBACK_URL,
  type AuthenteqAppOptions,
  authenteqApp,
  localPath,
  sessionCookie,
  startSignup,
  WEB_IDV_CALLBACK_URL,
  webIdvStrategyApp,
} from '../support/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    authenteq: { redirectURIs: [AUTHENTEQ_CALLBACK_URL] },
    authenteqWebIdv: { redirectURLs: [WEB_IDV_CALLBACK_URL] },
  });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
  sandbox.clock.reset();
});

type Agent = ReturnType<typeof supertest.agent>;

const tokenCalls = () => sandbox.requests.count({ route: 'authenteq.token' });

function browserOf(
  options: Parameters<typeof authenteqApp>[1] = {},
  serve: AuthenteqAppOptions = {},
): { agent: Agent; app: unknown } {
  const { app } = authenteqApp(sandbox, options, serve);
  return { agent: supertest.agent(app), app };
}

const browser = (options: Parameters<typeof authenteqApp>[1] = {}) => browserOf(options);

/** Starts a sign-up in `agent` and completes the identity check as `identity`; returns the callback path. */
async function callbackFor(agent: Agent, identity: AuthenteqIdentityId = 'adult', returnTo?: string): Promise<string> {
  const start = await agent.get('/auth/authenteq').query(returnTo === undefined ? {} : { returnTo });
  expect(start.status).toBe(302);
  return localPath(await sandbox.authenteq.complete(start.headers.location as string, identity));
}

function withParam(path: string, name: string, value: string | undefined): string {
  const url = new URL(path, 'http://app.test');
  if (value === undefined) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}

async function whoIs(agent: Agent): Promise<unknown> {
  return (await agent.get('/me')).body.user;
}

const sessionOnly = (): Store | undefined => undefined;
const memoryStore = (): Store | undefined => new MemoryStore({ clock: sandbox.clock });

describe.each([
  ['express5', 'the session', sessionOnly],
  ['express5', 'a store', memoryStore],
  ['express4', 'the session', sessionOnly],
  ['express4', 'a store', memoryStore],
] as const)(
  'state CSRF: every bad state is refused with zero token calls (%s, states in %s)',
  (framework, _, makeStore) => {
    const browser = (options: Parameters<typeof authenteqApp>[1] = {}) =>
      browserOf({ store: makeStore(), ...options }, { framework });
    it('state missing', async () => {
      const { agent } = browser();
      const res = await agent.get(withParam(await callbackFor(agent), 'state', undefined));
      expect([res.status, res.body.failure?.code]).toEqual([403, 'state_missing']);
      expect(tokenCalls()).toBe(0);
      expect(await whoIs(agent)).toBeNull();
    });

    it('state wrong (a well-formed value this session never issued)', async () => {
      const { agent } = browser();
      const res = await agent.get(withParam(await callbackFor(agent), 'state', 'A'.repeat(43)));
      expect([res.status, res.body.failure?.code]).toEqual([403, 'state_invalid']);
      const junk = await agent.get('/auth/authenteq/callback').query({ code: 'abc', state: ['a', 'b'] });
      expect(junk.status).toBe(403);
      expect(tokenCalls()).toBe(0);
      expect(await whoIs(agent)).toBeNull();
    });

    it('state replayed (the callback opened a second time, after a successful sign-up)', async () => {
      const { agent } = browser();
      const callback = await callbackFor(agent);
      expect((await agent.get(callback)).status).toBe(200);
      sandbox.requests.clear();
      const replay = await agent.get(callback);
      expect([replay.status, replay.body.failure?.code]).toEqual([403, 'state_invalid']);
      expect(tokenCalls()).toBe(0);
    });

    it("state of another browser's session (login CSRF: the attacker's callback opened in the victim's browser)", async () => {
      const { app } = browser();
      const attacker = supertest.agent(app as Parameters<typeof supertest.agent>[0]);
      const victim = supertest.agent(app as Parameters<typeof supertest.agent>[0]);
      await victim.get('/auth/authenteq'); // the victim has a session with a state of their own
      const attackersCallback = await callbackFor(attacker, 'foreign');
      const res = await victim.get(attackersCallback);
      expect(res.status).toBe(403);
      expect(tokenCalls()).toBe(0);
      expect(await whoIs(victim)).toBeNull();
    });

    it('state expired (the clock moved past stateTTL)', async () => {
      const { agent } = browser({ stateTTL: 60 });
      const callback = await callbackFor(agent);
      sandbox.clock.advance(60_001);
      const res = await agent.get(callback);
      expect([res.status, res.body.failure?.code]).toEqual([403, 'state_invalid']);
      expect(tokenCalls()).toBe(0);
      expect(await whoIs(agent)).toBeNull();
    });

    it('a state 1 s before stateTTL is still accepted (the expiry test is not vacuous)', async () => {
      const { agent } = browser({ stateTTL: 60 });
      const callback = await callbackFor(agent);
      sandbox.clock.advance(59_000); // the sandbox clock also moves with real time
      expect((await agent.get(callback)).status).toBe(200);
    });

    it('callback with no session at all: refused, and no session is created for it', async () => {
      const { agent, app } = browser();
      const callback = await callbackFor(agent);
      const res = await supertest(app as Parameters<typeof supertest>[0]).get(callback);
      expect(res.status).toBe(403);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(tokenCalls()).toBe(0);
    });
  },
);

describe('code injection', () => {
  it('a code issued to another client (another provider account) → refused after one exchange, nobody logged in', async () => {
    const elsewhere = await startSandbox({ authenteq: { redirectURIs: [AUTHENTEQ_CALLBACK_URL] } });
    try {
      const other = supertest.agent(authenteqApp(elsewhere).app);
      const start = await other.get('/auth/authenteq');
      const foreignCode = new URL(
        await elsewhere.authenteq.complete(start.headers.location as string, 'adult'),
      ).searchParams.get('code');
      const { agent } = browser();
      const res = await agent.get(withParam(await callbackFor(agent), 'code', foreignCode ?? ''));
      expect([res.status, res.body.failure?.code]).toEqual([403, 'code_rejected']);
      expect(tokenCalls()).toBe(1);
      expect(sandbox.requests.count({ route: 'authenteq.details' })).toBe(0);
      expect(await whoIs(agent)).toBeNull();
    } finally {
      await elsewhere.close();
    }
  });

  it('a code from another flow without its state (the victim’s state is bound to the victim’s session) → zero token calls', async () => {
    const { app } = browser();
    const victim = supertest.agent(app as Parameters<typeof supertest.agent>[0]);
    const attacker = supertest.agent(app as Parameters<typeof supertest.agent>[0]);
    const victimsCallback = await callbackFor(victim);
    const attackersCallback = await callbackFor(attacker, 'foreign');
    // The attacker replays the victim's code with their own state, and their code with a guessed state.
    const stolenCode = new URL(victimsCallback, 'http://app.test').searchParams.get('code') ?? '';
    const withAttackersState = withParam(attackersCallback, 'code', stolenCode);
    const res = await attacker.get(withParam(withAttackersState, 'state', 'B'.repeat(43)));
    expect(res.status).toBe(403);
    expect(tokenCalls()).toBe(0);
    expect(await whoIs(attacker)).toBeNull();
  });

  it('a code already exchanged is refused by the provider: one exchange, no details call, nobody logged in', async () => {
    const { agent } = browser();
    const callback = await callbackFor(agent);
    const code = new URL(callback, 'http://app.test').searchParams.get('code') ?? '';
    const form = new FormData();
    for (const [name, value] of Object.entries({
      grantType: 'authorization_code',
      code,
      redirectUri: AUTHENTEQ_CALLBACK_URL,
      clientId: sandbox.authenteq.clientID,
      clientSecret: sandbox.authenteq.clientSecret,
    }))
      form.set(name, value);
    expect((await fetch(sandbox.authenteq.tokenURL, { method: 'POST', body: form })).status).toBe(200);
    sandbox.requests.clear();
    const res = await agent.get(callback);
    expect([res.status, res.body.failure?.code]).toEqual([403, 'code_rejected']);
    expect(tokenCalls()).toBe(1);
    expect(sandbox.requests.count({ route: 'authenteq.details' })).toBe(0);
    expect(await whoIs(agent)).toBeNull();
  });
});

describe('replay', () => {
  it('concurrent callbacks with one state, states in a store: exactly one token call, one login', async () => {
    const { agent } = browser({ store: new MemoryStore({ clock: sandbox.clock }) });
    const callback = await callbackFor(agent);
    const results = await Promise.all([agent.get(callback), agent.get(callback), agent.get(callback)]);
    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
    expect(tokenCalls()).toBe(1);
  });

  it('concurrent callbacks with one state, states in the session: exactly one token call, one login', async () => {
    // Each concurrent request reads its own copy of the session; the strategy's spent-state set refuses the others.
    const { agent } = browser();
    const callback = await callbackFor(agent);
    const results = await Promise.all([agent.get(callback), agent.get(callback), agent.get(callback)]);
    expect(results.map((res) => res.status).sort()).toEqual([200, 403, 403]);
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
    const { agent } = browserOf({ policy: { minimumAge: 18 }, stateTTL: 600 }, { sessionStore });
    const callback = await callbackFor(agent, 'minor');
    sessionStore.lose = true;
    expect((await agent.get(callback)).body.failure?.code).toBe('under_age');
    sessionStore.lose = false;
    sandbox.clock.advance(600_000 - 1_000);
    const replay = await agent.get(callback);
    expect([replay.status, replay.body.failure?.code]).toEqual([403, 'state_invalid']);
    expect(tokenCalls()).toBe(1);
  });
});

describe('state store failures fail closed', () => {
  const failing = (what: 'add' | 'take'): Store =>
    Object.assign(new MemoryStore({ clock: sandbox.clock }), {
      [what]: async () => {
        throw new Error('connection refused');
      },
    });

  it('a store that cannot add: 503, no redirect to the provider', async () => {
    const res = await browser({ store: failing('add') }).agent.get('/auth/authenteq');
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
    const res = await browserOf({}, { sessionStore: new FailingSessions() }).agent.get('/auth/authenteq');
    expect(res.status).toBe(503);
    expect(res.headers.location).toBeUndefined();
  });

  it('a store that cannot take: 503, no token call, nobody logged in', async () => {
    const { agent } = browser({ store: failing('take') });
    const res = await agent.get(await callbackFor(agent));
    expect(res.status).toBe(503);
    expect(tokenCalls()).toBe(0);
    expect(await whoIs(agent)).toBeNull();
  });
});

describe('memory exhaustion', () => {
  it('states kept in a full store are never evicted: a new sign-up start is refused (503) instead', async () => {
    const store = new MemoryStore({ clock: sandbox.clock, maxEntries: 3 });
    const first = browser({ store });
    const callback = await callbackFor(first.agent);
    for (let i = 0; i < 2; i++) await callbackFor(browser({ store }).agent);
    expect(store.size).toBe(3);
    const refused = await browser({ store }).agent.get('/auth/authenteq');
    expect([refused.status, refused.headers.location]).toEqual([503, undefined]);
    expect(store.size).toBe(3);
    // The first browser's state survived the flood; its callback, padded with 12 KB, takes it out of the store.
    expect((await first.agent.get(`${callback}&pad=${'p'.repeat(12_000)}`)).status).toBe(200);
    expect(store.size).toBe(2);
  });
});

describe('session fixation', () => {
  it('the session id changes on sign-up; the pre-login session id logs nobody in', async () => {
    const { app } = browser();
    const agent = supertest.agent(app as Parameters<typeof supertest.agent>[0]);
    const start = await agent.get('/auth/authenteq');
    const before = sessionCookie(start);
    expect(before).toBeDefined();
    const callback = localPath(await sandbox.authenteq.complete(start.headers.location as string, 'adult'));
    const login = await agent.get(callback);
    expect(login.status).toBe(200);
    const after = sessionCookie(login);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(await whoIs(agent)).toMatchObject({ name: expect.any(String) });
    // An attacker who planted or knew the pre-login cookie gets nobody.
    const fixed = await supertest(app as Parameters<typeof supertest>[0])
      .get('/me')
      .set('cookie', before ?? '');
    expect(fixed.body.user).toBeNull();
  });
});

describe('open redirect: returnTo is kept only as a same-origin path', () => {
  it.each([
    'https://evil.example/',
    '//evil.example/path',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    'http://app.test.evil.example/',
    '/\t/evil.example',
    ' /account',
    'data:text/html,<script>alert(1)</script>',
  ])('%j is dropped', async (returnTo) => {
    const { agent } = browser();
    const res = await agent.get(await callbackFor(agent, 'adult', returnTo));
    expect(res.status).toBe(200);
    expect(res.body.authInfo.returnTo).toBeUndefined();
  });

  it.each([
    '/.//evil.example',
    '/..//evil.example',
    '/%2e//evil.example',
    '/%2E%2E//evil.example',
    '/a/..//evil.example',
    '/.%2e//evil.example',
    '/././/evil.example',
  ])('%j, which normalises to //evil.example, is dropped', async (returnTo) => {
    const { agent } = browser();
    const res = await agent.get(await callbackFor(agent, 'adult', returnTo));
    expect(res.status).toBe(200);
    expect(res.body.authInfo.returnTo).toBeUndefined();
  });

  it('end to end on the sign-up example: /.//evil.example/phish does not redirect off the site', async () => {
    const { app } = createSignUpExample({
      authenteq: { flow: 'web-kyc', ...sandbox.authenteq, callbackURL: AUTHENTEQ_CALLBACK_URL },
      sessionSecret: 'attack-suite-session-secret',
      clock: sandbox.clock,
    });
    const agent = supertest.agent(app);
    const start = await agent.get('/auth/authenteq?returnTo=/.//evil.example/phish').set('host', 'app.test');
    expect(start.status).toBe(302);
    const callback = localPath(await sandbox.authenteq.complete(start.headers.location as string, 'adult'));
    const res = await agent.get(callback).set('host', 'app.test');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/account');
    expect(new URL(res.headers.location as string, 'http://app.test/auth/authenteq/callback').host).toBe('app.test');
  });

  it('a same-origin path survives, query included', async () => {
    const { agent } = browser();
    const res = await agent.get(await callbackFor(agent, 'adult', '/account?tab=documents'));
    expect(res.body.authInfo.returnTo).toBe('/account?tab=documents');
  });
});

// The same attacks on the Web IDV strategy, whose state rides in the redirect URL's query: zero result calls.
describe('Web IDV (AuthenteqWebIdvStrategy)', () => {
  const resultCalls = () => sandbox.requests.count({ route: 'authenteq.web_idv_result' });
  const idvApp = (options: Parameters<typeof webIdvStrategyApp>[1] = {}) => webIdvStrategyApp(sandbox, options).app;
  /** Starts a Web IDV sign-up in `agent` and completes the check as `choice`: the callback path. */
  async function idvCallback(agent: Agent, choice: 'adult' | 'foreign' | 'cancel' = 'adult', returnTo?: string) {
    return localPath(await sandbox.authenteqWebIdv.complete(await startSignup(agent, returnTo, '/auth/idv'), choice));
  }

  describe.each([
    ['the session', sessionOnly],
    ['a store', memoryStore],
  ] as const)('state attacks, states kept in %s: refused before any result call', (_, makeStore) => {
    const app = (options = {}) => idvApp({ store: makeStore(), ...options });

    it('missing, wrong, or repeated state', async () => {
      const agent = supertest.agent(app());
      const callback = await idvCallback(agent);
      const missing = await agent.get(withParam(callback, 'state', undefined));
      expect([missing.status, missing.body.failure.code]).toEqual([403, 'state_missing']);
      const wrong = await agent.get(withParam(callback, 'state', 'A'.repeat(43)));
      expect([wrong.status, wrong.body.failure.code]).toEqual([403, 'state_invalid']);
      const junk = await agent.get('/auth/idv/callback').query({ code: 'abc', state: ['a', 'b'] });
      expect(junk.status).toBe(403);
      expect(resultCalls()).toBe(0);
    });

    it('state replayed after a sign-up: no second result call', async () => {
      const agent = supertest.agent(app());
      const callback = await idvCallback(agent);
      expect((await agent.get(callback)).status).toBe(200);
      const replay = await agent.get(callback);
      expect([replay.status, replay.body.failure.code]).toEqual([403, 'state_invalid']);
      expect(resultCalls()).toBe(1);
    });

    it("login CSRF: the attacker's callback (state and code) opened in the victim's browser logs nobody in", async () => {
      const shared = app();
      const victim = supertest.agent(shared);
      const attacker = supertest.agent(shared);
      await startSignup(victim, undefined, '/auth/idv'); // the victim has a sign-up of their own pending
      const res = await victim.get(await idvCallback(attacker, 'foreign'));
      expect([res.status, res.body.failure.code]).toEqual([403, 'state_invalid']);
      expect(await whoIs(victim)).toBeNull();
      expect(resultCalls()).toBe(0);
    });

    it('expired state (the clock moved past stateTTL)', async () => {
      const agent = supertest.agent(app({ stateTTL: 60 }));
      const callback = await idvCallback(agent);
      sandbox.clock.advance(60_001);
      const res = await agent.get(callback);
      expect([res.status, res.body.failure.code]).toEqual([403, 'state_invalid']);
      expect(resultCalls()).toBe(0);
    });

    it('callback with no session at all: refused, no session created', async () => {
      const shared = app();
      const callback = await idvCallback(supertest.agent(shared));
      const res = await supertest(shared).get(callback);
      expect(res.status).toBe(403);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(resultCalls()).toBe(0);
    });

    it('two concurrent callbacks with one state: one result call, one login', async () => {
      const agent = supertest.agent(app());
      const callback = await idvCallback(agent);
      const results = await Promise.all([agent.get(callback), agent.get(callback)]);
      expect(results.map((res) => res.status).sort()).toEqual([200, 403]);
      expect(resultCalls()).toBe(1);
    });
  });

  it("a foreign code pasted onto the victim's own state: the provider refuses it (its redirectUrl differs)", async () => {
    const shared = idvApp();
    const victim = supertest.agent(shared);
    const attacker = supertest.agent(shared);
    const attackersCode = new URL(await idvCallback(attacker, 'foreign'), 'http://app.test').searchParams.get('code');
    const res = await victim.get(withParam(await idvCallback(victim, 'cancel'), 'code', attackersCode ?? ''));
    expect([res.status, res.body.failure.code]).toEqual([403, 'code_rejected']);
    expect(resultCalls()).toBe(1);
    expect(await whoIs(victim)).toBeNull();
  });

  it('a code issued to another account → refused by the provider after one result call, nobody logged in', async () => {
    const other = sandbox.authenteqWebIdv.addClient({ redirectURLs: [WEB_IDV_CALLBACK_URL] });
    const elsewhere = supertest.agent(idvApp({ clientID: other.clientID, clientSecret: other.clientSecret }));
    const foreignCode = new URL(await idvCallback(elsewhere), 'http://app.test').searchParams.get('code') ?? '';
    sandbox.requests.clear();
    const agent = supertest.agent(idvApp());
    const res = await agent.get(withParam(await idvCallback(agent), 'code', foreignCode));
    expect([res.status, res.body.failure?.code]).toEqual([403, 'code_rejected']);
    expect(resultCalls()).toBe(1);
    expect(await whoIs(agent)).toBeNull();
  });

  it('the state is saved before the browser leaves: a session store that cannot save → 503, no redirect', async () => {
    class FailingSessions extends session.MemoryStore {
      override set(_sid: string, _data: session.SessionData, callback?: (error?: unknown) => void): void {
        callback?.(new Error('session store down'));
      }
    }
    const { app } = webIdvStrategyApp(sandbox, {}, { sessionStore: new FailingSessions() });
    const res = await supertest(app).get('/auth/idv');
    expect(res.status).toBe(503);
    expect(res.headers.location).toBeUndefined();
  });

  it('a state store that cannot take: 503, no result call, nobody logged in', async () => {
    const store = Object.assign(new MemoryStore({ clock: sandbox.clock }), {
      take: async () => {
        throw new Error('connection refused');
      },
    });
    const agent = supertest.agent(idvApp({ store }));
    const res = await agent.get(await idvCallback(agent));
    expect([res.status, res.body.error]).toEqual([503, new StoreError('x').code]);
    expect(resultCalls()).toBe(0);
    expect(await whoIs(agent)).toBeNull();
  });

  it('the session id changes on sign-up; the pre-login session id logs nobody in', async () => {
    const app = idvApp();
    const agent = supertest.agent(app);
    const start = await agent.get('/auth/idv');
    const before = sessionCookie(start);
    const login = await agent.get(
      localPath(await sandbox.authenteqWebIdv.complete(start.headers.location as string, 'adult')),
    );
    expect(login.status).toBe(200);
    expect(sessionCookie(login)).not.toBe(before);
    const fixed = await supertest(app)
      .get('/me')
      .set('cookie', before ?? '');
    expect(fixed.body.user).toBeNull();
  });

  it.each(['//evil.example/path', '/.//evil.example', 'https://evil.example/'])(
    'returnTo %j is dropped',
    async (to) => {
      const agent = supertest.agent(idvApp());
      const res = await agent.get(await idvCallback(agent, 'adult', to));
      expect([res.status, res.body.authInfo.returnTo]).toEqual([200, undefined]);
    },
  );
});
