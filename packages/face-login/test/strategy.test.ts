import { MemoryStore, type Store } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureDebug } from '../../../test/support/debug.js';
import { faceLoginApp } from '../../../test/support/face-login-app.js';

let sandbox: Sandbox;
let t: ReturnType<typeof faceLoginApp>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  sandbox.faults.clear();
  sandbox.clock.reset();
  sandbox.requests.clear();
  t = faceLoginApp(sandbox, { strategy: { rateLimit: false } });
});

type Agent = ReturnType<typeof request.agent>;

async function begin(agent: Agent, aliceUserId: string): Promise<string> {
  const res = await agent.post('/login/face/begin').send({ aliceUserId }).expect(200);
  return res.body.userToken as string;
}

function submit(agent: Agent, authenticationId: unknown, path = '/login/face') {
  return agent.post(path).send({ authenticationId });
}

/** Enrolls a user, opens an attempt in a fresh browser, authenticates with `media`; returns what was submitted. */
async function attempt(media?: Parameters<Sandbox['alice']['authenticate']>[1]) {
  const { userId } = sandbox.alice.enroll();
  const agent = request.agent(t.app);
  await begin(agent, userId);
  const id = sandbox.alice.authenticate(userId, media);
  return { userId, agent, id };
}

async function loggedIn(agent: Agent): Promise<string | null> {
  const me = await agent.get('/me').expect(200);
  return me.body.user?.id ?? null;
}

describe('FaceLoginStrategy: a genuine user', () => {
  it('logs in, changes the session id and keeps the face login across the regeneration', async () => {
    const { userId, agent, id } = await attempt();
    const before = (await agent.get('/me')).body.sid;
    const res = await submit(agent, id).expect(200);
    expect(res.body.user).toEqual({ id: userId });
    expect(res.body.sid).not.toBe(before);
    const me = await agent.get('/me');
    expect(me.body.user).toEqual({ id: userId });
    expect(me.body.faceLogin).toMatchObject({ authenticationId: id, aliceUserId: userId });
    expect(Math.abs(me.body.faceLogin.at - sandbox.clock.now())).toBeLessThan(2_000);
    expect(sandbox.requests.count({ route: 'alice.authentication', userId })).toBe(1);
  });

  it('works with the standard passport.authenticate middleware (redirect on failure)', async () => {
    const { userId, agent, id } = await attempt();
    await submit(agent, id, '/login/face/standard').expect(200);
    expect((await agent.get('/me')).body.faceLogin.authenticationId).toBe(id);
    expect(await loggedIn(agent)).toBe(userId);
    const spoof = await attempt({ live: false });
    const res = await submit(spoof.agent, spoof.id, '/login/face/standard').expect(302);
    expect(res.headers.location).toBe('/login');
    expect(await loggedIn(spoof.agent)).toBeNull();
  });

  it('hands only the USER_TOKEN to the browser, never a backend token', async () => {
    const lines = captureDebug();
    const { userId } = sandbox.alice.enroll();
    const agent = request.agent(t.app);
    const res = await agent.post('/login/face/begin').send({ aliceUserId: userId }).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const claims = JSON.parse(Buffer.from(res.body.userToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ kind: 'USER_TOKEN', sub: userId });
    const id = sandbox.alice.authenticate(userId);
    const login = await submit(agent, id).expect(200);
    const everything = `${JSON.stringify(res.body)}${JSON.stringify(login.body)}${JSON.stringify(login.headers)}`;
    expect(everything.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g)).toEqual([res.body.userToken]);
    expect(lines.join('\n')).not.toMatch(/eyJ[\w-]{10,}/);
    expect(lines.join('\n')).not.toContain(sandbox.alice.apiKey);
  });
});

