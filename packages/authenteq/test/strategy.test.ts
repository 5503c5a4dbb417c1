import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import session from 'express-session';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AUTHENTEQ_CALLBACK_URL, authenteqApp, startSignup } from '../../../test/support/authenteq-app.js';
import { browserOn, localPath, sessionCookie } from '../../../test/support/browser.js';
import { AuthenteqStrategy, type VerifiedIdentity } from '../src/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ authenteq: { redirectURIs: [AUTHENTEQ_CALLBACK_URL] } });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
  sandbox.clock.reset();
});

describe.each(['express5', 'express4'] as const)('AuthenteqStrategy with %s', (framework) => {
  it('redirects with response_type=code, client_id, the exact redirect_uri, scope=kyc and a fresh 256-bit state', async () => {
    const { app } = authenteqApp(sandbox, { backURL: 'http://app.test/signup' }, { framework });
    const agent = browserOn(app);
    const first = new URL(await startSignup(agent));
    expect(`${first.origin}${first.pathname}`).toBe(sandbox.authenteq.authorizationURL);
    const params = Object.fromEntries(first.searchParams);
    expect(params).toEqual({
      response_type: 'code',
      client_id: sandbox.authenteq.clientID,
      redirect_uri: AUTHENTEQ_CALLBACK_URL,
      scope: 'kyc',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      back_url: 'http://app.test/signup',
    });
    expect(Buffer.from(params.state!, 'base64url')).toHaveLength(32);
    const second = new URL(await startSignup(agent));
    expect(second.searchParams.get('state')).not.toBe(params.state);
    expect(sandbox.requests.count({ provider: 'authenteq' })).toBe(0);
  });

  it('signs up: one token call, one details call, the user logged in, the session id changed', async () => {
    const { app } = authenteqApp(sandbox, {}, { framework });
    const agent = browserOn(app);
    const started = await agent.get('/auth/authenteq');
    const before = sessionCookie(started);
    expect(before).toBeDefined();
    const callback = await sandbox.authenteq.complete(started.headers.location as string, 'adult');
    const res = await agent.get(localPath(callback));
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: expect.stringMatching(/^DEU:PASSPORT:/), name: 'ANNA MARIA SCHMIDT' });
    expect(res.body.authInfo).toEqual({ provider: 'authenteq' });
    const after = sessionCookie(res);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(sandbox.requests.count({ route: 'authenteq.token', credential: 'client_secret' })).toBe(1);
    expect(sandbox.requests.count({ route: 'authenteq.details', credential: 'authenteq_token' })).toBe(1);
    expect((await agent.get('/me')).body.user.name).toBe('ANNA MARIA SCHMIDT');
  });

  it('two tabs started in one session can both complete', async () => {
    const { app } = authenteqApp(sandbox, {}, { framework });
    const agent = browserOn(app);
    const tab1 = await startSignup(agent);
    const tab2 = await startSignup(agent);
    const callback2 = await sandbox.authenteq.complete(tab2, 'foreign');
    const callback1 = await sandbox.authenteq.complete(tab1, 'adult');
    expect((await agent.get(localPath(callback2))).body.user.name).toBe("SEÁN O'BRIEN");
    expect((await agent.get(localPath(callback1))).body.user.name).toBe('ANNA MARIA SCHMIDT');
    expect(sandbox.requests.count({ route: 'authenteq.token' })).toBe(2);
  });

  it('one session keeps at most 10 pending states: the 11th start drops the oldest', async () => {
    const { app } = authenteqApp(sandbox, {}, { framework });
    const agent = browserOn(app);
    const tabs: string[] = [];
    for (let i = 0; i < 11; i++) tabs.push(await startSignup(agent));
    const oldest = await agent.get(localPath(await sandbox.authenteq.complete(tabs[0] as string, 'adult')));
    expect(oldest.status).toBe(403);
    expect(sandbox.requests.count({ route: 'authenteq.token' })).toBe(0);
    const second = await agent.get(localPath(await sandbox.authenteq.complete(tabs[1] as string, 'adult')));
    expect(second.body.user.name).toBe('ANNA MARIA SCHMIDT');
    expect(sandbox.requests.count({ route: 'authenteq.token' })).toBe(1);
  });

  it('a spent state leaves the session: an instance sharing the session store refuses its replay', async () => {
    // Each strategy instance (each app process) has its own in-memory spent set; only the session is shared.
    const sessionStore = new session.MemoryStore();
    const strategy = { policy: { minimumAge: 18 } };
    const a = authenteqApp(sandbox, strategy, { framework, sessionStore });
    const b = authenteqApp(sandbox, strategy, { framework, sessionStore });
    const started = await browserOn(a.app).get('/auth/authenteq');
    const cookie = sessionCookie(started) as string;
    const callback = localPath(await sandbox.authenteq.complete(started.headers.location as string, 'minor'));
    const refused = await browserOn(a.app).get(callback).set('Cookie', cookie);
    expect(refused.body.failure.code).toBe('under_age');
    const replay = await browserOn(b.app).get(callback).set('Cookie', cookie);
    expect(replay.status).toBe(403);
    expect(replay.body.failure.code).toBe('state_invalid');
    expect(sandbox.requests.count({ route: 'authenteq.token' })).toBe(1);
  });

  it('error=access_denied (cancel) fails to the failure redirect and spends the state', async () => {
    const { app } = authenteqApp(sandbox, {}, { framework, callback: 'standard' });
    const agent = browserOn(app);
    const authorize = await startSignup(agent);
    const cancelled = await sandbox.authenteq.complete(authorize, 'cancel');
    const res = await agent.get(localPath(cancelled));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/signup');
    expect((await agent.get('/signup')).body.messages).toEqual(['The identity check was cancelled.']);
    // the same state with a code now fails: it was consumed by the cancel
    const state = new URL(authorize).searchParams.get('state')!;
    const replay = await agent.get('/auth/authenteq/callback').query({ code: 'abc', state });
    expect(replay.headers.location).toBe('/signup');
    expect(sandbox.requests.count({ route: 'authenteq.token' })).toBe(0);
    expect((await agent.get('/me')).body.user).toBeNull();
  });
});

