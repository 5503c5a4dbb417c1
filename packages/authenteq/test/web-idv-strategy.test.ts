import { MemoryStore, type Store, StoreError } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSignup, type WebIdvStrategyAppOptions, webIdvStrategyApp } from '../../../test/support/authenteq-app.js';
import { type Browser, browserOn, localPath, sessionCookie } from '../../../test/support/browser.js';
import { WEB_IDV_CALLBACK_URL } from '../../../test/support/web-idv-app.js';
import {
  AuthenteqWebIdvStrategy,
  type AuthenteqWebIdvStrategyOptions,
  type WebIdvVerifiedIdentity,
} from '../src/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ authenteqWebIdv: { redirectURLs: [WEB_IDV_CALLBACK_URL] } });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
  sandbox.clock.reset();
  sandbox.authenteqWebIdv.activate();
});

const urlCalls = () => sandbox.requests.count({ route: 'authenteq.web_idv_url' });
const resultCalls = () => sandbox.requests.count({ route: 'authenteq.web_idv_result' });
const browser = browserOn;
/** The Web IDV test app: the strategy's options in `strategy`, how it is served beside them. */
const app = ({
  strategy,
  ...serve
}: WebIdvStrategyAppOptions & { strategy?: Partial<AuthenteqWebIdvStrategyOptions> } = {}) =>
  webIdvStrategyApp(sandbox, strategy, serve).app;

/** Starts a sign-up in `agent`: the verification URL the app redirected to. */
const begin = (agent: Browser, returnTo?: string) => startSignup(agent, returnTo, '/auth/idv');

/** Starts and completes a verification as `choice`: the callback path the browser is sent back to. */
async function completed(agent: Browser, choice: Parameters<Sandbox['authenteqWebIdv']['complete']>[1] = 'adult') {
  return localPath(await sandbox.authenteqWebIdv.complete(await begin(agent), choice));
}

describe.each(['express5', 'express4'] as const)('AuthenteqWebIdvStrategy with %s', (framework) => {
  it('asks for a verification URL for callbackURL?state=<256-bit state> and redirects the browser there', async () => {
    const agent = browser(app({ framework }));
    const location = await begin(agent);
    expect(location.startsWith(`${sandbox.authenteqWebIdv.baseURL}/verify?token=`)).toBe(true);
    const [verification] = sandbox.authenteqWebIdv.verifications;
    expect(verification?.redirectUrl).toMatch(/^http:\/\/app\.test\/auth\/idv\/callback\?state=[A-Za-z0-9_-]{43}$/);
    expect(sandbox.requests.filter({ route: 'authenteq.web_idv_url' })).toMatchObject([
      { method: 'GET', credential: 'client_secret', status: 200 },
    ]);
  });

  it('signs up: one result call with the same redirectUrl, the user logged in, the session id changed', async () => {
    const agent = browser(app({ framework }));
    const first = await agent.get('/auth/idv');
    const callback = localPath(await sandbox.authenteqWebIdv.complete(first.headers.location as string, 'adult'));
    expect(new URL(callback, 'http://app.test').searchParams.get('code')).toBeTruthy();
    const res = await agent.get(callback);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toMatch(/^[A-Z]{3}:PP:/);
    expect(res.body.authInfo).toMatchObject({ provider: 'authenteq' });
    expect(resultCalls()).toBe(1);
    expect((await agent.get('/me')).body.user.id).toBe(res.body.user.id);
    expect(sessionCookie(res)).not.toBe(sessionCookie(first));
  });

  it('several tabs started in one session can each complete, in any order', async () => {
    const agent = browser(app({ framework }));
    const first = await begin(agent);
    const second = await begin(agent);
    const secondBack = localPath(await sandbox.authenteqWebIdv.complete(second, 'adult'));
    const firstBack = localPath(await sandbox.authenteqWebIdv.complete(first, 'no-expiry'));
    expect((await agent.get(secondBack)).status).toBe(200);
    // The first tab's state survived the second's sign-up; the policy then decides about its document.
    expect((await agent.get(firstBack)).body.failure?.code).toBe('document_without_expiry');
    expect(resultCalls()).toBe(2);
  });

  it('cancel: back without a code → 403 not_verified, no result call, and the state is spent', async () => {
    const agent = browser(app({ framework, callback: 'standard' }));
    const back = localPath(await sandbox.authenteqWebIdv.complete(await begin(agent), 'cancel'));
    const res = await agent.get(back);
    expect([res.status, res.headers.location]).toEqual([302, '/signup']);
    expect((await agent.get('/signup')).body.messages).toEqual([
      'The identity check was cancelled or did not pass. Please start again.',
    ]);
    const replay = await agent.get(back);
    expect(replay.status).toBe(302);
    expect((await agent.get('/signup')).body.messages).toContain(
      'This sign-up link has expired or was already used. Please start again.',
    );
    expect(resultCalls()).toBe(0);
  });
});

