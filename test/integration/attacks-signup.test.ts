/**
 * Attacks on the sign-up flow (AuthenteqStrategy, and at the end AuthenteqWebIdvStrategy): state CSRF, code injection
 * and replay, session fixation and open redirects, each through a real Express + express-session + Passport app
 * against the sandbox. The Web IDV strategy's state attacks in both storage modes are in
 * packages/authenteq/test/attacks.test.ts.
 */

import v8 from 'node:v8';
import vm from 'node:vm';
import { MemoryStore } from '@passport-idv/core';
import { type AuthenteqIdentityId, type Sandbox, startSandbox } from '@passport-idv/sandbox';
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp as createSignUpExample } from '../../examples/signup-verified-id/src/app.js';
import {
  AUTHENTEQ_CALLBACK_URL,
  authenteqApp,
  localPath,
  WEB_IDV_STRATEGY_CALLBACK_URL,
  webIdvStrategyApp,
} from '../support/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    authenteq: { redirectURIs: [AUTHENTEQ_CALLBACK_URL] },
    authenteqWebIdv: { redirectURLs: [WEB_IDV_STRATEGY_CALLBACK_URL] },
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

function browser(options: Parameters<typeof authenteqApp>[1] = {}): { agent: Agent; app: unknown } {
  const { app } = authenteqApp(sandbox, options);
  return { agent: supertest.agent(app), app };
}

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

describe('state CSRF: every bad state is refused with zero token calls', () => {
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
});

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

describe('memory exhaustion', () => {
  it('a spent state is remembered without the callback URL it came in: padded callbacks are not kept', async () => {
    // The in-process spent-state set holds each state for up to stateTTL, bounded in entries. In V8 a state cut from the
    // query string would keep the whole URL alive (up to Node's 16 KiB header limit), so its bytes would not be bounded.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const { agent } = browser();
    /** Heap kept by `count` sign-ups whose callback URLs carry `padding` more characters. */
    const keptBy = async (count: number, padding: number) => {
      gc();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < count; i++) {
        const callback = await callbackFor(agent);
        expect((await agent.get(`${callback}&pad=${'p'.repeat(padding)}`)).status).toBe(200);
        sandbox.requests.clear();
      }
      gc();
      return process.memoryUsage().heapUsed - before;
    };
    await keptBy(20, 12_000);
    const plain = await keptBy(200, 0);
    const padded = await keptBy(200, 12_000);
    // Kept with their states, 200 callback URLs of 12 KB would add 2.3 MiB.
    expect(padded - plain).toBeLessThan(1024 * 1024);
  });
});

describe('session fixation', () => {
  it('the session id changes on sign-up; the pre-login session id logs nobody in', async () => {
    const { app } = browser();
    const agent = supertest.agent(app as Parameters<typeof supertest.agent>[0]);
    const start = await agent.get('/auth/authenteq');
    const before = cookieOf(start.headers['set-cookie']);
    expect(before).toBeDefined();
    const callback = localPath(await sandbox.authenteq.complete(start.headers.location as string, 'adult'));
    const login = await agent.get(callback);
    expect(login.status).toBe(200);
    const after = cookieOf(login.headers['set-cookie']);
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

describe('Web IDV (AuthenteqWebIdvStrategy): login CSRF, code injection, fixation, open redirect', () => {
  const resultCalls = () => sandbox.requests.count({ route: 'authenteq.web_idv_result' });
  const idvBrowser = () => supertest.agent(webIdvStrategyApp(sandbox).app);
  /** Starts a Web IDV sign-up in `agent` and passes the check as `identity`: the callback path. */
  async function idvCallback(agent: Agent, identity: 'adult' | 'foreign' = 'adult', returnTo?: string) {
    const start = await agent.get('/auth/authenteq-web-idv').query(returnTo === undefined ? {} : { returnTo });
    expect(start.status).toBe(302);
    return localPath(await sandbox.authenteqWebIdv.complete(start.headers.location as string, identity));
  }

  it("the attacker's whole callback URL opened in the victim's browser: refused, zero result calls", async () => {
    const { app } = webIdvStrategyApp(sandbox);
    const victim = supertest.agent(app);
    const attacker = supertest.agent(app);
    await victim.get('/auth/authenteq-web-idv'); // the victim has a sign-up of their own pending
    const res = await victim.get(await idvCallback(attacker, 'foreign'));
    expect([res.status, res.body.failure?.code]).toEqual([403, 'state_invalid']);
    expect(resultCalls()).toBe(0);
    expect(await whoIs(victim)).toBeNull();
  });

  it('a code issued to another account → refused by the provider after one result call, nobody logged in', async () => {
    const other = sandbox.authenteqWebIdv.addClient({ redirectURLs: [WEB_IDV_STRATEGY_CALLBACK_URL] });
    const keys = { clientID: other.clientID, clientSecret: other.clientSecret };
    const elsewhere = supertest.agent(webIdvStrategyApp(sandbox, keys).app);
    const foreignCode = new URL(await idvCallback(elsewhere), 'http://app.test').searchParams.get('code') ?? '';
    sandbox.requests.clear();
    const agent = idvBrowser();
    const res = await agent.get(withParam(await idvCallback(agent), 'code', foreignCode));
    expect([res.status, res.body.failure?.code]).toEqual([403, 'code_rejected']);
    expect(resultCalls()).toBe(1);
    expect(await whoIs(agent)).toBeNull();
  });

  it('the session id changes on sign-up; the pre-login session id logs nobody in', async () => {
    const { app } = webIdvStrategyApp(sandbox);
    const agent = supertest.agent(app);
    const start = await agent.get('/auth/authenteq-web-idv');
    const before = cookieOf(start.headers['set-cookie']);
    const login = await agent.get(
      localPath(await sandbox.authenteqWebIdv.complete(start.headers.location as string, 'adult')),
    );
    expect(login.status).toBe(200);
    expect(cookieOf(login.headers['set-cookie'])).not.toBe(before);
    const fixed = await supertest(app)
      .get('/me')
      .set('cookie', before ?? '');
    expect(fixed.body.user).toBeNull();
  });

  it.each(['//evil.example/path', '/.//evil.example', 'https://evil.example/'])(
    'returnTo %j is dropped',
    async (to) => {
      const agent = idvBrowser();
      const res = await agent.get(await idvCallback(agent, 'adult', to));
      expect([res.status, res.body.authInfo.returnTo]).toEqual([200, undefined]);
    },
  );
});

function cookieOf(header: unknown): string | undefined {
  const list = Array.isArray(header) ? (header as string[]) : [];
  return list.find((cookie) => cookie.startsWith('connect.sid='))?.split(';')[0];
}