describe('FaceLoginStrategy: authenticationVersion 0', () => {
  it('reads V0 results (0–1 scale, match threshold 0.7 on normalized)', async () => {
    t = faceLoginApp(sandbox, { client: { authenticationVersion: 0 }, strategy: { rateLimit: false } });
    const ok = await attempt({ liveness: 50, matching: 70 });
    await submit(ok.agent, ok.id).expect(200);
    const between = await attempt({ liveness: 90, matching: 65 }); // passes V1's 50, not V0's 0.7
    expect((await submit(between.agent, between.id).expect(401)).body.failure.code).toBe('face_mismatch');
    const spoof = await attempt({ live: false });
    expect((await submit(spoof.agent, spoof.id).expect(401)).body.failure.code).toBe('liveness_too_low');
  });
});

describe('FaceLoginStrategy: begin() hands out a USER_TOKEN that outlives the attempt', () => {
  const expOf = (token: string) =>
    (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number }).exp * 1000;

  it('a cached token that would expire within maxAge is replaced by a fresh one', async () => {
    t = faceLoginApp(sandbox, { strategy: { rateLimit: false, maxAge: 600 } });
    const { userId } = sandbox.alice.enroll();
    const agent = request.agent(t.app);
    const first = await begin(agent, userId);
    expect(await begin(agent, userId)).toBe(first); // cached
    sandbox.clock.advance(3_000_000); // 600 s left: no more than the attempt
    const second = await begin(agent, userId);
    expect(second).not.toBe(first);
    expect(expOf(second) - sandbox.clock.now()).toBeGreaterThan(600_000);
    expect(sandbox.requests.count({ route: 'alice.user_token' })).toBe(2);
    await submit(agent, sandbox.alice.authenticate(userId)).expect(200);
  });

  it('a provider that hands back a token expiring within maxAge gets a 502, and no token reaches the browser', async () => {
    const { userId } = sandbox.alice.enroll();
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const exp = Math.floor(sandbox.clock.now() / 1000) + 120;
    const stale = `${b64({ alg: 'HS256' })}.${b64({ exp, kind: 'USER_TOKEN', sub: userId })}.c2ln`;
    sandbox.faults.inject('alice.user_token', { body: { token: stale } });
    const res = await request.agent(t.app).post('/login/face/begin').send({ aliceUserId: userId });
    expect(res.status).toBe(502);
    expect(JSON.stringify(res.body)).not.toContain(stale);
  });
});

describe('FaceLoginStrategy: the verify callback', () => {
  it('a verify callback answering false logs no one in', async () => {
    t = faceLoginApp(sandbox, { verify: async () => false, strategy: { rateLimit: false } });
    const { agent, id } = await attempt();
    expect((await submit(agent, id).expect(401)).body.failure.code).toBe('rejected');
    expect(await loggedIn(agent)).toBeNull();
    expect((await agent.get('/me')).body.faceLogin).toBeNull();
  });
});

describe('FaceLoginStrategy: provider failures → no login, 502/504', () => {
  it.each([
    ['5xx', { status: 500 }, 502],
    ['malformed body', { malformed: true }, 502],
    ['wrong shape (no scores at all)', { body: { nothing: true } }, 502],
  ] as const)('%s', async (_name, fault, status) => {
    const { agent, id } = await attempt();
    sandbox.faults.inject('alice.authentication', fault);
    const res = await submit(agent, id);
    expect(res.status).toBe(status);
    expect(await loggedIn(agent)).toBeNull();
    expect(JSON.stringify(res.body)).not.toContain('Injected');
  });

  it('timeout → 504', async () => {
    t = faceLoginApp(sandbox, { client: { timeout: 300 }, strategy: { rateLimit: false } });
    const { agent, id } = await attempt();
    sandbox.faults.inject('alice.authentication', { hang: true, times: 1 });
    const res = await submit(agent, id);
    expect(res.status).toBe(504);
    expect(res.body).toEqual({ error: 'ERR_PROVIDER_TIMEOUT' });
    expect(await loggedIn(agent)).toBeNull();
  });

  it('store failure → 503, no login', async () => {
    const memory = new MemoryStore({ clock: sandbox.clock });
    let broken = false;
    const store: Store = {
      get: (k) => memory.get(k),
      set: (k, v, ttl) => memory.set(k, v, ttl),
      add: (k, v, ttl) => (broken ? Promise.reject(new Error('down')) : memory.add(k, v, ttl)),
      take: (k) => memory.take(k),
      delete: (k) => memory.delete(k),
    };
    t = faceLoginApp(sandbox, { strategy: { rateLimit: false, store } });
    const { agent, id } = await attempt();
    broken = true;
    expect((await submit(agent, id)).status).toBe(503);
    expect(await loggedIn(agent)).toBeNull();
  });
});