describe('AuthenteqWebIdvStrategy: the callback', () => {
  it('a failed check comes back without a code too: not_verified, no result call', async () => {
    const agent = browser(app());
    const res = await agent.get(await completed(agent, 'fail'));
    expect([res.status, res.body.failure]).toEqual([
      403,
      { code: 'not_verified', message: 'The identity check was cancelled or did not pass. Please start again.' },
    ]);
    expect(resultCalls()).toBe(0);
    expect((await agent.get('/me')).body.user).toBeNull();
  });

  it('a callback with a code and no state fails state_missing before any upstream call', async () => {
    const agent = browser(app());
    const back = new URL(await completed(agent), 'http://app.test');
    back.searchParams.delete('state');
    const res = await agent.get(`${back.pathname}${back.search}`);
    expect([res.status, res.body.failure.code]).toEqual([403, 'state_missing']);
    expect(resultCalls()).toBe(0);
  });

  it('the state expires after stateTTL on the clock: state_invalid, no result call (1 s before, it works)', async () => {
    const agent = browser(app({ strategy: { stateTTL: 60 } }));
    const early = await completed(agent);
    sandbox.clock.advance(59_000);
    expect((await agent.get(early)).status).toBe(200);
    const late = await completed(agent);
    sandbox.clock.advance(60_001);
    const res = await agent.get(late);
    expect([res.status, res.body.failure.code]).toEqual([403, 'state_invalid']);
    expect(resultCalls()).toBe(1);
  });

  it('a code the provider refuses (expired) fails code_rejected after exactly one result call', async () => {
    const agent = browser(app({ strategy: { stateTTL: 3_600 } }));
    const back = await completed(agent);
    sandbox.clock.advance(601_000); // past the sandbox's code lifetime, within the state's
    const res = await agent.get(back);
    expect([res.status, res.body.failure.code]).toEqual([403, 'code_rejected']);
    expect(resultCalls()).toBe(1);
  });

  it('refused API keys (401) and a deactivated account (403) are errors with the provider code, not failures', async () => {
    const wrong = browser(app({ strategy: { clientSecret: 'not-the-secret' } }));
    const start = await wrong.get('/auth/idv');
    expect([start.status, start.body]).toEqual([502, { error: 'ERR_PROVIDER_STATUS', errorCode: 'BAD_API_KEYS' }]);

    const agent = browser(app());
    const back = await completed(agent);
    sandbox.authenteqWebIdv.deactivate();
    const res = await agent.get(back);
    expect([res.status, res.body]).toEqual([502, { error: 'ERR_PROVIDER_STATUS', errorCode: 'ACCOUNT_DEACTIVATED' }]);
    expect(resultCalls()).toBe(1);
    expect((await agent.get('/me')).body.user).toBeNull();
  });

  it('the policy: under age, a document without expiry (unless accepted), a country not accepted', async () => {
    const strict = browser(app({ strategy: { policy: { minimumAge: 18, acceptedIssuingCountries: ['DEU'] } } }));
    const minor = await strict.get(await completed(strict, 'minor'));
    expect([minor.status, minor.body.failure]).toEqual([
      403,
      { code: 'under_age', message: 'You must be at least 18 years old to sign up.' },
    ]);
    expect((await strict.get(await completed(strict, 'foreign'))).body.failure.code).toBe('country_not_accepted');
    expect((await strict.get(await completed(strict, 'expired'))).body.failure.code).toBe('document_expired');
    expect((await strict.get('/me')).body.user).toBeNull();

    const lenient = browser(app({ strategy: { policy: { acceptDocumentsWithoutExpiry: true } } }));
    expect((await lenient.get(await completed(lenient, 'no-expiry'))).status).toBe(200);
  });

  it('keeps returnTo (same-origin paths only) and passes req with passReqToCallback', async () => {
    let seen: { url: string | undefined; profile: WebIdvVerifiedIdentity | undefined } = {
      url: undefined,
      profile: undefined,
    };
    const agent = browser(
      app({
        strategy: { passReqToCallback: true },
        verifyWithRequest: (req, profile, done) => {
          seen = { url: req.url, profile };
          done(null, { id: profile.id });
        },
      }),
    );
    const back = localPath(await sandbox.authenteqWebIdv.complete(await begin(agent, '/settings?tab=2'), 'adult'));
    const res = await agent.get(back);
    expect(res.body.authInfo).toEqual({ provider: 'authenteq', returnTo: '/settings?tab=2' });
    expect(seen.url).toContain('/auth/idv/callback');
    expect(seen.profile).toMatchObject({ provider: 'authenteq', document: { type: expect.any(String) } });
    expect(seen.profile?.verificationId).toEqual(expect.any(String));
    expect(seen.profile?.images).toBeUndefined();

    const offsite = browser(app());
    const away = localPath(await sandbox.authenteqWebIdv.complete(await begin(offsite, '//evil.example/x'), 'adult'));
    expect((await offsite.get(away)).body.authInfo.returnTo).toBeUndefined();
  });

  it('adds the images only with includeImages', async () => {
    let profile: WebIdvVerifiedIdentity | undefined;
    const agent = browser(
      app({
        strategy: { includeImages: true },
        verify: (p, done) => {
          profile = p;
          done(null, { id: p.id });
        },
      }),
    );
    expect((await agent.get(await completed(agent))).status).toBe(200);
    expect(profile?.images?.liveness).toEqual(expect.any(String));
  });

  it('an async verify returning false refuses (401); a throwing verify is an error (500)', async () => {
    const refused = browser(app({ verify: async () => false }));
    expect((await refused.get(await completed(refused))).status).toBe(401);
    const broken = browser(
      app({
        verify: async () => {
          throw new Error('database down');
        },
      }),
    );
    expect((await broken.get(await completed(broken))).status).toBe(500);
  });

  it('a store failure at the start is an error (503), with no verification URL asked for', async () => {
    const failing: Store = Object.assign(new MemoryStore(), {
      add: () => Promise.reject(new Error('store down')),
    });
    const res = await browser(app({ strategy: { store: failing } })).get('/auth/idv');
    expect([res.status, res.body.error]).toEqual([503, new StoreError('x').code]);
    expect(urlCalls()).toBe(0);
  });
});