describe('AuthenteqStrategy: the callback', () => {
  it('another OAuth error is an error (502), with no upstream call', async () => {
    const { app } = authenteqApp(sandbox);
    const agent = browserOn(app);
    const state = new URL(await startSignup(agent)).searchParams.get('state')!;
    const res = await agent.get('/auth/authenteq/callback').query({ error: 'server_error', state });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ error: 'ERR_AUTHENTEQ_AUTHORIZATION' });
    const busy = await agent.get('/auth/authenteq/callback').query({ error: 'temporarily_unavailable' });
    expect(busy.status).toBe(503);
    expect(sandbox.requests.count({ route: 'authenteq.token' })).toBe(0);
  });

  it('a valid state without a code fails with 400 code_missing and spends the state', async () => {
    const { app } = authenteqApp(sandbox);
    const agent = browserOn(app);
    const state = new URL(await startSignup(agent)).searchParams.get('state')!;
    const res = await agent.get('/auth/authenteq/callback').query({ state });
    expect(res.status).toBe(400);
    expect(res.body.failure.code).toBe('code_missing');
    const again = await agent.get('/auth/authenteq/callback').query({ state, code: 'x' });
    expect(again.body.failure.code).toBe('state_invalid');
    expect(sandbox.requests.count({ route: 'authenteq.token' })).toBe(0);
  });

  it('keeps returnTo through the flow and exposes it on req.authInfo', async () => {
    const { app } = authenteqApp(sandbox, {}, { callback: 'standard' });
    const agent = browserOn(app);
    const callback = await sandbox.authenteq.complete(await startSignup(agent, '/account?tab=documents'), 'adult');
    const res = await agent.get(localPath(callback));
    expect(res.body.authInfo).toEqual({ provider: 'authenteq', returnTo: '/account?tab=documents' });
  });

  it.each(['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)'])(
    'drops the open-redirect attempt %s',
    async (returnTo) => {
      const { app } = authenteqApp(sandbox, {}, { callback: 'standard' });
      const agent = browserOn(app);
      const callback = await sandbox.authenteq.complete(await startSignup(agent, returnTo), 'adult');
      const res = await agent.get(localPath(callback));
      expect(res.status).toBe(200);
      expect(res.body.authInfo).toEqual({ provider: 'authenteq' });
    },
  );

  it('passes req with passReqToCallback, and the VerifiedIdentity profile', async () => {
    let seen: { profile: VerifiedIdentity; hasReq: boolean } | undefined;
    const { app } = authenteqApp(
      sandbox,
      { passReqToCallback: true },
      {
        verifyWithRequest: (req, profile, done) => {
          seen = { profile, hasReq: typeof req.get === 'function' };
          done(null, { id: profile.id });
        },
      },
    );
    const agent = browserOn(app);
    await agent.get(localPath(await sandbox.authenteq.complete(await startSignup(agent), 'adult')));
    expect(seen?.hasReq).toBe(true);
    const adult = sandbox.authenteq.identities.find((identity) => identity.id === 'adult')!.details;
    expect(seen?.profile).toEqual({
      provider: 'authenteq',
      id: `DEU:PASSPORT:${adult.documentNumber}`,
      displayName: 'ANNA MARIA SCHMIDT',
      name: { givenName: 'ANNA MARIA', familyName: 'SCHMIDT' },
      birthDate: '1987-01-12',
      nationality: 'DEU',
      sex: 'F',
      document: {
        type: 'PASSPORT',
        number: adult.documentNumber,
        issuingCountry: 'DEU',
        dateOfIssue: adult.dateOfIssue,
        dateOfExpiry: adult.dateOfExpiry,
      },
      _json: adult,
    });
  });

  it('adds images only with includeImages', async () => {
    let profile: VerifiedIdentity | undefined;
    const { app } = authenteqApp(
      sandbox,
      { includeImages: true },
      {
        verify: (p, done) => {
          profile = p;
          done(null, { id: p.id });
        },
      },
    );
    const agent = browserOn(app);
    await agent.get(localPath(await sandbox.authenteq.complete(await startSignup(agent), 'adult')));
    expect(profile?.images?.front).toMatch(/^\/9j\//);
    expect(profile?._json.croppedDocs?.back).toMatch(/^\/9j\//);
  });

  it('accepts an async verify returning the user, or false to refuse', async () => {
    let refuse = false;
    const { app } = authenteqApp(
      sandbox,
      {},
      { verify: async (profile) => (refuse ? false : { id: profile.id, async: true }) },
    );
    const agent = browserOn(app);
    const ok = await agent.get(localPath(await sandbox.authenteq.complete(await startSignup(agent), 'adult')));
    expect(ok.body.user.async).toBe(true);
    refuse = true;
    const other = browserOn(app);
    const refused = await other.get(localPath(await sandbox.authenteq.complete(await startSignup(other), 'adult')));
    expect(refused.status).toBe(401);
    expect((await other.get('/me')).body.user).toBeNull();
  });

  it('turns a verify error or rejection into an error response', async () => {
    const { app } = authenteqApp(
      sandbox,
      {},
      {
        verify: async () => {
          throw Object.assign(new Error('database down'), { status: 503, code: 'DB' });
        },
      },
    );
    const agent = browserOn(app);
    const res = await agent.get(localPath(await sandbox.authenteq.complete(await startSignup(agent), 'adult')));
    expect(res.status).toBe(503);
    expect((await agent.get('/me')).body.user).toBeNull();
  });

  it('sends grantType=authorizationCode when configured (the sandbox accepts both)', async () => {
    const { app } = authenteqApp(sandbox, { grantType: 'authorizationCode' });
    const agent = browserOn(app);
    const res = await agent.get(localPath(await sandbox.authenteq.complete(await startSignup(agent), 'adult')));
    expect(res.status).toBe(200);
  });

  it('errors (500) without a session middleware, never throwing', async () => {
    const express = (await import('express')).default;
    const { Passport } = await import('passport');
    const passport = new Passport();
    passport.use(
      new AuthenteqStrategy(
        { clientID: 'id', clientSecret: 'secret', callbackURL: AUTHENTEQ_CALLBACK_URL },
        (profile, done) => done(null, profile),
      ),
    );
    const app = express();
    app.get('/auth/authenteq', passport.authenticate('authenteq'));
    const { SessionRequiredError } = await import('@passport-idv/core');
    app.use((error: { code?: string }, _req: unknown, res: import('express').Response, _next: unknown) => {
      res.status(500).json({ error: error.code, isSessionRequired: error instanceof SessionRequiredError });
    });
    const res = await browserOn(app).get('/auth/authenteq');
    // The one SessionRequiredError of core, as face-login's strategy gives.
    expect(res.body).toEqual({ error: 'ERR_SESSION_REQUIRED', isSessionRequired: true });
  });
});