describe('FaceLoginStrategy: token traffic', () => {
  it('100 face logins of one user → one LOGIN_TOKEN and one BACKEND_TOKEN_WITH_USER_ID request', async () => {
    const { userId } = sandbox.alice.enroll();
    sandbox.requests.clear();
    const agent = request.agent(t.app);
    for (let i = 0; i < 100; i++) {
      await begin(agent, userId);
      await submit(agent, sandbox.alice.authenticate(userId)).expect(200);
    }
    expect(sandbox.requests.count({ route: 'alice.login_token' })).toBe(1);
    expect(sandbox.requests.count({ route: 'alice.backend_token_with_user_id' })).toBe(1);
    expect(sandbox.requests.count({ route: 'alice.authentication' })).toBe(100);
  });

  it('200 concurrent logins of 200 users on a cold cache → exactly one LOGIN_TOKEN request', async () => {
    const users = Array.from({ length: 200 }, () => sandbox.alice.enroll().userId);
    sandbox.requests.clear();
    const results = await Promise.all(
      users.map(async (userId) => {
        const agent = request.agent(t.app);
        await begin(agent, userId);
        const res = await submit(agent, sandbox.alice.authenticate(userId));
        return res.status;
      }),
    );
    expect(results.every((s) => s === 200)).toBe(true);
    expect(sandbox.requests.count({ route: 'alice.login_token' })).toBe(1);
    expect(sandbox.requests.count({ route: 'alice.backend_token_with_user_id' })).toBe(200);
  });
});

describe('requireFaceLogin', () => {
  it('401 JSON without a face login, passes within maxAge, 401 again after it', async () => {
    const fresh = request.agent(t.app);
    const none = await fresh.get('/transfer').expect(401);
    expect(none.body).toEqual({ error: 'face_login_required', message: expect.any(String) });
    const { agent, id } = await attempt();
    await submit(agent, id).expect(200);
    await agent.get('/transfer').expect(200);
    sandbox.clock.advance(298_000);
    await agent.get('/transfer').expect(200);
    sandbox.clock.advance(3_000);
    await agent.get('/transfer').expect(401);
  });

  it("is bound to the user: after another login that keeps the session's data, the first user's face counts for nobody", async () => {
    const { userId, agent, id } = await attempt();
    await submit(agent, id).expect(200);
    await agent.get('/transfer').expect(200);
    expect((await agent.get('/me')).body.faceLogin).toMatchObject({ aliceUserId: userId, user: expect.any(String) });
    await agent.post('/login/other').send({ id: 'someone-else' }).expect(200);
    expect((await agent.get('/me')).body.user).toEqual({ id: 'someone-else' });
    await agent.get('/transfer').expect(401);
    expect((await agent.get('/me')).body.faceLogin).toBeNull();
    // Back to the first user (same session data): their own record counts again.
    await agent.post('/login/other').send({ id: userId }).expect(200);
    await agent.get('/transfer').expect(200);
  });

  it('redirects with returnTo when configured', async () => {
    const res = await request(t.app).get('/transfer/page?amount=5').expect(302);
    expect(res.headers.location).toBe(`/login?returnTo=${encodeURIComponent('/transfer/page?amount=5')}`);
  });

  it('validates its options', async () => {
    const { requireFaceLogin } = await import('../src/index.js');
    expect(() => requireFaceLogin({ maxAge: 0 })).toThrow(TypeError);
    // Seconds whose milliseconds overflow to Infinity would be a step-up that never expires.
    for (const maxAge of [Number.MAX_VALUE, 1e306, Number.POSITIVE_INFINITY, 30 * 86_400 + 1, Number.NaN]) {
      expect(() => requireFaceLogin({ maxAge })).toThrow(
        expect.objectContaining({
          name: 'TypeError',
          code: 'ERR_INVALID_OPTION',
          message: expect.stringMatching(/maxAge/),
        }),
      );
    }
    expect(() => requireFaceLogin({ maxAge: 30 * 86_400 })).not.toThrow();
    expect(() => requireFaceLogin({ maxAge: 60, redirectTo: 'https://evil.example/' })).toThrow(TypeError);
  });
});