describe('AuthenteqWebIdvStrategy: options', () => {
  const verify = () => undefined;
  const base = () => ({ ...sandbox.authenteqWebIdv, callbackURL: WEB_IDV_CALLBACK_URL });

  it('is named authenteq-web-idv and takes the sandbox keys spread in', () => {
    expect(new AuthenteqWebIdvStrategy(base(), verify).name).toBe('authenteq-web-idv');
  });

  it('takes a plain-http baseURL on another host only with allowInsecureHTTP: true', () => {
    const strategy = new AuthenteqWebIdvStrategy(
      { ...base(), baseURL: 'http://idv.test.internal', allowInsecureHTTP: true },
      verify,
    );
    expect(strategy.name).toBe('authenteq-web-idv');
  });

  it.each([
    ['no clientID', { clientID: '' }],
    ['a clientID with a colon', { clientID: 'a:b' }],
    ['no clientSecret', { clientSecret: undefined }],
    ['a relative callbackURL', { callbackURL: '/auth/idv/callback' }],
    ['a callbackURL with its own state', { callbackURL: `${WEB_IDV_CALLBACK_URL}?state=x` }],
    ['a callbackURL with a code', { callbackURL: `${WEB_IDV_CALLBACK_URL}?code=x` }],
    ['a non-http baseURL', { baseURL: 'ftp://api.example' }],
    ['a plain-http baseURL on another host', { baseURL: 'http://api.example' }],
    ['an allowInsecureHTTP that is not a boolean', { baseURL: 'http://api.example', allowInsecureHTTP: 'yes' }],
    ['a flowSlug with a newline', { flowSlug: 'a\nb' }],
    ['a zero stateTTL', { stateTTL: 0 }],
    ['a policy flag that is not a boolean', { policy: { acceptDocumentsWithoutExpiry: 'yes' } }],
    ['a store without take', { store: { add: async () => true } }],
  ])('throws a coded TypeError for %s', (_, patch) => {
    expect(() => new AuthenteqWebIdvStrategy({ ...base(), ...patch } as never, verify)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_OPTION' }),
    );
  });
});