describe('AuthenteqStrategy: options', () => {
  const verify = () => undefined;
  const base = { clientID: 'id', clientSecret: 'secret', callbackURL: AUTHENTEQ_CALLBACK_URL };
  it.each([
    ['a missing clientID', { clientID: '' }],
    ['a missing clientSecret', { clientSecret: undefined }],
    ['a relative callbackURL', { callbackURL: '/callback' }],
    ['a bad tokenURL', { tokenURL: 'ftp://x' }],
    ['a bad grantType', { grantType: 'code' }],
    ['a zero stateTTL', { stateTTL: 0 }],
    ['a stateTTL whose milliseconds overflow to Infinity', { stateTTL: Number.MAX_VALUE }],
    ['a stateTTL over a day', { stateTTL: 86_401 }],
    ['a negative timeout', { timeout: -1 }],
    ['a store without take', { store: { add() {} } }],
    ['a fractional minimumAge', { policy: { minimumAge: 17.5 } }],
    ['countries not in an array', { policy: { acceptedIssuingCountries: 'DEU' } }],
  ])('refuses %s with a coded TypeError', (_, override) => {
    expect(() => new AuthenteqStrategy({ ...base, ...override } as never, verify)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_OPTION' }),
    );
  });

  it('is named authenteq and accepts the sandbox credentials spread in', () => {
    const strategy = new AuthenteqStrategy({ ...sandbox.authenteq, callbackURL: AUTHENTEQ_CALLBACK_URL }, verify);
    expect(strategy.name).toBe('authenteq');
  });
});