describe('FaceLoginStrategy: options in seconds are bounded', () => {
  it.each([
    ['maxAge overflowing to Infinity ms', { maxAge: Number.MAX_VALUE }],
    ['maxAge over 20 minutes', { maxAge: 1_201 }],
    ['maxAge 0', { maxAge: 0 }],
    ['clockSkew over 5 minutes', { clockSkew: 301 }],
    ['rateLimit.window overflowing', { rateLimit: { window: 1e306 } }],
    ['rateLimit.window a fraction', { rateLimit: { window: 1.5 } }],
    ['rateLimit.perUser beyond 1000', { rateLimit: { perUser: 1_001 } }],
  ])('refuses %s with a coded TypeError', async (_, options) => {
    const { FaceLoginStrategy } = await import('../src/index.js');
    expect(() => new FaceLoginStrategy({ client: t.client, ...options } as never, () => undefined)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_OPTION' }),
    );
  });

  it('refuses a refreshMargin that overflows', async () => {
    const { AliceClient } = await import('../src/index.js');
    expect(() => new AliceClient({ ...sandbox.alice, refreshMargin: Number.MAX_VALUE })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', message: expect.stringMatching(/refreshMargin/) }),
    );
  });
});

describe('FaceLoginStrategy: store keys', () => {
  it('keeps everything under face-login:<kind>:…, one scheme (a RedisStore adds its prefix once)', async () => {
    const keys = new Set<string>();
    const store = new MemoryStore({ clock: sandbox.clock });
    for (const method of ['get', 'set', 'add', 'take', 'delete'] as const) {
      const original = store[method].bind(store) as (key: string, ...rest: unknown[]) => Promise<unknown>;
      (store as unknown as Record<string, unknown>)[method] = (key: string, ...rest: unknown[]) => {
        keys.add(key);
        return original(key, ...rest);
      };
    }
    t = faceLoginApp(sandbox, { strategy: { store, rateLimit: {} }, client: { tokenStore: store } });
    const { agent, id } = await attempt();
    await submit(agent, id).expect(200);
    const kinds = [...keys].map((key) => key.split(':').slice(0, 2).join(':'));
    expect(new Set(kinds)).toEqual(
      new Set(['face-login:alice', 'face-login:attempt', 'face-login:used', 'face-login:failures']),
    );
  });
});

describe('FaceLoginStrategy: without a session middleware', () => {
  // One SessionRequiredError for every package: the same class and code as AuthenteqStrategy's.
  it('begin() rejects with SessionRequiredError (ERR_SESSION_REQUIRED), and authenticate() errors with it', async () => {
    const { SessionRequiredError } = await import('@passport-idv/core');
    const { FaceLoginStrategy } = await import('../src/index.js');
    const express = (await import('express')).default;
    const { Passport } = await import('passport');
    const strategy = new FaceLoginStrategy({ client: t.client, clock: sandbox.clock }, (id, _r, done) =>
      done(null, { id }),
    );
    const passport = new Passport();
    passport.use(strategy);
    const app = express();
    app.use(express.json());
    app.post('/begin', (req, res, next) => {
      strategy.begin(req, 'u1').then(() => res.json({ began: true }), next);
    });
    app.post('/login/face', passport.authenticate('face-login'));
    app.use((error: Error & { code?: string }, _req: unknown, res: import('express').Response, _next: unknown) => {
      res.status(500).json({ error: error.code, isSessionRequired: error instanceof SessionRequiredError });
    });
    for (const path of ['/begin', '/login/face']) {
      const res = await request(app).post(path).send({ authenticationId: 'a1' });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: 'ERR_SESSION_REQUIRED', isSessionRequired: true });
    }
    expect(sandbox.requests.count({})).toBe(0); // nothing asked upstream
  });
});
