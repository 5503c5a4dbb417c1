import { MemoryStore } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, type SignUpAppOptions } from '../src/app.js';

// The app with `flow: 'web-kyc'` (Authenteq Web KYC, the earlier generation; Web IDV is in signup-web-idv.test.ts).
// The app is driven through HTTP with a cookie-keeping supertest agent. Every request carries `Host: app.test`, the
// host of the registered callback, as a browser would after Authenteq sends it back.
const CALLBACK = 'http://app.test/auth/authenteq/callback';
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ authenteq: { redirectURIs: [CALLBACK] } });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
});

function app(extra: Partial<SignUpAppOptions> = {}) {
  return createApp({
    authenteq: { flow: 'web-kyc', ...sandbox.authenteq, callbackURL: CALLBACK },
    sessionSecret: 'test-secret',
    clock: sandbox.clock,
    ...extra,
  }).app;
}

/** A browser on the app: every request carries Host: app.test, like the registered callback. */
function visitor(extra: Partial<SignUpAppOptions> = {}) {
  const agent = supertest.agent(app(extra));
  return {
    get: (path: string) => agent.get(path).set('host', 'app.test'),
    post: (path: string) => agent.post(path).set('host', 'app.test'),
  };
}

type Visitor = ReturnType<typeof visitor>;

/** Presses the button, completes the sandbox check as `choice`, follows the callback; returns its response. */
async function signUp(browser: Visitor, choice: 'adult' | 'minor' | 'expired' | 'foreign' | 'markup' | 'cancel') {
  const signup = await browser.get('/signup');
  expect(signup.text).toContain('href="/auth/authenteq"');
  const start = await browser.get('/auth/authenteq');
  expect(start.status).toBe(302);
  const callback = new URL(await sandbox.authenteq.complete(start.headers.location as string, choice));
  return browser.get(`${callback.pathname}${callback.search}`);
}

describe('examples/signup-verified-id', () => {
  it('shows the sign-up page with the Authenteq button, its stylesheet and a strict CSP', async () => {
    const browser = visitor();
    const res = await browser.get('/signup');
    expect(res.status).toBe(200);
    expect(res.text).toContain('class="AuthenteqButton"');
    expect(res.text).toContain('Sign Up with Authenteq');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    const css = await browser.get('/style.css');
    expect(css.text).toContain('background-color: #F29E2E');
    expect((await browser.get('/authenteq-logo.svg')).headers['content-type']).toMatch(/image\/svg\+xml/);
  });

  it('signs an adult up and shows the verified name, birth date and document, without images', async () => {
    const browser = visitor();
    const callback = await signUp(browser, 'adult');
    expect(callback.status).toBe(302);
    expect(callback.headers.location).toBe('/account');
    const account = await browser.get('/account');
    expect(account.status).toBe(200);
    const adult = sandbox.authenteq.identities.find((identity) => identity.id === 'adult')!.details;
    expect(account.text).toContain('Welcome, ANNA MARIA SCHMIDT');
    expect(account.text).toContain('1987-01-12');
    expect(account.text).toContain(`Passport ${adult.documentNumber}`);
    expect(account.text).toContain(adult.dateOfExpiry);
    expect(account.text).not.toContain('<img alt="Document"');
    expect(sandbox.requests.count({ route: 'authenteq.token' })).toBe(1);
    expect(sandbox.requests.count({ route: 'authenteq.details' })).toBe(1);
    expect((await browser.get('/signup')).headers.location).toBe('/account');
  });

  it('returns to a same-site returnTo after sign-up, and ignores an off-site one', async () => {
    for (const [returnTo, expected] of [
      ['/account?welcome=1', '/account?welcome=1'],
      ['https://evil.example/', '/account'],
    ]) {
      const browser = visitor();
      const start = await browser.get(`/auth/authenteq?returnTo=${encodeURIComponent(returnTo!)}`);
      const callback = new URL(await sandbox.authenteq.complete(start.headers.location as string, 'adult'));
      const res = await browser.get(`${callback.pathname}${callback.search}`);
      expect(res.headers.location).toBe(expected);
    }
  });

  it('escapes the verified name and document it shows', async () => {
    const browser = visitor();
    await signUp(browser, 'markup');
    const account = await browser.get('/account');
    expect(account.status).toBe(200);
    expect(account.text).not.toContain('<script>alert');
    expect(account.text).not.toContain('<img src=x');
    expect(account.text).toContain('&lt;script&gt;alert(&quot;given&quot;)&lt;/script&gt;');
    expect(account.text).toContain('Identity card X&lt;1&gt;&amp;&quot;2&#39;');
  });

  it('shows document images only when asked for', async () => {
    const browser = visitor({ includeImages: true });
    await signUp(browser, 'adult');
    expect((await browser.get('/account')).text).toContain('<img alt="Document" src="data:image/jpeg;base64,/9j/');
  });

  it.each([
    ['minor', /at least 18 years old/],
    ['expired', /document has expired/],
  ] as const)('refuses the %s and shows the reason on the sign-up page', async (choice, reason) => {
    const browser = visitor();
    const callback = await signUp(browser, choice);
    expect(callback.headers.location).toBe('/signup');
    const page = await browser.get('/signup');
    expect(page.text).toContain('You were not signed up.');
    expect(page.text).toMatch(reason);
    expect((await browser.get('/account')).headers.location).toBe('/signup');
    // the reason is shown once
    expect((await browser.get('/signup')).text).not.toContain('You were not signed up.');
  });

  it('cancel ends on the sign-up page, saying so, with no token call', async () => {
    const browser = visitor();
    const callback = await signUp(browser, 'cancel');
    expect(callback.headers.location).toBe('/signup');
    expect((await browser.get('/signup')).text).toContain('The identity check was cancelled.');
    expect(sandbox.requests.count({ route: 'authenteq.token' })).toBe(0);
  });

  it('explains an unavailable provider in plain words (502), with nothing internal', async () => {
    const browser = visitor();
    sandbox.faults.inject('authenteq.token', { status: 500, times: 1 });
    const res = await signUp(browser, 'adult');
    expect(res.status).toBe(502);
    expect(res.text).toContain('The identity service is not available');
    expect(res.text).not.toMatch(/ERR_|authenteq token|stack/i);
  });

  it('signs out with the CSRF-protected form only', async () => {
    const browser = visitor({ store: new MemoryStore({ clock: sandbox.clock }) });
    await signUp(browser, 'adult');
    const account = await browser.get('/account');
    const csrf = /name="csrf" value="([^"]+)"/.exec(account.text)?.[1];
    expect(csrf).toBeDefined();
    expect((await browser.post('/logout').type('form').send({ csrf: 'wrong' })).status).toBe(403);
    const out = await browser.post('/logout').type('form').send({ csrf });
    expect(out.headers.location).toBe('/signup');
    expect((await browser.get('/account')).headers.location).toBe('/signup');
  });

  it('abandoned sign-up starts expire: the cookie after 8 hours, and the default store drops their sessions', async () => {
    const example = createApp({
      authenteq: { flow: 'web-kyc', ...sandbox.authenteq, callbackURL: CALLBACK },
      sessionSecret: 'test-secret',
      clock: sandbox.clock,
    });
    const length = () =>
      new Promise<number>((resolve, reject) =>
        example.sessionStore.length?.((error, n) => (error ? reject(error) : resolve(n ?? 0))),
      );
    for (let i = 0; i < 20; i++) {
      const start = await supertest(example.app).get('/auth/authenteq').set('host', 'app.test').expect(302);
      const cookie = String(start.headers['set-cookie']);
      const expires = Date.parse(/Expires=([^;]+)/.exec(cookie)?.[1] ?? '');
      expect(Math.abs(expires - (Date.now() + 8 * 3_600_000))).toBeLessThan(5_000);
    }
    expect(await length()).toBe(20);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 8 * 3_600_000 + 1_000);
      (example.sessionStore as unknown as { prune(): void }).prune();
      expect(await length()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('moves a visitor from localhost to the loopback host of the callback before starting', async () => {
    const local = createApp({
      authenteq: {
        flow: 'web-kyc',
        ...sandbox.authenteq,
        callbackURL: 'http://127.0.0.1:3001/auth/authenteq/callback',
      },
      sessionSecret: 'test-secret',
    }).app;
    const res = await supertest(local).get('/auth/authenteq?returnTo=%2Faccount').set('host', 'localhost:3001');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('http://127.0.0.1:3001/auth/authenteq?returnTo=%2Faccount');
    // any other host name starts the flow as is (no redirect loop behind a proxy)
    const proxied = await supertest(app()).get('/auth/authenteq').set('host', 'internal:8080');
    expect(proxied.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/authenteq\/authorize\?/);
  });
});
